import { LotPortion } from '@tally/contracts';
import { MemberState } from '@tally/member-ledger';
import { Accepted, Refusal, refuse } from '../shared/decision';
import { ledgerEvent } from '../shared/ledger-event';

export interface ReverseCommand {
  redemptionId: string;
  occurredAt: string;
}

export type ReverseAccepted = Accepted<{
  redemptionId: string;
  points: number;
  toLots: LotPortion[];
  /** Set for a reward redemption: the service puts the reward's stock back. */
  rewardId?: string;
}>;

export type ReverseRefusal =
  | (Refusal<'REDEMPTION_NOT_FOUND'> & { redemptionId: string })
  | (Refusal<'ALREADY_REVERSED'> & { redemptionId: string });

export type ReverseDecision = ReverseAccepted | ReverseRefusal;

/**
 * Puts a redemption's points back into the lots they came from, keeping each lot's expiry: a lot that
 * has expired since is reopened already due, and the next expiry sweep takes it.
 */
export const decideReverse = (state: MemberState, command: ReverseCommand): ReverseDecision => {
  const { redemptionId } = command;
  const redemption = state.redemptions[redemptionId];
  if (!redemption) return refuse('REDEMPTION_NOT_FOUND', `no redemption ${redemptionId}`, { redemptionId });
  if (redemption.reversed) return refuse('ALREADY_REVERSED', `redemption ${redemptionId} is already reversed`, { redemptionId });

  const toLots = redemption.fromLots.map((portion) => ({ ...portion }));
  const event = ledgerEvent('redemption.reversed', state.memberId, command.occurredAt, {
    redemptionId,
    points: redemption.points,
    toLots,
  });
  return {
    ok: true,
    events: [event],
    redemptionId,
    points: redemption.points,
    toLots,
    ...(redemption.rewardId !== undefined ? { rewardId: redemption.rewardId } : {}),
  };
};
