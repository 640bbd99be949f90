import { randomUUID } from 'node:crypto';
import { NewLedgerEvent } from '@tally/contracts';
import { LedgerCommand } from '../append/ledger-command';

/** When every lot `earnedEvent` opens expires. */
export const EARNED_EXPIRES_AT = '2027-11-23T10:00:00.000Z';

/** A purchase's earning as a decider emits it: `points` in a lot of its own, expiring a year on, for an order of its own. */
export const earnedEvent = (memberId: string, points: number, occurredAt = '2026-11-23T10:00:00Z'): NewLedgerEvent => {
  const lotId = randomUUID();
  return {
    type: 'points.earned',
    memberId,
    occurredAt,
    data: {
      points,
      lotId,
      expiresAt: EARNED_EXPIRES_AT,
      reason: 'purchase',
      orderId: `o-${lotId}`,
      orderAmountMinor: points * 100,
      tier: 'member',
      multiplier: 1,
      ruleIds: [],
    },
  };
};

/** A command that earns `points` for one member under `causationId`, and answers that id. */
export const earnCommand = (scope: string, memberId: string, causationId: string, points = 10): LedgerCommand<string> => ({
  scope,
  causationId,
  memberIds: [memberId],
  decide: () => ({ kind: 'append', events: [earnedEvent(memberId, points)], result: causationId }),
});
