import { MemberActivity, MemberCheckedIn, ReferralCompleted } from './member.messages';
import { PurchaseCompleted, PurchaseRefunded } from './purchase.messages';

export type InputEvent = PurchaseCompleted | PurchaseRefunded | MemberCheckedIn | ReferralCompleted | MemberActivity;
export type InputEventType = InputEvent['type'];

/** The members an input event touches; the first is the Kafka key's member. */
export const membersOf = (event: InputEvent): string[] => {
  switch (event.type) {
    case 'referral.completed':
      return event.referrerId === event.refereeId ? [event.referrerId] : [event.referrerId, event.refereeId];
    case 'purchase.completed':
    case 'purchase.refunded':
    case 'member.checked-in':
    case 'member.activity':
      return [event.memberId];
    default: {
      const unhandled: never = event;
      throw new Error(`unhandled input ${(unhandled as InputEvent).type}`);
    }
  }
};
