import { randomUUID } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import { LedgerEvent, NewLedgerEvent } from '@tally/contracts';
import { LedgerQueries, LedgerStore, migrateLedger } from '@tally/ledger';
import { balanceOf, evolveMember, initialMemberState } from '@tally/member-ledger';
import { TestDatabase, createTestDatabase } from '@tally/testing';
import { startRedeemInstances } from './testing/redeem-instances';

const TOKEN = 'conc-ops';
const MEMBER = 'm-hot';
const SEEDED = 5_000;
const POINTS = 10;

const earned = (points: number): NewLedgerEvent => ({
  type: 'points.earned',
  memberId: MEMBER,
  occurredAt: new Date().toISOString(),
  data: {
    points,
    lotId: randomUUID(),
    expiresAt: new Date(Date.now() + 86_400_000 * 300).toISOString(),
    reason: 'purchase',
    tier: 'member',
    multiplier: 1,
    ruleIds: [],
  },
});

describe('two redeem instances, one hot member (invariant 3)', () => {
  let db: TestDatabase;
  let apps: INestApplication[] = [];
  let urls: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('conc', migrateLedger);
    ({ apps, urls } = await startRedeemInstances(db, 2, { TALLY_API_TOKENS: `${TOKEN}=ops` }));
    const store = apps[0].get(LedgerStore);
    for (let i = 0; i < 5; i++) {
      await store.executeOne({
        scope: 'seed',
        causationId: `seed-${i}`,
        memberIds: [MEMBER],
        decide: () => ({ kind: 'append', events: [earned(SEEDED / 5)], result: null }),
      });
    }
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await db?.drop();
  });

  const post = async (instance: number, path: string, body: unknown = {}) => {
    const res = await fetch(`${urls[instance % 2]}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('lets exactly the affordable share of 1,000 concurrent redemptions and holds through, never below zero, and resolves every hold once', async () => {
    const requests = Array.from({ length: 1000 }, (_, i) =>
      i % 5 < 3
        ? post(i, '/redemptions', { redemptionId: `r-${i}`, memberId: MEMBER, points: POINTS, storeId: 'sh-07' })
        : post(i, '/holds', { holdId: `h-${i}`, memberId: MEMBER, points: POINTS, storeId: 'sh-07', ttlSeconds: 600 }),
    );
    const responses = await Promise.all(requests);
    const accepted = responses.filter((r) => r.status === 201);
    const refused = responses.filter((r) => r.status === 422);
    expect(accepted).toHaveLength(SEEDED / POINTS);
    expect(refused).toHaveLength(1000 - SEEDED / POINTS);
    expect(refused.every((r) => r.body.error === 'insufficient_points')).toBe(true);

    const holds = accepted.map((r) => r.body.holdId as string | undefined).filter((id): id is string => id !== undefined);
    const resolutions = await Promise.all(
      holds.flatMap((holdId, i) => [post(i, `/holds/${holdId}/capture`), post(i + 1, `/holds/${holdId}/release`), post(i, `/holds/${holdId}/release`)]),
    );
    for (let i = 0; i < holds.length; i++) {
      const [capture, release, releaseAgain] = resolutions.slice(i * 3, i * 3 + 3);
      const winners = [capture, release, releaseAgain].filter((r) => r.status === 200 || r.status === 201);
      // A second identical release is an idempotent replay of the winning one, never a second resolution.
      const distinctWinners = new Set(winners.map((r) => (r === capture ? 'capture' : 'release')));
      expect(distinctWinners.size).toBe(1);
      expect([capture, release, releaseAgain].filter((r) => r.status === 409).length).toBe(3 - winners.length);
    }

    const queries = apps[0].get(LedgerQueries);
    let state = initialMemberState(MEMBER);
    let after = '0';
    // The state keeps open holds only: how each hold was resolved is counted from the log.
    const resolvedBy = new Map<string, string[]>();
    for (;;) {
      const page = await queries.events(MEMBER, after, 500);
      for (const event of page.items as LedgerEvent[]) {
        state = evolveMember(state, event, event.version);
        expect(balanceOf(state).available).toBeGreaterThanOrEqual(0);
        if (event.type === 'hold.captured' || event.type === 'hold.released') {
          resolvedBy.set(event.data.holdId, [...(resolvedBy.get(event.data.holdId) ?? []), event.type]);
        }
      }
      if (!page.next) break;
      after = page.next;
    }
    const balance = balanceOf(state);
    expect(balance.held).toBe(0);
    expect(state.holds).toEqual({});
    // Every hold resolved exactly once (a full capture or a release, never both, never twice).
    expect([...resolvedBy.keys()].sort()).toEqual([...holds].sort());
    expect([...resolvedBy.values()].every((types) => types.length === 1)).toBe(true);
    const captured = [...resolvedBy.values()].filter(([type]) => type === 'hold.captured').length;
    const released = [...resolvedBy.values()].filter(([type]) => type === 'hold.released').length;
    expect(captured + released).toBe(holds.length);
    expect(balance.available).toBe(released * POINTS);
  });
});
