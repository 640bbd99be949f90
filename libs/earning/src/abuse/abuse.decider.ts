import { InputEvent, LedgerEventDataMap, NewLedgerEvent } from '@tally/contracts';
import { MemberState, VelocityInput, countInPeriod, periodOfIso, utcIso } from '@tally/member-ledger';
import { AbuseRule, RefundAfterRedemptionRule, VelocityRule } from '@tally/program';

/** The member whose pace an input adds to, and as what; undefined for inputs no velocity rule watches (refunds, activities). */
const watchedOf = (input: InputEvent): { memberId: string; kind: VelocityInput } | undefined => {
  switch (input.type) {
    case 'purchase.completed':
      return { memberId: input.memberId, kind: 'purchase' };
    case 'member.checked-in':
      return { memberId: input.memberId, kind: 'check-in' };
    case 'referral.completed':
      return { memberId: input.referrerId, kind: 'referral' };
    default:
      return undefined;
  }
};

/** No flags: shared, so that the usual answer allocates nothing. */
const NONE: readonly NewLedgerEvent[] = Object.freeze([]);

const isOpen = (state: MemberState, ruleId: string): boolean => {
  const flags = state.flags;
  if (flags === undefined) return false;
  for (const flagId in flags) if (flags[flagId].ruleId === ruleId) return true;
  return false;
};

const flagged = (
  memberId: string,
  input: InputEvent,
  rule: AbuseRule,
  evidence: LedgerEventDataMap['member.flagged']['evidence'],
  newFlagId: () => string,
): NewLedgerEvent => ({
  type: 'member.flagged',
  memberId,
  occurredAt: input.occurredAt,
  data: { flagId: newFlagId(), ruleId: rule.id, action: rule.action, evidence },
});

/** Velocity rules: each rule of the input's kind whose window now holds more than `max` such inputs. */
const velocityFlags = (
  input: InputEvent,
  states: Readonly<Record<string, MemberState>>,
  rules: readonly AbuseRule[],
  newFlagId: () => string,
): readonly NewLedgerEvent[] => {
  const watched = watchedOf(input);
  if (!watched) return NONE;
  const state = states[watched.memberId];
  // Turned to UTC once for every rule: an input's time carries an offset, and parsing it is the costly part.
  let iso: string | undefined;
  let flags: NewLedgerEvent[] | undefined;
  for (const rule of rules) {
    if (rule.input !== watched.kind || isOpen(state, rule.id)) continue;
    const { window, max } = rule as VelocityRule;
    const period = periodOfIso((iso ??= utcIso(input.occurredAt)), window);
    const count = countInPeriod(state.velocity, watched.kind, window, period) + 1;
    if (count <= max) continue;
    const evidence = { input: watched.kind, window, period, count, max, eventId: input.eventId };
    (flags ??= []).push(flagged(watched.memberId, input, rule, evidence, newFlagId));
  }
  return flags ?? NONE;
};

/**
 * The refund-after-redemption rule: a refund whose clawback left a debt took back points the
 * member had already spent (redeemed, captured or sent): the order earned them, they were spent,
 * and then the order was refunded.
 */
const refundFlags = (
  input: InputEvent,
  events: readonly NewLedgerEvent[],
  states: Readonly<Record<string, MemberState>>,
  rules: readonly AbuseRule[],
  newFlagId: () => string,
): readonly NewLedgerEvent[] => {
  if (input.type !== 'purchase.refunded') return NONE;
  const clawback = events.find((e) => e.type === 'points.clawed-back');
  if (clawback?.type !== 'points.clawed-back') return NONE;
  const debt = clawback.data.debt ?? 0;
  const state = states[clawback.memberId];
  return rules.flatMap((rule) => {
    if (rule.input !== 'refund-after-redemption' || debt < (rule as RefundAfterRedemptionRule).minDebt || isOpen(state, rule.id)) return [];
    const { orderId, refundId, points } = clawback.data;
    const spent = state.totals.redeemed + state.totals.captured;
    return [
      flagged(
        clawback.memberId,
        input,
        rule,
        { input: 'refund-after-redemption', orderId, refundId, clawedBack: points, debt, spent, eventId: input.eventId },
        newFlagId,
      ),
    ];
  });
};

/**
 * The flags an earn input raises, to append with what it decided (`events`): velocity rules on
 * purchases, check-ins and referrals, the refund-after-redemption rule on refunds. A rule whose
 * flag the member has open already raises none. `states` holds the members before the input; only
 * an input that appends counts (a refused one is neither counted nor judged). `newFlagId` mints ids.
 */
export const decideAbuseFlags = (
  input: InputEvent,
  events: readonly NewLedgerEvent[],
  states: Readonly<Record<string, MemberState>>,
  rules: readonly AbuseRule[],
  newFlagId: () => string,
): readonly NewLedgerEvent[] => {
  if (rules.length === 0) return NONE;
  return input.type === 'purchase.refunded' ? refundFlags(input, events, states, rules, newFlagId) : velocityFlags(input, states, rules, newFlagId);
};
