import { mapAnswer } from '@tally/contracts';
import { RedeemRules, RedemptionRecord, decideConfirmedRedemption, decideRedeem, decideReverse, refuse } from '@tally/redemption';
import { IdempotentRequest } from '../shared/idempotent-command';
import { RedeemRequest, RedemptionResult, ReverseResult } from './redemption.dto';
import { REDEMPTION_SCOPE, REVERSE_SCOPE } from './redemption.scopes';
import { StockClaim } from './reward-stock.repository';

// The redemption requests as the ledger decides them: pure, so the model checker runs the service's own.

/**
 * What a redemption stores as its result (`causations.result`): the reply body plus the store, which
 * a reversal checks the caller against. The client gets the body without `storeId`.
 */
export type StoredRedemption = RedemptionResult & { storeId: string };

/** A redemption, from available points or (`holdId`) from the points its challenge held; refused when its reward's stock is out. */
export const redeemRequest = (
  request: RedeemRequest,
  occurredAt: string,
  rules: RedeemRules,
  claim?: StockClaim,
  holdId?: string,
): IdempotentRequest<StoredRedemption> => {
  const { redemptionId, memberId, points, storeId, rewardId } = request;
  return {
    scope: REDEMPTION_SCOPE,
    key: redemptionId,
    memberId,
    input: { ...request },
    occurredAt,
    decide: (state) => {
      if (claim === 'out-of-stock') return refuse(memberId, 'REWARD_OUT_OF_STOCK', `reward ${rewardId} is out of stock`, { rewardId });
      const command = { redemptionId, points, storeId, rewardId, occurredAt };
      const decision = holdId === undefined ? decideRedeem(state, command, rules) : decideConfirmedRedemption(state, holdId, command, rules);
      return mapAnswer(decision, (made) => ({
        redemptionId,
        memberId,
        points: made.points,
        available: made.available,
        fromLots: made.fromLots,
        valueMinor: made.valueMinor,
        currency: made.currency,
        ...(rewardId !== undefined ? { rewardId } : {}),
        storeId,
      }));
    },
  };
};

/** A reversal, keyed by its redemption's id; `record` is what the redemption spent (none: not found). */
export const reverseRequest = (
  redemptionId: string,
  memberId: string,
  record: RedemptionRecord | undefined,
  occurredAt: string,
): IdempotentRequest<ReverseResult> => ({
  scope: REVERSE_SCOPE,
  key: redemptionId,
  memberId,
  input: { redemptionId },
  occurredAt,
  decide: (state) =>
    mapAnswer(decideReverse(state, record, { redemptionId, occurredAt }), (reversed) => ({
      redemptionId,
      memberId,
      points: reversed.points,
      toLots: reversed.toLots,
      available: reversed.available,
    })),
});
