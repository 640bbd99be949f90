import { PurchaseCompleted } from '@tally/contracts';
import { MemberState } from '@tally/member-ledger';
import { CurrencyRate, Program, availableAtFor, businessDay, lowestTier, tierByName } from '@tally/program';
import { EarnContext, EarnDecision, append, reject } from '../earn.decision';
import { EarnedDetails, earnedEvent } from '../shared/earned-event';
import { lateInputRefusal } from '../shared/late-input';
import { purchasePoints } from './purchase.points';

const rateFor = (program: Program, currency: string): CurrencyRate | undefined =>
  Object.hasOwn(program.currencies, currency) ? program.currencies[currency] : undefined;

/**
 * What is left of the daily earn cap on a business day; undefined when the program has no cap.
 * The member ledger counts every point earned that day (check-ins and activities too), so they use
 * up the allowance as well; the cap itself is applied to purchases only.
 */
const dailyRoom = (program: Program, state: MemberState, day: string): number | undefined => {
  const cap = program.purchase.dailyEarnCap;
  return cap === undefined ? undefined : Math.max(0, cap - (state.daily.get(day)?.earned ?? 0));
};

/** Earns points for a purchase: base points by currency, times tier and campaign multipliers, capped. */
export const decidePurchase = (purchase: PurchaseCompleted, state: MemberState, ctx: EarnContext): EarnDecision => {
  const { program } = ctx;
  const { memberId, orderId } = purchase;
  if (state.orders.has(orderId)) return reject(memberId, 'DUPLICATE_ORDER', `order ${orderId} already earned points`);
  const rate = rateFor(program, purchase.currency);
  if (!rate)
    return reject(memberId, 'UNSUPPORTED_CURRENCY', `the program does not accept ${purchase.currency} (accepts ${Object.keys(program.currencies).join(', ')})`);

  const tier = tierByName(program, state.tier) ?? lowestTier(program);
  const earned = purchasePoints(program, purchase, rate, tier.multiplier);
  if (earned.points <= 0) return reject(memberId, 'NO_POINTS', `order ${orderId} of ${purchase.amountMinor} minor units earns no points`);

  const ruleIds = ['purchase.base', tierRuleId(state.tier)];
  for (const id of earned.campaignIds) ruleIds.push(`campaign.${id}`);
  let points = earned.points;
  if (points > program.purchase.maxPointsPerEvent) {
    points = program.purchase.maxPointsPerEvent;
    ruleIds.push('purchase.max-per-event');
  }
  const day = businessDay(program, purchase.occurredAt);
  if (program.purchase.dailyEarnCap !== undefined) {
    const late = lateInputRefusal(memberId, state, program, day, 'a purchase under the daily earn cap');
    if (late) return late;
  }
  const room = dailyRoom(program, state, day);
  if (room === 0) return reject(memberId, 'DAILY_CAP_REACHED', `the daily cap of ${program.purchase.dailyEarnCap} points is reached on ${day}`);
  if (room !== undefined && points > room) {
    points = room;
    ruleIds.push('purchase.daily-cap');
  }

  // Optional fields set only when present (no spread of a temporary object for each).
  const details: EarnedDetails = { points, reason: 'purchase', orderId, orderAmountMinor: purchase.amountMinor, multiplier: earned.multiplier, ruleIds };
  const availableAt = availableAtFor(program, purchase.occurredAt);
  if (availableAt !== undefined) details.availableAt = availableAt;
  if (purchase.storeId !== undefined) details.storeId = purchase.storeId;
  return append(earnedEvent(state, purchase.occurredAt, ctx, details));
};

const tierRuleIds = new Map<string, string>();
/** `tier.<name>`, written once per tier rather than once per purchase. */
const tierRuleId = (tier: string): string => {
  let id = tierRuleIds.get(tier);
  if (id === undefined) tierRuleIds.set(tier, (id = `tier.${tier}`));
  return id;
};
