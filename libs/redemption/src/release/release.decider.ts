import { appendEvents, isBefore } from '@tally/contracts';
import { MemberState } from '@tally/member-ledger';
import { HoldNotOpen, findOpenHold } from '../hold/open-hold';
import { availableAfter } from '../shared/balance-after';
import { RedemptionDecision, Refusal, isRefusal, refuse } from '../shared/decision';
import { ledgerEvent } from '../shared/ledger-event';

export type ReleaseReason = 'released' | 'expired';

export interface ReleaseCommand {
  holdId: string;
  occurredAt: string;
  reason: ReleaseReason;
}

export interface ReleaseResult {
  holdId: string;
  points: number;
  /** `available` once the release is applied. */
  available: number;
}

/** Details: `holdId`, `expiresAt` (not due). */
export type ReleaseRefusal = HoldNotOpen | Refusal<'HOLD_NOT_DUE'>;

export type ReleaseDecision = RedemptionDecision<ReleaseResult, ReleaseRefusal['code']>;

/** A caller may release an open hold at any time; an expiry release only once the ttl is over. */
const checkReason = (memberId: string, reason: ReleaseReason, holdId: string, expiresAt: string, occurredAt: string): ReleaseRefusal | undefined => {
  switch (reason) {
    case 'released':
      return undefined;
    case 'expired':
      return isBefore(occurredAt, expiresAt)
        ? refuse(memberId, 'HOLD_NOT_DUE', `hold ${holdId} expires at ${expiresAt}, not before`, { holdId, expiresAt })
        : undefined;
    default: {
      const unknown: never = reason;
      throw new Error(`unknown release reason ${String(unknown)}`);
    }
  }
};

/** Gives a hold's points back to `available`, in the lots they were reserved from. */
export const decideRelease = (state: MemberState, command: ReleaseCommand): ReleaseDecision => {
  const { holdId, occurredAt, reason } = command;
  const hold = findOpenHold(state, holdId);
  if (isRefusal(hold)) return hold;
  const refusal = checkReason(state.memberId, reason, holdId, hold.expiresAt, occurredAt);
  if (refusal) return refusal;

  const event = ledgerEvent('hold.released', state.memberId, occurredAt, { holdId, points: hold.points, fromLots: hold.fromLots, reason });
  return appendEvents([event], { holdId, points: hold.points, available: availableAfter(state, [event]) });
};
