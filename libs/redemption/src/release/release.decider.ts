import { isBefore } from '@tally/contracts';
import { MemberState } from '@tally/member-ledger';
import { HoldNotOpen, findOpenHold } from '../hold/open-hold';
import { Accepted, Refusal, refuse } from '../shared/decision';
import { ledgerEvent } from '../shared/ledger-event';

export type ReleaseReason = 'released' | 'expired';

export interface ReleaseCommand {
  holdId: string;
  occurredAt: string;
  reason: ReleaseReason;
}

export type ReleaseAccepted = Accepted<{ holdId: string; points: number }>;

export type ReleaseRefusal = HoldNotOpen | (Refusal<'HOLD_NOT_DUE'> & { holdId: string; expiresAt: string });

export type ReleaseDecision = ReleaseAccepted | ReleaseRefusal;

/** A caller may release an open hold at any time; an expiry release only once the ttl is over. */
const checkReason = (reason: ReleaseReason, holdId: string, expiresAt: string, occurredAt: string): ReleaseRefusal | undefined => {
  switch (reason) {
    case 'released':
      return undefined;
    case 'expired':
      return isBefore(occurredAt, expiresAt)
        ? refuse('HOLD_NOT_DUE', `hold ${holdId} expires at ${expiresAt}, not before`, { holdId, expiresAt })
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
  const open = findOpenHold(state, holdId);
  if (!open.ok) return open;
  const { hold } = open;
  const refusal = checkReason(reason, holdId, hold.expiresAt, occurredAt);
  if (refusal) return refusal;

  const event = ledgerEvent('hold.released', state.memberId, occurredAt, { holdId, points: hold.points, fromLots: hold.fromLots, reason });
  return { ok: true, events: [event], holdId, points: hold.points };
};
