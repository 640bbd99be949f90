import { MemberActivity, MemberCheckedIn, ReferralCompleted } from '../inputs/member.messages';
import { PurchaseCompleted, PurchaseRefunded } from '../inputs/purchase.messages';
import { LedgerEventMessage } from '../ledger/ledger-event-message';
import { DeadLetter } from '../outbound/dead-letter';
import { Notification } from '../outbound/notifications';
import { defineTopic } from './topic';

export const Topics = {
  purchases: defineTopic<PurchaseCompleted | PurchaseRefunded>('loyalty.purchases.v1'),
  checkIns: defineTopic<MemberCheckedIn>('loyalty.check-ins.v1'),
  referrals: defineTopic<ReferralCompleted>('loyalty.referrals.v1'),
  memberEvents: defineTopic<MemberActivity>('loyalty.member-events.v1'),
  ledger: defineTopic<LedgerEventMessage>('loyalty.ledger.v1'),
  notifications: defineTopic<Notification>('loyalty.notifications.v1'),
  deadLetters: defineTopic<DeadLetter>('loyalty.dlq.v1'),
} as const;

export const INPUT_TOPICS = [Topics.purchases, Topics.checkIns, Topics.referrals, Topics.memberEvents] as const;
export const ALL_TOPICS = Object.values(Topics);
