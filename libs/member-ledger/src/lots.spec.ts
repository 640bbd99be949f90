import fc from 'fast-check';
import { Lot } from './member-state';
import { Lots, lotsInSpendingOrder, spendableOf, takeFromLots } from './lots';

const lotArb = fc
  .record({
    lotId: fc.uuid(),
    points: fc.integer({ min: 1, max: 1000 }),
    remaining: fc.integer({ min: 0, max: 1000 }),
    held: fc.integer({ min: 0, max: 1000 }),
    expiresAt: fc.integer({ min: 0, max: 1000 }).map((d) => new Date(Date.UTC(2027, 0, 1) + d * 86_400_000).toISOString()),
    pending: fc.boolean(),
    order: fc.integer({ min: 1, max: 10_000 }),
  })
  .map((lot): Lot => ({ ...lot, held: Math.min(lot.held, lot.remaining) }));

const lotsArb = fc.uniqueArray(lotArb, { selector: (l) => l.lotId, maxLength: 12 }).map((lots): Lots => new Map(lots.map((l) => [l.lotId, l])));

describe('spending from lots', () => {
  it('takes exactly what is asked when it is spendable, and reports the rest as shortfall', () => {
    fc.assert(
      fc.property(lotsArb, fc.integer({ min: 1, max: 20_000 }), (lots, points) => {
        const spendable = [...lots.values()].reduce((sum, lot) => sum + spendableOf(lot), 0);
        const { portions, shortfall } = takeFromLots(lots, points);
        const taken = portions.reduce((sum, p) => sum + p.points, 0);
        expect(taken).toBe(Math.min(points, spendable));
        expect(shortfall).toBe(points - taken);
      }),
    );
  });

  it('never takes from a pending lot, never more than a lot has free, and always soonest-expiring first', () => {
    fc.assert(
      fc.property(lotsArb, fc.integer({ min: 1, max: 20_000 }), (lots, points) => {
        const { portions } = takeFromLots(lots, points);
        const order = lotsInSpendingOrder(lots)
          .filter((lot) => spendableOf(lot) > 0)
          .map((lot) => lot.lotId);
        expect(portions.map((p) => p.lotId)).toEqual(order.slice(0, portions.length));
        for (const [i, portion] of portions.entries()) {
          const lot = lots.get(portion.lotId) as Lot;
          expect(lot.pending).toBe(false);
          expect(portion.points).toBeGreaterThan(0);
          // Every lot but the last one touched is emptied before the next is started.
          if (i < portions.length - 1) expect(portion.points).toBe(spendableOf(lot));
          else expect(portion.points).toBeLessThanOrEqual(spendableOf(lot));
        }
      }),
    );
  });
});
