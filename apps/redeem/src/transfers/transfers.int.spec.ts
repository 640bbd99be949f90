import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { LedgerEvent, NewLedgerEvent } from '@tally/contracts';
import { LedgerQueries, LedgerReplay, LedgerStore, auditLedger, migrateLedger } from '@tally/ledger';
import { MemberState, balanceOf, evolveMember, initialMemberState } from '@tally/member-ledger';
import { TestDatabase, createTestDatabase } from '@tally/testing';
import { DataSource } from 'typeorm';
import { startRedeemInstances } from '../testing/redeem-instances';

const OPS = 'tr-ops';
const APP = 'tr-app';
const STORE = 'tr-store';
const MEMBERS = Array.from({ length: 10 }, (_, i) => `m-tr-${i}`);
/** Each member's seed: three lots with expiries of their own, so that which lot was spent shows. */
const EXPIRIES = ['2027-03-01T00:00:00.000Z', '2027-06-01T00:00:00.000Z', '2027-09-01T00:00:00.000Z'];
const SEED_PER_LOT = 200;

const earned = (memberId: string, points: number, expiresAt: string): NewLedgerEvent => ({
  type: 'points.earned',
  memberId,
  occurredAt: new Date().toISOString(),
  data: { points, lotId: randomUUID(), expiresAt, reason: 'purchase', tier: 'member', multiplier: 1, ruleIds: [] },
});

/** Limits out of the way for the load test (the deciders' own tests cover each), one low to see a refusal. */
const PROGRAM = {
  transfers: {
    maxPointsPerTransfer: 5_000,
    maxSentPerDay: 1_000_000,
    maxSentPerMonth: 1_000_000,
    maxReceivedPerDay: 1_000_000,
    maxReceivedPerMonth: 1_000_000,
    maxRecipientsPerMonth: 20,
  },
};

describe('POST /transfers (积分分享)', () => {
  let db: TestDatabase;
  let apps: INestApplication[] = [];
  let urls: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('transfers', migrateLedger);
    const programFile = join(mkdtempSync(join(tmpdir(), 'tally-tr-')), 'program.json');
    writeFileSync(programFile, JSON.stringify(PROGRAM));
    // Two instances: the transfers race across processes, not only inside one batcher.
    ({ apps, urls } = await startRedeemInstances(db, 2, { TALLY_API_TOKENS: `${OPS}=ops,${APP}=app,${STORE}=store:sh-07`, TALLY_PROGRAM: programFile }));
    const store = apps[0].get(LedgerStore);
    for (const memberId of MEMBERS) {
      await store.executeOne({
        scope: 'seed',
        causationId: `seed-${memberId}`,
        memberIds: [memberId],
        decide: () => ({ kind: 'append', events: EXPIRIES.map((e) => earned(memberId, SEED_PER_LOT, e)), result: null }),
      });
    }
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await db?.drop();
  });

  const post = async (path: string, body: unknown, token = APP, instance = 0) => {
    const res = await fetch(`${urls[instance % 2]}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  /** Every event of a member, folded as the services fold them; `available` checked after each. */
  const history = async (memberId: string): Promise<{ state: MemberState; events: LedgerEvent[] }> => {
    const queries = apps[0].get(LedgerQueries);
    let state = initialMemberState(memberId);
    const events: LedgerEvent[] = [];
    for (let after = '0'; ;) {
      const page = await queries.events(memberId, after, 500);
      for (const event of page.items as LedgerEvent[]) {
        state = evolveMember(state, event, event.version);
        expect(balanceOf(state).available).toBeGreaterThanOrEqual(0);
        events.push(event);
      }
      if (!page.next) break;
      after = page.next;
    }
    return { state, events };
  };

  it('keeps the totals, per expiry date too, through 1,000 concurrent transfers among 10 members, never below zero', async () => {
    const requests = Array.from({ length: 1000 }, (_, i) => {
      const from = MEMBERS[i % 10];
      const to = MEMBERS[(i * 7 + 3) % 10 === i % 10 ? (i + 1) % 10 : (i * 7 + 3) % 10];
      return post('/transfers', { transferId: `t-load-${i}`, fromMemberId: from, toMemberId: to, points: 5 + ((i * 37) % 120) }, i % 3 === 0 ? OPS : APP, i);
    });
    const responses = await Promise.all(requests);
    const statuses = new Set(responses.map((r) => r.status));
    expect([...statuses].every((s) => s === 201 || s === 422 || s === 503)).toBe(true);
    const accepted = responses.filter((r) => r.status === 201);
    expect(accepted.length).toBeGreaterThan(500);
    for (const r of responses.filter((x) => x.status === 422)) expect(r.body.error).toBe('insufficient_points');
    for (const r of accepted) {
      const lots = r.body.lots as { points: number; expiresAt: string }[];
      expect(lots.reduce((sum, l) => sum + l.points, 0)).toBe(r.body.points);
      expect(lots.every((l) => EXPIRIES.includes(l.expiresAt))).toBe(true);
    }

    // Conservation: what is open, per expiry date, is what was seeded; sharing never extends a point's life.
    const byExpiry = new Map<string, number>();
    let transfersSeen = 0;
    for (const memberId of MEMBERS) {
      const { state, events } = await history(memberId);
      expect(state.debt).toBe(0);
      for (const lot of state.lots.values()) byExpiry.set(lot.expiresAt, (byExpiry.get(lot.expiresAt) ?? 0) + lot.remaining);
      transfersSeen += events.filter((e) => e.type === 'points.transferred').length;
      // Both histories show each transfer: the recipient's side has the same causation.
      expect(events.filter((e) => e.type === 'points.received').every((e) => e.causationId.startsWith('t-load-'))).toBe(true);
    }
    expect(transfersSeen).toBe(accepted.length);
    expect(Object.fromEntries(byExpiry)).toEqual(Object.fromEntries(EXPIRIES.map((e) => [e, SEED_PER_LOT * MEMBERS.length])));

    const dataSource = apps[0].get(DataSource);
    const audit = await auditLedger(dataSource);
    expect(audit).toMatchObject({ ok: true, violationCount: 0 });
    const replay = await new LedgerReplay(dataSource).run({ swap: false });
    expect(replay.identical).toBe(true);
    expect(replay.differences).toEqual([]);
  });

  it('answers a retry with the first result, another body with 409, and refuses by the program’s rules', async () => {
    const body = { transferId: 't-idem', fromMemberId: MEMBERS[0], toMemberId: MEMBERS[1], points: 1, note: '生日快乐' };
    const first = await post('/transfers', body);
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      transferId: 't-idem',
      fromMemberId: MEMBERS[0],
      toMemberId: MEMBERS[1],
      points: 1,
      lots: [expect.objectContaining({ points: 1 })],
    });
    expect(await post('/transfers', body, APP, 1)).toEqual({ status: 200, body: first.body });
    expect((await post('/transfers', { ...body, points: 2 })).body.error).toBe('idempotency_conflict');
    expect((await post('/transfers', { ...body, transferId: 't-big', points: 5_001 })).body).toMatchObject({ error: 'transfer_too_large', limit: 5_000 });
    expect((await post('/transfers', { ...body, transferId: 't-self', toMemberId: MEMBERS[0] })).body.error).toBe('self_transfer');
    expect((await post('/transfers', { ...body, transferId: 't-bad', points: 0 })).status).toBe(400);
  });

  it('lets app and ops tokens transfer, never a store token', async () => {
    const response = await post('/transfers', { transferId: 't-store', fromMemberId: MEMBERS[2], toMemberId: MEMBERS[3], points: 1 }, STORE);
    expect(response).toMatchObject({ status: 403, body: { error: 'forbidden' } });
  });

  it('lets ops reverse a transfer once, as new events on both members, keeping the sender’s expiry', async () => {
    const [from, to] = [MEMBERS[4], MEMBERS[5]];
    const before = (await history(from)).state;
    const made = await post('/transfers', { transferId: 't-rev', fromMemberId: from, toMemberId: to, points: 3 });
    expect(made.status).toBe(201);
    expect((await post('/transfers/t-rev/reverse', { note: 'sent by mistake' }, APP)).status).toBe(403);
    const reversed = await post('/transfers/t-rev/reverse', { note: 'sent by mistake' }, OPS);
    expect(reversed).toMatchObject({ status: 200, body: { transferId: 't-rev', points: 3, debt: 0, actor: 'ops' } });
    expect((await post('/transfers/t-rev/reverse', { note: 'sent by mistake' }, OPS)).body).toEqual(reversed.body);
    expect((await post('/transfers/t-none/reverse', {}, OPS)).status).toBe(404);
    const after = (await history(from)).state;
    expect(balanceOf(after).available).toBe(balanceOf(before).available);
    expect(new Map([...after.lots].map(([id, l]) => [id, [l.remaining, l.expiresAt]]))).toEqual(
      new Map([...before.lots].map(([id, l]) => [id, [l.remaining, l.expiresAt]])),
    );
    const { events } = await history(to);
    expect(events.filter((e) => e.type === 'transfer.reversed')).toEqual([
      expect.objectContaining({ data: expect.objectContaining({ transferId: 't-rev', actor: 'ops', note: 'sent by mistake' }) }),
    ]);
    expect((await auditLedger(apps[0].get(DataSource))).ok).toBe(true);
  });
});
