import { balanceOf } from '@tally/member-ledger';
import { MEMBER, contextFor, fold, purchase, purchaseRule, refund, run } from '../testing/earn.fixtures';
import { decideReleases } from './release.decider';

// purchases pending for 14 days: 2026-11-23T10:15+08:00 -> available at 2026-12-07T02:15:00.000Z
const AVAILABLE_AT = '2026-12-07T02:15:00.000Z';
const pendingCtx = () => contextFor(purchaseRule({ pendingDays: 14 }));

describe('decideReleases', () => {
  it('releases nothing before the pending period is over', () => {
    const { members } = run([purchase()], pendingCtx());
    expect(decideReleases(members[MEMBER], '2026-12-07T02:14:59.999Z')).toEqual([]);
  });

  it('releases a pending lot when it is due, dated when it became available', () => {
    // given a pending purchase
    const { members } = run([purchase()], pendingCtx());
    // when the clock runs a day late
    const events = decideReleases(members[MEMBER], '2026-12-08T00:00:00Z');
    // then
    expect(events).toEqual([{ type: 'points.released', memberId: MEMBER, occurredAt: AVAILABLE_AT, data: { lotId: 'lot-1', points: 129 } }]);
    expect(balanceOf(fold(members[MEMBER], events))).toMatchObject({ available: 129, pending: 0 });
  });

  it('releases what is left of a lot after a clawback', () => {
    const { members } = run([purchase(), refund()], pendingCtx());
    expect(decideReleases(members[MEMBER], AVAILABLE_AT)).toMatchObject([{ data: { lotId: 'lot-1', points: 100 } }]);
  });

  it('releases due lots in the order they became due, and never the same lot twice', () => {
    const { members } = run(
      [
        purchase({ orderId: 'o-2', occurredAt: '2026-11-24T10:00:00+08:00' }),
        purchase({ orderId: 'o-1', amountMinor: 500, occurredAt: '2026-11-20T10:00:00+08:00' }),
      ],
      pendingCtx(),
    );
    const events = decideReleases(members[MEMBER], '2026-12-31T00:00:00Z');
    expect(events.map((e) => e.occurredAt)).toEqual(['2026-12-04T02:00:00.000Z', '2026-12-08T02:00:00.000Z']);
    expect(decideReleases(fold(members[MEMBER], events), '2026-12-31T00:00:00Z')).toEqual([]);
  });

  it('leaves lots that were never pending alone', () => {
    const { members } = run([purchase()], contextFor());
    expect(decideReleases(members[MEMBER], '2030-01-01T00:00:00Z')).toEqual([]);
  });
});
