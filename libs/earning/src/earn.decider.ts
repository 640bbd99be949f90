import { InputEvent } from '@tally/contracts';
import { MemberState } from '@tally/member-ledger';
import { earliestOccurredMs } from '@tally/program';
import { decideAbuseFlags } from './abuse/abuse.decider';
import { holdFlaggedEarnings } from './abuse/hold-earnings';
import { decideActivity } from './activity/activity.decider';
import { decideCheckIn } from './check-in/check-in.decider';
import { EarnContext, EarnDecision, flaggedEarning, reject } from './earn.decision';
import { decidePurchase } from './purchase/purchase.decider';
import { decideReferral } from './referral/referral.decider';
import { decideRefund } from './refund/refund.decider';

/** The member an input's refusal is recorded against: the one it is keyed by. */
const keyMemberOf = (input: InputEvent): string => (input.type === 'referral.completed' ? input.referrerId : input.memberId);

/**
 * Decides what an earn input appends. `members` holds the state of every member the input touches
 * (`membersOf(input)`), initial for a member with no history yet. An input that occurred before the
 * program accepts any is refused whatever its type.
 */
export const decideEarn = (input: InputEvent, members: Readonly<Record<string, MemberState>>, ctx: EarnContext): EarnDecision => {
  const decision = decideRules(input, members, ctx);
  if (decision.kind !== 'append') return decision;
  // What the abuse rules flag is appended with the input's events; with no rules (the default) none are raised.
  const flags = decideAbuseFlags(input, decision.events, members, ctx.program.abuse.rules, ctx.newLotId);
  // An open hold-earnings flag holds earnings whatever the rules are now: the flag recorded its action.
  const events = holdFlaggedEarnings(decision.events, members, flags);
  if (flags.length > 0) return flaggedEarning(events, flags);
  return events === decision.events ? decision : { ...decision, events };
};

const decideRules = (input: InputEvent, members: Readonly<Record<string, MemberState>>, ctx: EarnContext): EarnDecision => {
  if (Date.parse(input.occurredAt) < earliestOccurredMs(ctx.program)) {
    const earliest = ctx.program.earliestOccurredAt ?? ctx.program.startsAt;
    return reject(keyMemberOf(input), 'OCCURRED_BEFORE_PROGRAM', `occurredAt ${input.occurredAt} is before ${earliest}, the earliest the program accepts`);
  }
  const member = (memberId: string): MemberState => members[memberId];
  switch (input.type) {
    case 'purchase.completed':
      return decidePurchase(input, member(input.memberId), ctx);
    case 'purchase.refunded':
      return decideRefund(input, member(input.memberId), ctx);
    case 'member.checked-in':
      return decideCheckIn(input, member(input.memberId), ctx);
    case 'referral.completed':
      return decideReferral(input, member(input.referrerId), member(input.refereeId), ctx);
    case 'member.activity':
      return decideActivity(input, member(input.memberId), ctx);
    default: {
      const unhandled: never = input;
      throw new Error(`unhandled earn input ${(unhandled as InputEvent).type}`);
    }
  }
};
