import { balanceOf, initialMemberState } from '@tally/member-ledger';
import { Campaign, DEFAULT_PROGRAM } from '@tally/program';
import { MEMBER, contextFor, eventsOf, given, programWith, purchase, purchaseRule, refusedAs, run, tierChanged } from '../testing/earn.fixtures';
import { decidePurchase } from './purchase.decider';

const double11: Campaign = { id: 'double-11', start: '2026-11-11T00:00:00+08:00', end: '2026-11-12T00:00:00+08:00', multiplier: 2 };
const ON_DOUBLE_11 = '2026-11-11T10:00:00+08:00';
const withCampaigns = (...campaigns: Campaign[]) => programWith({ campaigns });
const earnedData = (decision: ReturnType<typeof decidePurchase>) => {
  const [event] = eventsOf(decision);
  if (event.type !== 'points.earned') throw new Error(`expected points.earned, got ${event.type}`);
  return event.data;
};

describe('decidePurchase', () => {
  describe('base points', () => {
    it('earns one point per 100 fen, rounded down, in a new lot that expires 365 days later', () => {
      // given a new member
      const state = initialMemberState(MEMBER);
      // when they buy for 129.90 CNY
      const decision = decidePurchase(purchase(), state, contextFor());
      // then
      expect(decision).toEqual({
        kind: 'append',
        result: { outcome: 'earned' },
        events: [
          {
            type: 'points.earned',
            memberId: MEMBER,
            occurredAt: '2026-11-23T10:15:00+08:00',
            data: {
              points: 129,
              lotId: 'lot-1',
              expiresAt: '2027-11-23T02:15:00.000Z',
              reason: 'purchase',
              storeId: 'sh-07',
              orderId: 'o-555',
              orderAmountMinor: 12_990,
              tier: 'member',
              multiplier: 1,
              ruleIds: ['purchase.base', 'tier.member'],
              day: '2026-11-23',
            },
          },
        ],
      });
    });

    it('makes the points available at once and remembers the order', () => {
      const { members } = run([purchase()], contextFor());
      expect(balanceOf(members[MEMBER])).toMatchObject({ available: 129, pending: 0, lifetimeEarned: 129 });
      expect(members[MEMBER].orders.get('o-555')).toEqual({ points: 129, amountMinor: 12_990, clawedBack: 0, refundedMinor: 0, refundIds: [] });
    });

    it('leaves the store out of an online order', () => {
      const data = earnedData(decidePurchase(purchase({ storeId: undefined, channel: 'online' }), initialMemberState(MEMBER), contextFor()));
      expect(data).not.toHaveProperty('storeId');
    });

    it('uses the rate the program gives another currency', () => {
      // given a program that accepts USD at 7 points per dollar
      const program = programWith({ currencies: { ...DEFAULT_PROGRAM.currencies, USD: { points: 7, perMinorUnits: 100 } } });
      // when a member buys for 10.99 USD
      const data = earnedData(decidePurchase(purchase({ amountMinor: 1_099, currency: 'USD' }), initialMemberState(MEMBER), contextFor(program)));
      // then floor(1099 * 7 / 100) = 76
      expect(data.points).toBe(76);
    });

    it('dates a late purchase by occurredAt: its business day and expiry count from then', () => {
      const data = earnedData(decidePurchase(purchase({ occurredAt: '2026-10-01T23:30:00Z' }), initialMemberState(MEMBER), contextFor()));
      expect(data).toMatchObject({ day: '2026-10-02', expiresAt: '2027-10-01T23:30:00.000Z' });
    });
  });

  describe('tier multipliers', () => {
    it.each([
      ['member', 129, 1],
      ['silver', 161, 1.25],
      ['gold', 193, 1.5],
      ['diamond', 258, 2],
    ])('a %s earns %d points for 129.90 CNY', (tier, points, multiplier) => {
      // given a member at that tier
      const state = given(MEMBER, tierChanged(MEMBER, tier));
      // when
      const data = earnedData(decidePurchase(purchase(), state, contextFor()));
      // then
      expect(data).toMatchObject({ points, tier, multiplier, ruleIds: ['purchase.base', `tier.${tier}`] });
    });

    it('computes exactly where floating point would lose a point', () => {
      // 100 * 1.15 is 114.99999999999999 in floating point
      const program = programWith({ tiers: [{ name: 'member', threshold: 0, multiplier: 1.15 }] });
      expect(earnedData(decidePurchase(purchase({ amountMinor: 10_000 }), initialMemberState(MEMBER), contextFor(program))).points).toBe(115);
    });

    it("falls back to the lowest tier's multiplier for a tier the program does not define", () => {
      const state = given(MEMBER, tierChanged(MEMBER, 'platinum'));
      expect(earnedData(decidePurchase(purchase(), state, contextFor()))).toMatchObject({ points: 129, tier: 'platinum', multiplier: 1 });
    });
  });

  describe('campaigns', () => {
    it('multiply the points of purchases in their window, on top of the tier', () => {
      const state = given(MEMBER, tierChanged(MEMBER, 'gold'));
      const data = earnedData(decidePurchase(purchase({ occurredAt: ON_DOUBLE_11 }), state, contextFor(withCampaigns(double11))));
      // floor(129 * 1.5 * 2)
      expect(data).toMatchObject({ points: 387, multiplier: 3, ruleIds: ['purchase.base', 'tier.gold', 'campaign.double-11'] });
    });

    it.each([
      ['at its start', '2026-11-11T00:00:00+08:00', 258],
      ['just before its end', '2026-11-11T23:59:59.999+08:00', 258],
      ['at its end', '2026-11-12T00:00:00+08:00', 129],
      ['before it', '2026-11-10T23:59:59+08:00', 129],
    ])('apply on [start, end): %s', (_when, occurredAt, points) => {
      const data = earnedData(decidePurchase(purchase({ occurredAt }), initialMemberState(MEMBER), contextFor(withCampaigns(double11))));
      expect(data.points).toBe(points);
    });

    it('with stores apply only to purchases in those stores', () => {
      const program = withCampaigns({ ...double11, storeIds: ['sh-01'] });
      const ctx = contextFor(program);
      const state = initialMemberState(MEMBER);
      expect(earnedData(decidePurchase(purchase({ occurredAt: ON_DOUBLE_11, storeId: 'sh-01' }), state, ctx)).points).toBe(258);
      expect(earnedData(decidePurchase(purchase({ occurredAt: ON_DOUBLE_11, storeId: 'sh-07' }), state, ctx)).points).toBe(129);
      expect(earnedData(decidePurchase(purchase({ occurredAt: ON_DOUBLE_11, storeId: undefined, channel: 'online' }), state, ctx)).points).toBe(129);
    });

    it('with categories raise only the matching lines, sharing the base points by amount', () => {
      // given a double-points campaign on beverages
      const program = withCampaigns({ ...double11, categories: ['beverage'] });
      const lines = [
        { sku: 'tea-01', category: 'beverage', quantity: 2, amountMinor: 3_000 },
        { sku: 'cake-01', category: 'food', quantity: 1, amountMinor: 9_990 },
      ];
      // when an order of 129.90 has 30.00 of beverages
      const data = earnedData(decidePurchase(purchase({ occurredAt: ON_DOUBLE_11, lines }), initialMemberState(MEMBER), contextFor(program)));
      // then floor(129 * (3000 * 2 + 9990 * 1) / 12990) = floor(158.79)
      expect(data).toMatchObject({ points: 158, multiplier: 1.2309, ruleIds: ['purchase.base', 'tier.member', 'campaign.double-11'] });
    });

    it('with categories do not apply to an order without lines, nor to the amount the lines leave out', () => {
      const program = withCampaigns({ ...double11, categories: ['beverage'] });
      const ctx = contextFor(program);
      const state = initialMemberState(MEMBER);
      const noLines = earnedData(decidePurchase(purchase({ occurredAt: ON_DOUBLE_11 }), state, ctx));
      expect(noLines).toMatchObject({ points: 129, ruleIds: ['purchase.base', 'tier.member'] });
      // 30.00 itemised as beverage, the other 99.90 not itemised at all
      const lines = [{ sku: 'tea-01', category: 'beverage', quantity: 2, amountMinor: 3_000 }];
      expect(earnedData(decidePurchase(purchase({ occurredAt: ON_DOUBLE_11, lines }), state, ctx)).points).toBe(158);
    });

    it('with categories share an order-level discount pro rata over the lines', () => {
      // lines worth 200.00 sold for 129.90: half the value is beverage, so half the base points get x2
      const program = withCampaigns({ ...double11, categories: ['beverage'] });
      const lines = [
        { sku: 'tea-01', category: 'beverage', quantity: 1, amountMinor: 10_000 },
        { sku: 'cake-01', category: 'food', quantity: 1, amountMinor: 10_000 },
      ];
      const data = earnedData(decidePurchase(purchase({ occurredAt: ON_DOUBLE_11, lines }), initialMemberState(MEMBER), contextFor(program)));
      expect(data).toMatchObject({ points: 193, multiplier: 1.5 });
    });

    it('do not name a campaign that raised nothing', () => {
      const program = withCampaigns({ ...double11, categories: ['beverage'] });
      const lines = [{ sku: 'cake-01', category: 'food', quantity: 1, amountMinor: 12_990 }];
      const data = earnedData(decidePurchase(purchase({ occurredAt: ON_DOUBLE_11, lines }), initialMemberState(MEMBER), contextFor(program)));
      expect(data.ruleIds).toEqual(['purchase.base', 'tier.member']);
    });

    it('overlapping: the best multiplier wins by default', () => {
      const vip = { ...double11, id: 'vip-week', multiplier: 1.5 };
      const data = earnedData(decidePurchase(purchase({ occurredAt: ON_DOUBLE_11 }), initialMemberState(MEMBER), contextFor(withCampaigns(vip, double11))));
      expect(data).toMatchObject({ points: 258, multiplier: 2, ruleIds: ['purchase.base', 'tier.member', 'campaign.double-11'] });
    });

    it('overlapping: all multiply together when the program says so', () => {
      const vip = { ...double11, id: 'vip-week', multiplier: 1.5 };
      const program = { ...withCampaigns(vip, double11), purchase: { ...DEFAULT_PROGRAM.purchase, campaignCombination: 'multiply' as const } };
      const data = earnedData(decidePurchase(purchase({ occurredAt: ON_DOUBLE_11 }), initialMemberState(MEMBER), contextFor(program)));
      expect(data).toMatchObject({ points: 387, multiplier: 3, ruleIds: ['purchase.base', 'tier.member', 'campaign.vip-week', 'campaign.double-11'] });
    });
  });

  describe('caps', () => {
    it('gives at most 10,000 points for one purchase', () => {
      const data = earnedData(decidePurchase(purchase({ amountMinor: 2_000_000 }), initialMemberState(MEMBER), contextFor()));
      expect(data).toMatchObject({ points: 10_000, ruleIds: ['purchase.base', 'tier.member', 'purchase.max-per-event'] });
    });

    it('does not mention the cap when the points only reach it', () => {
      const data = earnedData(decidePurchase(purchase({ amountMinor: 1_000_099 }), initialMemberState(MEMBER), contextFor()));
      expect(data).toMatchObject({ points: 10_000, ruleIds: ['purchase.base', 'tier.member'] });
    });

    describe('with a daily earn cap of 300', () => {
      const ctx = () => contextFor(purchaseRule({ dailyEarnCap: 300 }));
      const earlier = purchase({ orderId: 'o-1', amountMinor: 25_000, occurredAt: '2026-11-23T08:00:00+08:00' });

      it("refuses a purchase dated before the late-input window, whose day's earnings the ledger no longer knows (INPUT_TOO_LATE)", () => {
        // given a member whose newest day is the 23rd, under a program with a 10-day window
        const windowed = () => contextFor(programWith({ purchase: { ...DEFAULT_PROGRAM.purchase, dailyEarnCap: 300 }, lateInputWindowDays: 10 }));
        const { members } = run([earlier], windowed());
        // when purchases of 10 and 11 days before arrive
        const inside = decidePurchase(purchase({ orderId: 'o-in', occurredAt: '2026-11-13T10:00:00+08:00' }), members[MEMBER], windowed());
        const past = decidePurchase(purchase({ orderId: 'o-past', occurredAt: '2026-11-12T10:00:00+08:00' }), members[MEMBER], windowed());
        // then the first earns, and the second is refused with the window in its message
        expect(inside.kind).toBe('append');
        expect(past).toMatchObject({ kind: 'reject', code: 'INPUT_TOO_LATE', message: expect.stringContaining('late-input window of 10 days') });
        // and without a cap there is nothing to look back at: the same purchase earns
        expect(
          decidePurchase(
            purchase({ orderId: 'o-past', occurredAt: '2026-11-12T10:00:00+08:00' }),
            members[MEMBER],
            contextFor(programWith({ lateInputWindowDays: 10 })),
          ).kind,
        ).toBe('append');
      });

      it('earns only what is left of the day and says so', () => {
        // given 250 points earned earlier the same business day
        const { members } = run([earlier], ctx());
        // when another purchase would earn 129
        const data = earnedData(decidePurchase(purchase(), members[MEMBER], ctx()));
        // then
        expect(data).toMatchObject({ points: 50, ruleIds: ['purchase.base', 'tier.member', 'purchase.daily-cap'] });
      });

      it('refuses a purchase once the day is used up', () => {
        const { members } = run([purchase({ orderId: 'o-1', amountMinor: 30_000 })], ctx());
        expect(decidePurchase(purchase({ orderId: 'o-2' }), members[MEMBER], ctx())).toEqual(
          refusedAs('DAILY_CAP_REACHED', 'the daily cap of 300 points is reached on 2026-11-23'),
        );
      });

      it('starts afresh on the next business day in the program time zone', () => {
        const { members } = run([purchase({ orderId: 'o-1', amountMinor: 30_000 })], ctx());
        // 16:00Z is midnight in Shanghai
        const data = earnedData(decidePurchase(purchase({ orderId: 'o-2', occurredAt: '2026-11-23T16:00:00Z' }), members[MEMBER], ctx()));
        expect(data).toMatchObject({ points: 129, day: '2026-11-24' });
      });
    });
  });

  describe('with a pending period', () => {
    it('keeps the points pending until occurredAt plus the pending days', () => {
      const ctx = contextFor(purchaseRule({ pendingDays: 14 }));
      const decision = decidePurchase(purchase(), initialMemberState(MEMBER), ctx);
      expect(earnedData(decision).availableAt).toBe('2026-12-07T02:15:00.000Z');
      const { members } = run([purchase()], contextFor(purchaseRule({ pendingDays: 14 })));
      expect(balanceOf(members[MEMBER])).toMatchObject({ available: 0, pending: 129 });
    });
  });

  describe('refuses', () => {
    it('an order that already earned points (DUPLICATE_ORDER)', () => {
      const { members } = run([purchase()], contextFor());
      expect(decidePurchase(purchase({ eventId: 'pos-7-000999' }), members[MEMBER], contextFor())).toEqual(
        refusedAs('DUPLICATE_ORDER', 'order o-555 already earned points'),
      );
    });

    it('a currency the program does not accept (UNSUPPORTED_CURRENCY)', () => {
      expect(decidePurchase(purchase({ currency: 'USD' }), initialMemberState(MEMBER), contextFor())).toEqual(
        refusedAs('UNSUPPORTED_CURRENCY', 'the program does not accept USD (accepts CNY)'),
      );
    });

    it.each([0, 99])('a purchase of %d fen, which earns nothing (NO_POINTS)', (amountMinor) => {
      expect(decidePurchase(purchase({ amountMinor }), initialMemberState(MEMBER), contextFor())).toMatchObject({ kind: 'reject', code: 'NO_POINTS' });
    });
  });
});
