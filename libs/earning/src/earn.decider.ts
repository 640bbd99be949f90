import { InputEvent } from '@tally/contracts';
import { MemberState, initialMemberState } from '@tally/member-ledger';
import { decideActivity } from './activity/activity.decider';
import { decideCheckIn } from './check-in/check-in.decider';
import { EarnContext, EarnDecision } from './earn.decision';
import { decidePurchase } from './purchase/purchase.decider';
import { decideReferral } from './referral/referral.decider';
import { decideRefund } from './refund/refund.decider';

/**
 * Decides what an earn input appends. `members` holds the state of every member the input touches
 * (`membersOf(input)`); a member not in it has no history yet.
 */
export const decideEarn = (input: InputEvent, members: Record<string, MemberState>, ctx: EarnContext): EarnDecision => {
  const member = (memberId: string): MemberState => members[memberId] ?? initialMemberState(memberId);
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
