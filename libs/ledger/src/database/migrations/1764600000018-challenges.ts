import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Step-up challenges: a request (a transfer) waiting for its one-time code. The code is kept only
 * as a hash; `attempts` counts wrong codes. Not part of the log: the hold a challenge places and
 * the transfer its confirmation makes are ledger events, the challenge itself is working state.
 */
export class Challenges1764600000018 implements MigrationInterface {
  name = 'Challenges1764600000018';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE challenges (
        challenge_id text        COLLATE "C" PRIMARY KEY,
        purpose      text        NOT NULL,
        request_id   text        COLLATE "C" NOT NULL,
        member_id    text        COLLATE "C" NOT NULL,
        request      jsonb       NOT NULL,
        hold_id      text        NOT NULL,
        code_hash    bytea       NOT NULL,
        expires_at   timestamptz NOT NULL,
        attempts     integer     NOT NULL DEFAULT 0,
        state        text        NOT NULL DEFAULT 'open',
        created_at   timestamptz NOT NULL DEFAULT now(),
        UNIQUE (purpose, request_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE challenges`);
  }
}
