import { LedgerEventMessage } from '@tally/contracts';
import { tierWork } from './tier-work';

const event = (type: string, memberId: string, version: number, data: Record<string, unknown> = {}) =>
  ({ type, memberId, version, occurredAt: '2026-11-23T10:00:00.000Z', data }) as unknown as LedgerEventMessage;

describe('what a batch of loyalty.ledger.v1 asks of the tier service', () => {
  it('triggers an upgrade check for events that move qualifying points, and nothing else', () => {
    const work = tierWork([
      event('points.earned', 'm-1', 1),
      event('points.redeemed', 'm-1', 2),
      event('points.clawed-back', 'm-2', 7),
      event('points.adjusted', 'm-3', 4),
      event('points.expired', 'm-4', 9),
    ]);
    expect(work.triggers).toEqual([
      { memberId: 'm-1', version: 1 },
      { memberId: 'm-2', version: 7 },
      { memberId: 'm-3', version: 4 },
    ]);
    expect(work.notices).toEqual([]);
  });

  it('announces each tier change, but not a floor that changed no tier', () => {
    const work = tierWork([
      event('tier.changed', 'm-1', 3, { from: 'member', to: 'silver', qualifyingPoints: 1000, reason: 'threshold-reached' }),
      event('tier.changed', 'm-2', 5, { from: 'gold', to: 'gold', qualifyingPoints: 0, reason: 'ops-floor-set', floor: 'silver' }),
    ]);
    expect(work.notices).toEqual([{ type: 'tier.changed', memberId: 'm-1', from: 'member', to: 'silver', effectiveAt: '2026-11-23T10:00:00.000Z' }]);
  });
});
