import { randomUUID } from 'node:crypto';
import { NewLedgerEvent } from '@tally/contracts';

/** A purchase's earning at sh-07, now, in a lot of its own that expires in a year. */
export const earnedNow = (memberId: string, points: number): NewLedgerEvent => ({
  type: 'points.earned',
  memberId,
  occurredAt: new Date().toISOString(),
  data: {
    points,
    lotId: randomUUID(),
    expiresAt: new Date(Date.now() + 365 * 86_400_000).toISOString(),
    reason: 'purchase',
    storeId: 'sh-07',
    tier: 'member',
    multiplier: 1,
    ruleIds: [],
  },
});
