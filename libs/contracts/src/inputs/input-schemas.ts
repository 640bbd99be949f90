import { MemberActivity, MemberCheckedIn, ReferralCompleted } from './member.messages';
import { PurchaseCompleted, PurchaseRefunded } from './purchase.messages';
import { Topics } from '../topics/topics';

type InputClass = new () => object;

/** Which `type`s each input topic carries, and the class that validates each. */
export const INPUT_SCHEMAS: Readonly<Record<string, Readonly<Record<string, InputClass>>>> = {
  [Topics.purchases.name]: { 'purchase.completed': PurchaseCompleted, 'purchase.refunded': PurchaseRefunded },
  [Topics.checkIns.name]: { 'member.checked-in': MemberCheckedIn },
  [Topics.referrals.name]: { 'referral.completed': ReferralCompleted },
  [Topics.memberEvents.name]: { 'member.activity': MemberActivity },
};
