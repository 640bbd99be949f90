import { LedgerReplay, Query, auditLedger } from '@tally/ledger';
import { MemberState } from '@tally/member-ledger';
import { Program } from '@tally/program';
import { decideDailyEvaluation, decideUpgrade } from '@tally/tiers';
import { DataSource } from 'typeorm';

/** A broken invariant: which one, for whom, and what was found. */
export class InvariantViolation extends Error {}

const fail = (message: string): never => {
  throw new InvariantViolation(message);
};

/**
 * Conservation per member (invariant 4): what the balance row holds equals what the log says was
 * earned, spent, expired, clawed back, adjusted and put back, summed from the events themselves.
 * No balance below zero but by a clawback's debt (invariant 3).
 */
export const checkBalances = async (query: Query, memberIds: string[]): Promise<void> => {
  const rows: { member_id: string; balance: string; log: string; available: string; debt: string }[] = await query(
    `SELECT m.member_id, m.available + m.held + m.pending AS balance, m.available, m.debt,
            coalesce(sum(CASE e.type
              WHEN 'points.earned' THEN (e.data->>'points')::bigint
              WHEN 'points.adjusted' THEN (e.data->>'points')::bigint
              WHEN 'redemption.reversed' THEN (e.data->>'points')::bigint
              WHEN 'points.redeemed' THEN -(e.data->>'points')::bigint
              WHEN 'hold.captured' THEN -(e.data->>'points')::bigint
              WHEN 'points.expired' THEN -(e.data->>'points')::bigint
              WHEN 'points.clawed-back' THEN -(e.data->>'points')::bigint
              WHEN 'points.received' THEN (e.data->>'points')::bigint
              WHEN 'points.transferred' THEN -(e.data->>'points')::bigint
              WHEN 'transfer.reversed' THEN CASE WHEN e.data->'toLots' IS NOT NULL THEN 1 ELSE -1 END * (e.data->>'points')::bigint
              ELSE 0 END), 0) AS log
       FROM member_state m JOIN ledger_events_expanded e USING (member_id)
      WHERE m.member_id = ANY($1::text[]) GROUP BY m.member_id, m.available, m.held, m.pending, m.debt`,
    [memberIds],
  );
  for (const row of rows) {
    if (BigInt(row.balance) !== BigInt(row.log)) fail(`${row.member_id}: available + held + pending is ${row.balance}, the log sums to ${row.log}`);
    if (BigInt(row.available) < 0n && BigInt(row.debt) === 0n) fail(`${row.member_id}: available ${row.available} without any debt`);
  }
};

/** After a sweep at `asOf`: no lot of these members left open past its expiry, none left pending past its release. */
export const checkNothingDue = async (query: Query, memberIds: string[], asOf: string): Promise<void> => {
  const due: { member_id: string; lot_id: string }[] = await query(
    `SELECT member_id, lot_id FROM open_lots
      WHERE member_id = ANY($1::text[])
        AND ((expires_at <= $2 AND NOT pending AND remaining > held) OR (pending AND available_at <= $2))`,
    [memberIds, asOf],
  );
  if (due.length > 0) fail(`lots due by ${asOf} still open: ${due.map((d) => `${d.member_id}/${d.lot_id}`).join(', ')}`);
};

/** After an upgrade check and a daily evaluation at `asOf`: each tier is what the rules give, and the balance row says it. */
export const checkTiers = async (query: Query, states: Map<string, MemberState>, asOf: string, program: Program): Promise<void> => {
  const rows: { member_id: string; tier: string }[] = await query(`SELECT member_id, tier FROM member_state WHERE member_id = ANY($1::text[])`, [
    [...states.keys()],
  ]);
  const rowTiers = new Map(rows.map((r) => [r.member_id, r.tier]));
  for (const [memberId, state] of states) {
    if (state.version === 0) continue;
    if (rowTiers.get(memberId) !== state.tier) fail(`${memberId}: balance row says tier ${rowTiers.get(memberId)}, the log ${state.tier}`);
    for (const decision of [decideUpgrade(state, asOf, program), decideDailyEvaluation(state, asOf, program)]) {
      if (decision.kind === 'append') fail(`${memberId}: tier ${state.tier}, but the rules at ${asOf} still change it to ${decision.result.to}`);
    }
  }
};

/** The whole ledger: the audit finds nothing (chains, heads, projections, stale decisions), and a replay rebuilds every projection identically. */
export const checkLedger = async (dataSource: DataSource): Promise<void> => {
  const audit = await auditLedger(dataSource);
  if (!audit.ok) fail(`audit: ${audit.violationCount} violations, first ${JSON.stringify(audit.violations.slice(0, 3))}`);
  const replay = await new LedgerReplay(dataSource).run({ swap: false });
  if (!replay.identical) fail(`replay differs: ${JSON.stringify(replay.differences.slice(0, 3))}`);
};
