import { LedgerEvent } from '@tally/contracts';
import { MemberState, balanceOf, evolveMember, initialMemberState } from '@tally/member-ledger';
import { DataSource } from 'typeorm';
import { GENESIS_HASH, eventHash } from '../hashing/event-hash';
import { StoredEventRow, toLedgerEvent } from '../read/event-row';
import { memberHistories } from '../replay/member-histories';

export interface AuditViolation {
  kind: 'version_gap' | 'broken_chain' | 'hash_mismatch' | 'projection_mismatch' | 'orphan_projection';
  memberId: string;
  position?: string;
  version?: number;
  message: string;
}

export interface AuditReport {
  ok: boolean;
  eventsChecked: number;
  members: number;
  ms: number;
  firstViolation?: AuditViolation;
}

interface StoredBalanceRow {
  member_id: string;
  version: number;
  last_hash: Buffer;
  available: string;
  held: string;
  lots_remaining: string | null;
}

const checkHistory = (rows: StoredEventRow[]): { violation?: AuditViolation; state: MemberState; lastHash: Buffer } => {
  const memberId = rows[0].member_id;
  let state = initialMemberState(memberId);
  let prev: Buffer = GENESIS_HASH;
  for (const [index, row] of rows.entries()) {
    const at = { memberId, position: String(row.position), version: row.version };
    if (row.version !== index + 1) {
      return { state, lastHash: prev, violation: { ...at, kind: 'version_gap', message: `expected version ${index + 1}, found ${row.version}` } };
    }
    if (!row.prev_hash.equals(prev)) {
      return { state, lastHash: prev, violation: { ...at, kind: 'broken_chain', message: 'prevHash does not match the previous event hash' } };
    }
    const event: LedgerEvent = toLedgerEvent(row);
    const expected = eventHash(prev, { ...event, data: row.data });
    if (!expected.equals(row.hash)) {
      return { state, lastHash: prev, violation: { ...at, kind: 'hash_mismatch', message: 'stored event does not match its hash: altered' } };
    }
    state = evolveMember(state, event, row.version);
    prev = row.hash;
  }
  return { state, lastHash: prev };
};

const checkProjection = (state: MemberState, lastHash: Buffer, stored: StoredBalanceRow | undefined): string | undefined => {
  if (!stored) return 'member has events but no balance row';
  if (stored.version !== state.version || !stored.last_hash.equals(lastHash)) return `balance row is at version ${stored.version}, log at ${state.version}`;
  const balance = balanceOf(state);
  if (Number(stored.available) !== balance.available || Number(stored.held) !== balance.held) {
    return `balance row says available ${stored.available} held ${stored.held}, log gives ${balance.available} held ${balance.held}`;
  }
  const lots = Number(stored.lots_remaining ?? 0);
  if (lots - state.debt !== balance.available + balance.held + balance.pending) {
    return `open lots hold ${lots} (debt ${state.debt}) but available + held + pending is ${balance.available + balance.held + balance.pending}`;
  }
  return undefined;
};

/**
 * Verifies every member's hash chain and version sequence, and that the balances and lot
 * remainders agree with the log. Stops at the first violation and names its position.
 */
export const auditLedger = async (dataSource: DataSource, clock: () => number = Date.now): Promise<AuditReport> => {
  const started = clock();
  let eventsChecked = 0;
  let members = 0;
  const report = (firstViolation?: AuditViolation): AuditReport => ({
    ok: !firstViolation,
    eventsChecked,
    members,
    ms: clock() - started,
    ...(firstViolation ? { firstViolation } : {}),
  });
  let batch: StoredEventRow[][] = [];
  const flush = async (): Promise<AuditViolation | undefined> => {
    const ids = batch.map((rows) => rows[0].member_id);
    const stored: StoredBalanceRow[] = await dataSource.query(
      `SELECT m.member_id, m.version, m.last_hash, m.available, m.held,
              (SELECT sum(remaining) FROM open_lots l WHERE l.member_id = m.member_id) AS lots_remaining
         FROM member_state m WHERE m.member_id = ANY($1)`,
      [ids],
    );
    const byId = new Map(stored.map((r) => [r.member_id, r]));
    for (const rows of batch) {
      const { violation, state, lastHash } = checkHistory(rows);
      eventsChecked += rows.length;
      members += 1;
      if (violation) return violation;
      const problem = checkProjection(state, lastHash, byId.get(state.memberId));
      if (problem) return { kind: 'projection_mismatch', memberId: state.memberId, message: problem };
    }
    batch = [];
    return undefined;
  };
  for await (const rows of memberHistories(dataSource)) {
    batch.push(rows);
    if (batch.length >= 1000) {
      const violation = await flush();
      if (violation) return report(violation);
    }
  }
  const violation = await flush();
  if (violation) return report(violation);
  const orphans: { member_id: string }[] = await dataSource.query(
    `SELECT member_id FROM member_state m WHERE NOT EXISTS (SELECT 1 FROM ledger_events e WHERE e.member_id = m.member_id) LIMIT 1`,
  );
  if (orphans.length > 0) {
    return report({ kind: 'orphan_projection', memberId: orphans[0].member_id, message: 'balance row without any event: its events were removed' });
  }
  return report();
};
