import { LedgerEventMessage } from '@tally/contracts';
import fc from 'fast-check';
import { context, deliveries, log } from '../testing/ledger-log.arbitrary';
import { AnalyticsDeltas, AnalyticsMember, foldAnalytics } from './analytics.fold';

/**
 * The tables as the writer keeps them, in memory: members' rows replaced, every other row added
 * to by its delta, keyed as the writer's upserts are.
 */
class Tables {
  readonly members = new Map<string, AnalyticsMember>();
  readonly sums = new Map<string, number>();
  applied = 0;
  position = 0;

  private add(table: string, key: string, values: Record<string, number>) {
    for (const [column, value] of Object.entries(values)) {
      const id = `${table}|${key}|${column}`;
      this.sums.set(id, (this.sums.get(id) ?? 0) + value);
    }
  }

  apply(deltas: AnalyticsDeltas) {
    for (const member of deltas.members.values()) this.members.set(member.memberId, { ...member });
    for (const d of deltas.daily.values()) {
      const { day, storeId, channel, reason, ...metrics } = d;
      this.add('daily', `${day}|${storeId}|${channel}|${reason}`, metrics);
    }
    for (const [day, n] of deltas.activeDays) this.add('active', day, { members: n });
    for (const [day, n] of deltas.lastActive) this.add('lastActive', day, { members: n });
    for (const [tier, n] of deltas.tiers) this.add('tiers', tier, { members: n });
    for (const m of deltas.tierMoves.values()) this.add('moves', `${m.day}|${m.from}|${m.to}`, { moves: m.moves });
    for (const r of deltas.rewards.values()) this.add('rewards', `${r.day}|${r.storeId}|${r.rewardId}`, { redemptions: r.redemptions, points: r.points });
    for (const b of deltas.boards.values()) this.add('boards', `${b.period}|${b.key}|${b.storeId}|${b.memberId}`, { points: b.points });
    this.add('totals', '', deltas.totals);
    this.applied += deltas.applied;
    this.position = Math.max(this.position, deltas.maxPosition);
  }

  /** Folds a batch as the writer does: with the members' rows as stored before it. */
  fold(batch: LedgerEventMessage[]) {
    const known = new Map(
      [...new Set(batch.map((e) => e.memberId))].flatMap((id) => (this.members.has(id) ? [[id, this.members.get(id) as AnalyticsMember]] : [])),
    );
    this.apply(foldAnalytics(batch, known, context));
    return this;
  }

  snapshot() {
    return { members: Object.fromEntries(this.members), sums: Object.fromEntries([...this.sums].sort()), applied: this.applied, position: this.position };
  }
}

describe('foldAnalytics (properties)', () => {
  it('folds a log in any batches, with redeliveries, into the same aggregates as one event at a time', () => {
    fc.assert(
      fc.property(
        log.chain((events) => deliveries(events).map((batches) => ({ events, batches }))),
        ({ events, batches }) => {
          const oneByOne = new Tables();
          for (const event of events) oneByOne.fold([event]);
          const batched = new Tables();
          for (const batch of batches) batched.fold(batch);
          expect(batched.snapshot()).toEqual(oneByOne.snapshot());
          expect(batched.applied).toBe(events.length);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
