import { NewLedgerEvent } from '@tally/contracts';
import { MemberState } from '@tally/member-ledger';

export interface ClearFlagCommand {
  flagId: string;
  actor: string;
  note?: string;
  occurredAt: string;
}

export type ClearFlagDecision =
  | { ok: true; events: NewLedgerEvent[]; ruleId: string }
  | { ok: false; code: 'FLAG_NOT_FOUND'; message: string; flagId: string };

/** Ops clear an open flag after review: what it blocked is allowed again. A flag clears once. */
export const decideClearFlag = (state: MemberState, command: ClearFlagCommand): ClearFlagDecision => {
  const { flagId, actor, note, occurredAt } = command;
  const flag = state.flags?.[flagId];
  if (!flag) return { ok: false, code: 'FLAG_NOT_FOUND', message: `member ${state.memberId} has no open flag ${flagId}`, flagId };
  const data = { flagId, ruleId: flag.ruleId, actor, ...(note === undefined ? {} : { note }) };
  return { ok: true, ruleId: flag.ruleId, events: [{ type: 'flag.cleared', memberId: state.memberId, occurredAt, data }] };
};
