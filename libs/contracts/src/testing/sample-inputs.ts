import { Topics } from '../topics/topics';

/** One valid input of each type, as a producer would send it (the contract's own examples). */
export const SAMPLE_INPUTS = {
  purchase: {
    eventId: 'pos-7-000123',
    type: 'purchase.completed',
    occurredAt: '2026-11-23T10:15:00+08:00',
    memberId: 'm-1001',
    storeId: 'sh-07',
    channel: 'store',
    orderId: 'o-555',
    amountMinor: 12990,
    currency: 'CNY',
    lines: [{ sku: 'tea-01', category: 'beverage', quantity: 2, amountMinor: 3000 }],
  },
  refund: {
    eventId: 'pos-7-000124',
    type: 'purchase.refunded',
    occurredAt: '2026-11-24T09:00:00+08:00',
    memberId: 'm-1001',
    storeId: 'sh-07',
    orderId: 'o-555',
    refundId: 'r-1',
    amountMinor: 3000,
    currency: 'CNY',
  },
  checkIn: { eventId: 'app-ci-99', type: 'member.checked-in', occurredAt: '2026-11-23T08:01:00+08:00', memberId: 'm-1001', storeId: 'sh-07' },
  referral: { eventId: 'ref-42', type: 'referral.completed', occurredAt: '2026-11-23T12:00:00Z', referrerId: 'm-1001', refereeId: 'm-2002' },
  activity: { eventId: 'app-77', type: 'member.activity', activity: 'review', occurredAt: '2026-11-23T12:30:00+08:00', memberId: 'm-1001' },
} as const satisfies Record<string, Record<string, unknown>>;

/** Each sample with the topic it is published on. */
export const SAMPLE_MESSAGES: readonly { topic: string; message: Record<string, unknown> }[] = [
  { topic: Topics.purchases.name, message: SAMPLE_INPUTS.purchase },
  { topic: Topics.purchases.name, message: SAMPLE_INPUTS.refund },
  { topic: Topics.checkIns.name, message: SAMPLE_INPUTS.checkIn },
  { topic: Topics.referrals.name, message: SAMPLE_INPUTS.referral },
  { topic: Topics.memberEvents.name, message: SAMPLE_INPUTS.activity },
];
