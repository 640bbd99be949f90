import { InputEvent, NewLedgerEvent } from '@tally/contracts';
import { MemberState, VelocityInput, countIn, periodOf } from '@tally/member-ledger';
import { AbuseRule } from '@tally/program';

/** The member whose pace an input adds to, and as what; undefined for inputs no rule watches (refunds, activities). */
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

const isOpen = (state: MemberState, ruleId: string): boolean => Object.values(state.flags ?? {}).some((flag) => flag.ruleId === ruleId);

/**
 * The flags an earning input raises, to append with its earning: each rule of its kind whose
 * window now holds more than `max` such inputs, unless the member already has that rule's flag
 * open. `state` is the member before the input; only an input that earned counts (a refused one
 * appends nothing, so it is neither counted nor judged). `newFlagId` mints ids.
 */
export const decideAbuseFlags = (
  input: InputEvent,
  states: Readonly<Record<string, MemberState>>,
  rules: readonly AbuseRule[],
  newFlagId: () => string,
): NewLedgerEvent[] => {
  if (rules.length === 0) return [];
  const watched = watchedOf(input);
  if (!watched) return [];
  const state = states[watched.memberId];
  const flags: NewLedgerEvent[] = [];
  for (const rule of rules) {
    if (rule.input !== watched.kind || isOpen(state, rule.id)) continue;
    const count = countIn(state.velocity, watched.kind, rule.window, input.occurredAt) + 1;
    if (count <= rule.max) continue;
    const evidence = { input: watched.kind, window: rule.window, period: periodOf(input.occurredAt, rule.window), count, max: rule.max, eventId: input.eventId };
    flags.push({ type: 'member.flagged', memberId: watched.memberId, occurredAt: input.occurredAt, data: { flagId: newFlagId(), ruleId: rule.id, action: rule.action, evidence } });
  }
  return flags;
};
