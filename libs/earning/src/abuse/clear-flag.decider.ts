import { NewLedgerEvent } from '@tally/contracts';
import { MemberState } from '@tally/member-ledger';

export interface ClearFlagCommand {
  flagId: string;
  actor: string;
  note?: string;
  occurredAt: string;
}

export type ClearFlagDecision = { ok: true; events: NewLedgerEvent[]; ruleId: string } | { ok: false; code: 'FLAG_NOT_FOUND'; message: string; flagId: string };

/** Whether another open flag than `flagId` holds the member's earnings. */
const stillHeld = (state: MemberState, flagId: string): boolean =>
  Object.entries(state.flags ?? {}).some(([id, flag]) => id !== flagId && flag.action === 'hold-earnings');

/**
 * Earnings flags held, released once the last flag holding them clears: those without a pending
 * period, or whose period is over, now; the others stay pending until their `availableAt`.
 */
const releasesOnClear = (state: MemberState, flagId: string, occurredAt: string): NewLedgerEvent[] => {
  if (stillHeld(state, flagId)) return [];
  const now = Date.parse(occurredAt);
  return [...state.lots.values()]
    .filter((lot) => lot.heldByFlag && lot.remaining > 0 && (lot.availableAt === undefined || Date.parse(lot.availableAt) <= now))
    .sort((a, b) => a.order - b.order)
    .map((lot) => ({ type: 'points.released', memberId: state.memberId, occurredAt, data: { lotId: lot.lotId, points: lot.remaining } }));
};

/** Ops clear an open flag after review: what it blocked or held is allowed again. A flag clears once. */
export const decideClearFlag = (state: MemberState, command: ClearFlagCommand): ClearFlagDecision => {
  const { flagId, actor, note, occurredAt } = command;
  const flag = state.flags?.[flagId];
  if (!flag) return { ok: false, code: 'FLAG_NOT_FOUND', message: `member ${state.memberId} has no open flag ${flagId}`, flagId };
  const data = { flagId, ruleId: flag.ruleId, actor, ...(note === undefined ? {} : { note }) };
  const cleared: NewLedgerEvent = { type: 'flag.cleared', memberId: state.memberId, occurredAt, data };
  return { ok: true, ruleId: flag.ruleId, events: [cleared, ...releasesOnClear(state, flagId, occurredAt)] };
};
