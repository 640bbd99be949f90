import { MAX_AMOUNT_MINOR, PurchaseCompleted } from '@tally/contracts';
import { initialMemberState } from '@tally/member-ledger';
import { Campaign, DEFAULT_PROGRAM, Program } from '@tally/program';
import fc from 'fast-check';
import { MEMBER, contextFor, given, purchase, tierChanged } from '../testing/earn.fixtures';
import { decidePurchase } from './purchase.decider';
import { exactPurchasePoints, purchasePoints } from './purchase.points';

const WINDOW = { start: '2026-11-01T00:00:00+08:00', end: '2026-12-01T00:00:00+08:00' };

/** Any multiplier a program file accepts: up to 100, in ten-thousandths. */
const multiplier = fc.integer({ min: 1, max: 1_000_000 }).map((scaled) => scaled / 10_000);

const campaign = fc.record({
  id: fc.constantFrom('c1', 'c2', 'c3'),
  multiplier,
  categories: fc.option(fc.constantFrom(['beverage'], ['food', 'beverage']), { nil: undefined }),
});

const program = fc
  .record({
    tierMultipliers: fc.array(multiplier, { minLength: 4, maxLength: 4 }),
    campaigns: fc.uniqueArray(campaign, { selector: (c) => c.id, maxLength: 3 }),
    combination: fc.constantFrom('best' as const, 'multiply' as const),
    maxPointsPerEvent: fc.integer({ min: 1, max: 20_000 }),
    dailyEarnCap: fc.option(fc.integer({ min: 1, max: 20_000 }), { nil: undefined }),
  })
  .map((p): Program => ({
    ...DEFAULT_PROGRAM,
    tiers: DEFAULT_PROGRAM.tiers.map((tier, i) => ({ ...tier, multiplier: p.tierMultipliers[i] })),
    campaigns: p.campaigns.map((c): Campaign => ({
      id: c.id,
      multiplier: c.multiplier,
      ...WINDOW,
      ...(c.categories ? { categories: [...c.categories] } : {}),
    })),
    purchase: { maxPointsPerEvent: p.maxPointsPerEvent, campaignCombination: p.combination, ...(p.dailyEarnCap ? { dailyEarnCap: p.dailyEarnCap } : {}) },
  }));

const line = fc.record({
  sku: fc.constant('sku-1'),
  category: fc.option(fc.constantFrom('beverage', 'food', 'other'), { nil: undefined }),
  quantity: fc.constant(1),
  amountMinor: fc.integer({ min: 0, max: 10_000_000 }),
});

const input = fc
  .record({
    amountMinor: fc.oneof(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: MAX_AMOUNT_MINOR })),
    lines: fc.option(fc.array(line, { maxLength: 5 }), { nil: undefined }),
    occurredAt: fc.constantFrom('2026-10-31T23:00:00+08:00', '2026-11-11T10:00:00+08:00'),
  })
  .map((p): PurchaseCompleted => purchase({ amountMinor: p.amountMinor, lines: p.lines, occurredAt: p.occurredAt }));

describe('purchase points (properties)', () => {
  it('are a whole number from 1 to the per-event cap, and within the daily cap, or the purchase is refused', () => {
    fc.assert(
      fc.property(program, input, fc.constantFrom('member', 'silver', 'gold', 'diamond'), fc.integer({ min: 0, max: 20_000 }), (p, order, tier, earlier) => {
        // given a member at some tier who may have earned points earlier the same day
        const state = given(MEMBER, tierChanged(MEMBER, tier), {
          type: 'points.earned',
          memberId: MEMBER,
          occurredAt: order.occurredAt,
          data: {
            points: earlier,
            lotId: 'lot-0',
            expiresAt: '2027-12-01T00:00:00Z',
            reason: 'check-in',
            tier,
            multiplier: 1,
            ruleIds: [],
            day: order.occurredAt.slice(0, 10),
          },
        });
        // when
        const decision = decidePurchase(order, state, contextFor(p));
        // then
        if (decision.kind !== 'append') {
          expect(['NO_POINTS', 'DAILY_CAP_REACHED']).toContain(decision.kind === 'reject' && decision.code);
          return;
        }
        const [event] = decision.events;
        if (event.type !== 'points.earned') throw new Error('expected points.earned');
        const { points } = event.data;
        expect(Number.isInteger(points)).toBe(true);
        expect(points).toBeGreaterThanOrEqual(1);
        expect(points).toBeLessThanOrEqual(p.purchase.maxPointsPerEvent);
        if (p.purchase.dailyEarnCap !== undefined) expect(points).toBeLessThanOrEqual(Math.max(0, p.purchase.dailyEarnCap - earlier));
      }),
      { numRuns: 500 },
    );
  });

  it('are exactly floor(base * tier * campaign) for one campaign over the whole order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000_000 }), multiplier, multiplier, (amountMinor, tierMultiplier, campaignMultiplier) => {
        const p: Program = {
          ...DEFAULT_PROGRAM,
          tiers: [{ name: 'member', threshold: 0, multiplier: tierMultiplier }],
          campaigns: [{ id: 'c1', ...WINDOW, multiplier: campaignMultiplier }],
          purchase: { ...DEFAULT_PROGRAM.purchase, maxPointsPerEvent: Number.MAX_SAFE_INTEGER },
        };
        const decision = decidePurchase(purchase({ amountMinor, occurredAt: '2026-11-11T10:00:00+08:00' }), initialMemberState(MEMBER), contextFor(p));
        // exact: base times the two multipliers in ten-thousandths
        const exact =
          (BigInt(Math.floor(amountMinor / 100)) * BigInt(Math.round(tierMultiplier * 1e4)) * BigInt(Math.round(campaignMultiplier * 1e4))) / 100_000_000n;
        const points = decision.kind === 'append' && decision.events[0].type === 'points.earned' ? decision.events[0].data.points : 0;
        expect(points).toBe(Number(exact));
      }),
      { numRuns: 500 },
    );
  });
});

describe('purchase points without BigInt (no campaign running)', () => {
  const rate = fc.record({ points: fc.integer({ min: 1, max: 1_000 }), perMinorUnits: fc.integer({ min: 1, max: 100_000 }) });
  const amount = fc.oneof(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: MAX_AMOUNT_MINOR }), fc.maxSafeInteger());

  it('are exactly what the BigInt arithmetic gives, multiplier included, for any amount, rate and tier', () => {
    const noCampaigns = { ...DEFAULT_PROGRAM, campaigns: [] };
    fc.assert(
      fc.property(amount, rate, multiplier, fc.option(fc.array(line, { maxLength: 3 }), { nil: undefined }), (amountMinor, r, tier, lines) => {
        const order = purchase({ amountMinor, lines });
        expect(purchasePoints(noCampaigns, order, r, tier)).toEqual(exactPurchasePoints(noCampaigns, order, r, tier));
      }),
      { numRuns: 20_000 },
    );
  });
});
