import fc from 'fast-check';
import { Oracle } from './oracle';
import { Step } from './workload';

const DAY = 86_400_000;
const T0 = Date.parse('2023-01-01T04:00:00Z');
const at = (days: number) => new Date(T0 + days * DAY).toISOString();
let n = 0;
const input = (body: Record<string, unknown>): Extract<Step, { kind: 'kafka' }> => ({
  kind: 'kafka',
  topic: 't',
  key: 'k',
  body: { eventId: `e${n++}`, ...body },
});
const purchase = (memberId: string, amountMinor: number, days: number, orderId = `o${n}`) =>
  input({ type: 'purchase.completed', memberId, orderId, amountMinor, currency: 'CNY', occurredAt: at(days) });
const refund = (memberId: string, orderId: string, amountMinor: number, days: number) =>
  input({ type: 'purchase.refunded', memberId, orderId, refundId: `r${n}`, amountMinor, currency: 'CNY', occurredAt: at(days) });
const checkIn = (memberId: string, occurredAt: string) => input({ type: 'member.checked-in', memberId, occurredAt });

describe('the soak oracle (its own model of the default program)', () => {
  it('expires what is left of each lot 365 days after it was earned, soonest-expiring spent first', () => {
    const oracle = new Oracle();
    oracle.kafka(purchase('m', 10_000, 0)); // 100 points, expires day 365
    oracle.kafka(purchase('m', 5_000, 10)); // 50 points, expires day 375
    oracle.clock(at(1));
    oracle.redeemed('rd', 'm', 30); // from the first lot
    oracle.clock(at(366));
    expect(oracle.expected('m')).toMatchObject({ available: 50, expired: 70, held: 0, lifetimeRedeemed: 30 });
    expect([...oracle.lots('m')]).toEqual([[T0 + 375 * DAY, 50]]);
    // A reversal puts the points back into their lot, already due: the next sweep expires them.
    oracle.reversed('rd');
    expect(oracle.expected('m')).toMatchObject({ available: 80 });
    oracle.clock(at(367));
    expect(oracle.expected('m')).toMatchObject({ available: 50, expired: 100, lifetimeRedeemed: 0 });
  });

  it('leaves held points alone at expiry and expires them once released', () => {
    const oracle = new Oracle();
    oracle.kafka(purchase('m', 10_000, 0));
    oracle.clock(at(1));
    oracle.held('h', 'm', 40, false);
    oracle.clock(at(400));
    expect(oracle.expected('m')).toMatchObject({ available: 0, held: 40, expired: 60 });
    oracle.resolved('h', 15);
    oracle.clock(at(401));
    expect(oracle.expected('m')).toMatchObject({ available: 0, held: 0, expired: 85, lifetimeRedeemed: 15 });
  });

  it('pays a streak bonus on the 7th consecutive Shanghai day, and a day twice only once', () => {
    const oracle = new Oracle();
    for (let d = 1; d <= 7; d++) oracle.kafka(checkIn('m', `2023-03-0${d}T23:59:00+08:00`));
    oracle.kafka(checkIn('m', '2023-03-07T00:00:01+08:00'));
    expect(oracle.expected('m').available).toBe(7 * 10 + 50);
  });

  it('claws back pro rata, a refund before its purchase once the purchase arrives', () => {
    const oracle = new Oracle();
    const early = refund('m', 'o-1', 3_333, 1);
    oracle.kafka(early);
    oracle.kafka(purchase('m', 10_000, 0, 'o-1'));
    expect(oracle.inputs.get(String(early.body.eventId))).toEqual(['points.clawed-back/m/33']);
    expect(oracle.expected('m')).toMatchObject({ available: 67, lifetimeEarned: 100 });
  });

  it('moves tiers at the evaluations: up at once, down only a year after the upgrade, never below a floor', () => {
    const oracle = new Oracle();
    oracle.kafka(purchase('m', 120_000, 0)); // 1,200 points
    oracle.kafka(purchase('f', 120_000, 0));
    oracle.clock(at(1));
    expect(oracle.expected('m').tier).toBe('silver');
    // Silver earns 1.25 points per CNY.
    oracle.kafka(purchase('m', 10_000, 2));
    expect(oracle.expected('m').lifetimeEarned).toBe(1_325);
    oracle.floor('f', 'silver');
    // The points left the window, but the upgrade protects the tier for 365 days.
    oracle.clock(at(365));
    expect(oracle.expected('m').tier).toBe('silver');
    oracle.clock(at(367));
    expect(oracle.expected('m').tier).toBe('member');
    expect(oracle.expected('f').tier).toBe('silver');
    expect(oracle.clocks.map((c) => [c.upgraded, c.downgraded])).toEqual([
      [2, 0],
      [0, 0],
      [0, 1],
    ]);
  });

  it('a floor above the tier raises it and keeps it; evaluations then count from there', () => {
    const oracle = new Oracle();
    oracle.kafka(purchase('m', 10_000, 0));
    oracle.clock(at(1));
    oracle.floor('m', 'gold');
    oracle.clock(at(800));
    expect(oracle.expected('m').tier).toBe('gold');
    oracle.floor('m', 'member');
    oracle.clock(at(801));
    // Raised by ops at the real clock: protected past any simulated instant.
    expect(oracle.expected('m').tier).toBe('gold');
  });

  it('conserves points whatever the order of earns, spends, holds and sweeps (invariant 4)', () => {
    type Op =
      | { op: 'earn'; amount: number; day: number }
      | { op: 'redeem'; points: number }
      | { op: 'hold'; points: number; capture: number }
      | { op: 'clock'; days: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ op: fc.constant('earn' as const), amount: fc.integer({ min: 100, max: 50_000 }), day: fc.integer({ min: 0, max: 30 }) }),
      fc.record({ op: fc.constant('redeem' as const), points: fc.integer({ min: 1, max: 200 }) }),
      fc.record({ op: fc.constant('hold' as const), points: fc.integer({ min: 1, max: 200 }), capture: fc.integer({ min: 0, max: 200 }) }),
      fc.record({ op: fc.constant('clock' as const), days: fc.integer({ min: 1, max: 200 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const oracle = new Oracle();
        let today = 0;
        let k = 0;
        for (const o of ops) {
          const available = oracle.expected('m').available;
          if (o.op === 'earn') oracle.kafka(purchase('m', o.amount, today + o.day));
          else if (o.op === 'redeem' && o.points <= available) oracle.redeemed(`rd${k++}`, 'm', o.points);
          else if (o.op === 'hold' && o.points <= available) {
            const id = `h${k++}`;
            oracle.held(id, 'm', o.points, false);
            oracle.resolved(id, Math.min(o.capture, o.points));
          } else if (o.op === 'clock') oracle.clock(at((today += o.days)));
          const e = oracle.expected('m');
          const lots = [...oracle.lots('m').values()].reduce((a, b) => a + b, 0);
          expect(e.available + e.held + e.expired).toBe(oracle.conserved('m'));
          expect(lots).toBe(e.available + e.held);
          expect(e.available).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 200 },
    );
  });
});
