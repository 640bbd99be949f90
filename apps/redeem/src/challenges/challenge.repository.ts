import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ChallengeView } from '@tally/redemption';
import { DataSource } from 'typeorm';

export interface ChallengeRow extends ChallengeView {
  challengeId: string;
  purpose: string;
  requestId: string;
  memberId: string;
  request: Record<string, unknown>;
  holdId: string;
  codeHash: Buffer;
}

/** The code's hash, salted with its challenge: the same code under two challenges hashes apart. */
export const hashCode = (challengeId: string, code: string): Buffer => createHash('sha256').update(`${challengeId}:${code}`).digest();

export const codeMatches = (row: Pick<ChallengeRow, 'challengeId' | 'codeHash'>, code: string): boolean => {
  const hashed = hashCode(row.challengeId, code);
  return hashed.length === row.codeHash.length && timingSafeEqual(hashed, row.codeHash);
};

/** A six-digit one-time code from the system's CSPRNG. */
export const newCode = (): string => String(randomInt(0, 1_000_000)).padStart(6, '0');

interface Row {
  challenge_id: string;
  purpose: string;
  request_id: string;
  member_id: string;
  request: Record<string, unknown>;
  hold_id: string;
  code_hash: Buffer;
  expires_at: Date;
  attempts: number;
  state: ChallengeView['state'];
}

const fromRow = (r: Row): ChallengeRow => ({
  challengeId: r.challenge_id,
  purpose: r.purpose,
  requestId: r.request_id,
  memberId: r.member_id,
  request: r.request,
  holdId: r.hold_id,
  codeHash: r.code_hash,
  expiresAt: r.expires_at.toISOString(),
  attempts: r.attempts,
  state: r.state,
});

/** Step-up challenges (table `challenges`): working state beside the log, never part of it. */
@Injectable()
export class ChallengeRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Stores a challenge once per request; false when the request already has one. */
  async create(row: Omit<ChallengeRow, 'attempts' | 'state'>): Promise<boolean> {
    const inserted: unknown[] = await this.dataSource.query(
      `INSERT INTO challenges (challenge_id, purpose, request_id, member_id, request, hold_id, code_hash, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING 1`,
      [row.challengeId, row.purpose, row.requestId, row.memberId, JSON.stringify(row.request), row.holdId, row.codeHash, row.expiresAt],
    );
    return inserted.length > 0;
  }

  async find(challengeId: string): Promise<ChallengeRow | undefined> {
    const rows: Row[] = await this.dataSource.query(`SELECT * FROM challenges WHERE challenge_id = $1`, [challengeId]);
    return rows[0] && fromRow(rows[0]);
  }

  /**
   * Counts a wrong code, atomically: only while the challenge is open and under `maxAttempts`, and
   * the count's last one closes it. Undefined when it was no longer open (another guess closed it).
   */
  async countWrongCode(challengeId: string, maxAttempts: number): Promise<ChallengeRow | undefined> {
    const [rows]: [Row[], number] = await this.dataSource.query(
      `UPDATE challenges SET attempts = attempts + 1, state = CASE WHEN attempts + 1 >= $2 THEN 'failed' ELSE state END
        WHERE challenge_id = $1 AND state = 'open' AND attempts < $2 RETURNING *`,
      [challengeId, maxAttempts],
    );
    return rows[0] && fromRow(rows[0]);
  }

  /**
   * Takes the right code, atomically: one confirmation wins, and none after the wrong codes closed
   * the challenge, so concurrent guesses get no more tries than `maxAttempts` between them.
   */
  async confirm(challengeId: string, maxAttempts: number): Promise<boolean> {
    const [rows]: [unknown[], number] = await this.dataSource.query(
      `UPDATE challenges SET state = 'confirmed' WHERE challenge_id = $1 AND state = 'open' AND attempts < $2 RETURNING 1`,
      [challengeId, maxAttempts],
    );
    return rows.length > 0;
  }

  async fail(challengeId: string): Promise<void> {
    await this.dataSource.query(`UPDATE challenges SET state = 'failed' WHERE challenge_id = $1`, [challengeId]);
  }
}
