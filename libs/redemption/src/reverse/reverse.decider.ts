import { LotPortion, appendEvents } from '@tally/contracts';
import { MemberState } from '@tally/member-ledger';
import { availableAfter } from '../shared/balance-after';
import { RedemptionDecision, Refusal, refuse } from '../shared/decision';
import { ledgerEvent } from '../shared/ledger-event';

export interface ReverseCommand {
  redemptionId: string;
  occurredAt: string;
}

/**
 * A redemption as it was made (its `points.redeemed`): the member state keeps no record of past
 * redemptions, so the caller brings it (the redeem service has it from the redemption's stored result).
 */
export interface RedemptionRecord {
  redemptionId: string;
  points: number;
  storeId: string;
  fromLots: LotPortion[];
  rewardId?: string;
}

export interface ReverseResult {
  redemptionId: string;
  points: number;
  toLots: LotPortion[];
  /** Set for a reward redemption: the service puts the reward's stock back. */
  rewardId?: string;
  /** `available` once the reversal is applied. */
  available: number;
}

/** Details: `redemptionId`. */
export type ReverseRefusal = Refusal<'REDEMPTION_NOT_FOUND'>;

export type ReverseDecision = RedemptionDecision<ReverseResult, ReverseRefusal['code']>;

/**
 * Puts a redemption's points back into the lots they came from, keeping each lot's expiry: a lot that
 * has expired since is reopened already due, and the next expiry sweep takes it.
 *
 * A redemption is reversed once: the caller runs this at most once per redemption id (the redeem
 * service keys the reversal's idempotency by the redemption id, so a second reversal is a replay).
 */
export const decideReverse = (state: MemberState, redemption: RedemptionRecord | undefined, command: ReverseCommand): ReverseDecision => {
  const { redemptionId } = command;
  if (!redemption || redemption.redemptionId !== redemptionId) {
    return refuse(state.memberId, 'REDEMPTION_NOT_FOUND', `no redemption ${redemptionId}`, { redemptionId });
  }

  const toLots = redemption.fromLots.map((portion) => ({ ...portion }));
  const event = ledgerEvent('redemption.reversed', state.memberId, command.occurredAt, {
    redemptionId,
    points: redemption.points,
    toLots,
  });
  return appendEvents([event], {
    redemptionId,
    points: redemption.points,
    toLots,
    ...(redemption.rewardId !== undefined ? { rewardId: redemption.rewardId } : {}),
    available: availableAfter(state, [event]),
  });
};
