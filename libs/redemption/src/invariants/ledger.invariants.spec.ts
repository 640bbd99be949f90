import fc from 'fast-check';
import { NewLedgerEvent, decidedEvents } from '@tally/contracts';
import { decideExpiry } from '@tally/expiry';
import { MemberState, balanceOf, takeFromLots } from '@tally/member-ledger';
import { decideCapture } from '../capture/capture.decider';
import { decideExpireHolds } from '../expire-holds/expire-holds.decider';
import { decideHold } from '../hold/hold.decider';
import { decideRedeem } from '../redeem/redeem.decider';
import { decideRelease } from '../release/release.decider';
import { RedemptionRecord, decideReverse } from '../reverse/reverse.decider';
import { MEMBER_ID, RULES, fold, given } from '../testing/ledger.fixtures';

/**
 * Invariants 3 and 4 over any sequence of decisions, applied through the member ledger's evolve.
 * Earnings, releases of pending lots, clawbacks and adjustments are built here the way the earn
 * service builds them, so debt and pending points are part of the histories.
 */
type Step =
  | { kind: 'earn'; points: number; expiresInHours: number; pending: boolean }
  | { kind: 'release-pending'; pick: number }
  | { kind: 'claw-back'; points: number }
  | { kind: 'adjust'; points: number }
  | { kind: 'redeem'; points: number }
  | { kind: 'hold'; points: number; ttlSeconds: number }
  | { kind: 'capture'; pick: number; points: number | undefined }
  | { kind: 'release'; pick: number }
  | { kind: 'reverse'; pick: number }
  | { kind: 'expire-holds' }
  | { kind: 'expire' }
  | { kind: 'wait'; hours: number };

const weighted = <T>(weight: number, arbitrary: fc.Arbitrary<T>) => ({ weight, arbitrary });

/** Weighted so that histories have points to spend, holds open across expiries, debts and reversals. */
const step: fc.Arbitrary<Step> = fc.oneof(
  weighted(
    4,
    fc.record({
      kind: fc.constant('earn' as const),
      points: fc.integer({ min: 1, max: 500 }),
      expiresInHours: fc.integer({ min: 0, max: 24 * 30 }),
      pending: fc.boolean(),
    }),
  ),
  weighted(1, fc.record({ kind: fc.constant('release-pending' as const), pick: fc.nat() })),
  weighted(1, fc.record({ kind: fc.constant('claw-back' as const), points: fc.integer({ min: 1, max: 800 }) })),
  weighted(1, fc.record({ kind: fc.constant('adjust' as const), points: fc.integer({ min: -300, max: 300 }).filter((p) => p !== 0) })),
  weighted(3, fc.record({ kind: fc.constant('redeem' as const), points: fc.integer({ min: -5, max: 700 }) })),
  weighted(
    3,
    fc.record({ kind: fc.constant('hold' as const), points: fc.integer({ min: 1, max: 700 }), ttlSeconds: fc.integer({ min: 60, max: 3 * 86_400 }) }),
  ),
  weighted(2, fc.record({ kind: fc.constant('capture' as const), pick: fc.nat(), points: fc.option(fc.integer({ min: 1, max: 700 }), { nil: undefined }) })),
  weighted(1, fc.record({ kind: fc.constant('release' as const), pick: fc.nat() })),
  weighted(2, fc.record({ kind: fc.constant('reverse' as const), pick: fc.nat() })),
  weighted(1, fc.constant({ kind: 'expire-holds' as const })),
  weighted(2, fc.constant({ kind: 'expire' as const })),
  weighted(2, fc.record({ kind: fc.constant('wait' as const), hours: fc.integer({ min: 1, max: 24 * 10 }) })),
);

const START = Date.parse('2026-01-01T00:00:00Z');
const HOUR = 3_600_000;

const pickOf = <T>(items: readonly T[], pick: number): T | undefined => (items.length === 0 ? undefined : items[pick % items.length]);

/**
 * What the services keep beside the member state: each redemption as it was made (the redeem service
 * has it from the redemption's stored result) and which were reversed (a second reversal of an id is
 * an idempotent replay there, appending nothing).
 */
interface Model {
  redemptions: RedemptionRecord[];
  reversed: Set<string>;
}

/** Runs one step: the events it appends, and whether it was a redemption or hold that was accepted. */
const decide = (state: MemberState, model: Model, s: Step, now: string, n: number): { events: NewLedgerEvent[]; spent: boolean } => {
  const none = { events: [], spent: false };
  const at = (events: NewLedgerEvent[], spent = false) => ({ events, spent });
  switch (s.kind) {
    case 'earn':
      return at([
        {
          type: 'points.earned',
          memberId: MEMBER_ID,
          occurredAt: now,
          data: {
            points: s.points,
            lotId: `lot-${n}`,
            expiresAt: new Date(Date.parse(now) + s.expiresInHours * HOUR).toISOString(),
            reason: 'purchase',
            tier: 'member',
            multiplier: 1,
            ruleIds: ['base'],
            ...(s.pending ? { availableAt: new Date(Date.parse(now) + 48 * HOUR).toISOString() } : {}),
          },
        },
      ]);
    case 'release-pending': {
      const lot = pickOf(
        [...state.lots.values()].filter((l) => l.pending),
        s.pick,
      );
      return lot ? at([{ type: 'points.released', memberId: MEMBER_ID, occurredAt: now, data: { lotId: lot.lotId, points: lot.remaining } }]) : none;
    }
    case 'claw-back': {
      const { portions, shortfall } = takeFromLots(state.lots, s.points);
      return at([
        {
          type: 'points.clawed-back',
          memberId: MEMBER_ID,
          occurredAt: now,
          data: { points: s.points, orderId: 'o-1', refundId: `r-${n}`, fromLots: portions, ...(shortfall > 0 ? { debt: shortfall } : {}) },
        },
      ]);
    }
    case 'adjust': {
      if (s.points > 0) {
        const expiresAt = new Date(Date.parse(now) + 24 * 30 * HOUR).toISOString();
        return at([
          {
            type: 'points.adjusted',
            memberId: MEMBER_ID,
            occurredAt: now,
            data: { points: s.points, actor: 'ops', reason: 'goodwill', lotId: `adj-${n}`, expiresAt },
          },
        ]);
      }
      const { portions } = takeFromLots(state.lots, -s.points);
      return at([
        { type: 'points.adjusted', memberId: MEMBER_ID, occurredAt: now, data: { points: s.points, actor: 'ops', reason: 'correction', fromLots: portions } },
      ]);
    }
    case 'redeem': {
      const d = decideRedeem(state, { redemptionId: `rd-${n}`, points: s.points, storeId: 'sh-07', occurredAt: now }, RULES);
      if (d.kind !== 'append') return none;
      model.redemptions.push({ redemptionId: d.result.redemptionId, points: d.result.points, storeId: 'sh-07', fromLots: d.result.fromLots });
      return at(d.events, true);
    }
    case 'hold': {
      const d = decideHold(state, { holdId: `h-${n}`, points: s.points, storeId: 'sh-07', ttlSeconds: s.ttlSeconds, occurredAt: now });
      return d.kind === 'append' ? at(d.events, true) : none;
    }
    case 'capture': {
      const holdId = pickOf(Object.keys(state.holds), s.pick);
      const d = holdId ? decideCapture(state, { holdId, occurredAt: now, ...(s.points !== undefined ? { points: s.points } : {}) }) : undefined;
      return d?.kind === 'append' ? at(d.events) : none;
    }
    case 'release': {
      const holdId = pickOf(Object.keys(state.holds), s.pick);
      const d = holdId ? decideRelease(state, { holdId, occurredAt: now, reason: 'released' }) : undefined;
      return d?.kind === 'append' ? at(d.events) : none;
    }
    case 'reverse': {
      const redemption = pickOf(model.redemptions, s.pick);
      if (!redemption || model.reversed.has(redemption.redemptionId)) return none;
      const d = decideReverse(state, redemption, { redemptionId: redemption.redemptionId, occurredAt: now });
      if (d.kind !== 'append') return none;
      model.reversed.add(redemption.redemptionId);
      return at(d.events);
    }
    case 'expire-holds':
      return at(decidedEvents(decideExpireHolds(state, now)));
    case 'expire':
      return at(decidedEvents(decideExpiry(state, now)));
    case 'wait':
      return none;
    default: {
      const unknown: never = s;
      throw new Error(`unknown step ${JSON.stringify(unknown)}`);
    }
  }
};

const checkInvariants = (state: MemberState): void => {
  const balance = balanceOf(state);
  const { totals } = state;
  const onHand = balance.available + balance.held + balance.pending;
  // Invariant 4 against the totals...
  expect(onHand).toBe(totals.earned - totals.redeemed - totals.captured - totals.expired - totals.clawedBack + totals.adjusted + totals.reversed);
  // ...and against the lots.
  const lotRemainders = [...state.lots.values()].reduce((sum, lot) => sum + lot.remaining, 0);
  expect(onHand).toBe(lotRemainders - state.debt);
  // The state keeps open holds only; they and the lots agree on what is held; no lot is over-reserved or negative.
  const openHolds = Object.values(state.holds);
  expect(openHolds.every((h) => h.status === 'open')).toBe(true);
  expect(balance.held).toBe(openHolds.reduce((sum, h) => sum + h.points, 0));
  for (const lot of state.lots.values()) {
    expect(lot.held).toBeGreaterThanOrEqual(0);
    expect(lot.remaining).toBeGreaterThanOrEqual(lot.held);
  }
  expect(state.debt).toBeGreaterThanOrEqual(0);
};

describe('ledger invariants under any sequence of decisions', () => {
  it('never lets a redemption or hold take available below zero, and conserves points', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 60, size: 'max' }), (steps) => {
        let state = given();
        const model: Model = { redemptions: [], reversed: new Set() };
        let clock = START;
        steps.forEach((s, n) => {
          clock += s.kind === 'wait' ? s.hours * HOUR : 60_000;
          const now = new Date(clock).toISOString();
          const before = balanceOf(state).available;
          const { events, spent } = decide(state, model, s, now, n);
          state = fold(state, events);
          if (spent) {
            // Invariant 3: only what was available, never from a debt.
            expect(before).toBeGreaterThanOrEqual(0);
            expect(balanceOf(state).available).toBeGreaterThanOrEqual(0);
          }
          if (s.kind === 'expire') expect(decidedEvents(decideExpiry(state, now))).toEqual([]);
          checkInvariants(state);
        });
      }),
      { numRuns: 300 },
    );
  });
});
