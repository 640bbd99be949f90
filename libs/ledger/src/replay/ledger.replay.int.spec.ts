import { randomUUID } from 'node:crypto';
import { LotPortion, NewLedgerEvent } from '@tally/contracts';
import { MemberState, balanceOf, takeFromLots } from '@tally/member-ledger';
import { TestDatabase, createTestDatabase } from '@tally/testing';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { LedgerCommand } from '../append/ledger-command';
import { LedgerStore } from '../append/ledger.store';
import { auditLedger } from '../audit/ledger.audit';
import { ledgerDataSourceOptions, migrateLedger } from '../database/data-source';
import { LedgerQueries } from '../read/ledger.queries';
import { LedgerReplay } from './ledger.replay';
import { queryOf } from '../database/query';

/** Deterministic pseudo-random numbers so a failure can be reproduced. */
const rng = (seed: number) => () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};

const at = (day: number) => new Date(Date.UTC(2026, 0, 1) + day * 86_400_000).toISOString();

/**
 * The redemptions appended so far, by member: the member state keeps no record of them (the redeem
 * service reads them from their stored results), so the generator keeps its own.
 */
type RedemptionLog = Map<string, { redemptionId: string; points: number; fromLots: LotPortion[]; reversed: boolean }[]>;

/** Records the redemptions and reversals of events that were appended. */
const track = (log: RedemptionLog, memberId: string, events: readonly NewLedgerEvent[]): void => {
  const redemptions = log.get(memberId) ?? [];
  log.set(memberId, redemptions);
  for (const event of events) {
    if (event.type === 'points.redeemed') {
      redemptions.push({ redemptionId: event.data.redemptionId, points: event.data.points, fromLots: event.data.fromLots, reversed: false });
    }
    if (event.type === 'redemption.reversed') {
      const reversed = redemptions.find((r) => r.redemptionId === event.data.redemptionId);
      if (reversed) reversed.reversed = true;
    }
  }
};

/** One random but valid action for a member: earn, redeem, hold, capture, release, reverse, expire, claw back. */
const randomEvents = (state: MemberState, random: () => number, day: number, log: RedemptionLog): NewLedgerEvent[] => {
  const memberId = state.memberId;
  const occurredAt = at(day);
  const available = balanceOf(state).available;
  const roll = random();
  // The state keeps open holds only.
  const openHold = Object.entries(state.holds)[0];
  const reversible = log.get(memberId)?.find((r) => !r.reversed);
  const lot = [...state.lots.values()].find((l) => !l.pending && l.remaining > l.held);
  if (roll < 0.4 || available <= 0) {
    const points = 1 + Math.floor(random() * 500);
    return [
      {
        type: 'points.earned',
        memberId,
        occurredAt,
        data: {
          points,
          lotId: randomUUID(),
          expiresAt: at(day + 10 + Math.floor(random() * 300)),
          reason: 'purchase',
          orderId: `o-${randomUUID()}`,
          orderAmountMinor: points * 100,
          tier: 'member',
          multiplier: 1,
          ruleIds: [],
        },
      },
    ];
  }
  if (roll < 0.55) {
    const points = 1 + Math.floor(random() * available);
    return [
      {
        type: 'points.redeemed',
        memberId,
        occurredAt,
        data: { points, redemptionId: randomUUID(), storeId: 's', fromLots: takeFromLots(state.lots, points).portions },
      },
    ];
  }
  if (roll < 0.65) {
    const points = 1 + Math.floor(random() * available);
    return [
      {
        type: 'points.held',
        memberId,
        occurredAt,
        data: { holdId: randomUUID(), points, storeId: 's', expiresAt: at(day + 1), fromLots: takeFromLots(state.lots, points).portions },
      },
    ];
  }
  if (roll < 0.75 && openHold) {
    const [holdId, hold] = openHold;
    if (random() < 0.5)
      return [{ type: 'hold.released', memberId, occurredAt, data: { holdId, points: hold.points, fromLots: hold.fromLots, reason: 'released' } }];
    return [{ type: 'hold.captured', memberId, occurredAt, data: { holdId, points: hold.points, fromLots: hold.fromLots } }];
  }
  if (roll < 0.8 && reversible) {
    const { redemptionId, points, fromLots } = reversible;
    return [{ type: 'redemption.reversed', memberId, occurredAt, data: { redemptionId, points, toLots: fromLots } }];
  }
  if (roll < 0.9 && lot) {
    return [{ type: 'points.expired', memberId, occurredAt, data: { lotId: lot.lotId, points: lot.remaining - lot.held } }];
  }
  const points = 1 + Math.floor(random() * (available + 200));
  const { portions, shortfall } = takeFromLots(state.lots, points);
  return [{ type: 'points.clawed-back', memberId, occurredAt, data: { points, orderId: 'o-x', refundId: randomUUID(), fromLots: portions, debt: shortfall } }];
};

describe('replay and audit of a random ledger', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let store: LedgerStore;
  const members = Array.from({ length: 200 }, (_, i) => `m-${String(i).padStart(3, '0')}`);
  const redemptions: RedemptionLog = new Map();

  beforeAll(async () => {
    db = await createTestDatabase('replay', migrateLedger);
    dataSource = await new DataSource(ledgerDataSourceOptions(db.url, 10)).initialize();
    store = new LedgerStore(dataSource, { clock: () => new Date(), newEventId: randomUUID });
    const random = rng(42);
    let appended = 0;
    for (let round = 0; appended < 10_000; round++) {
      // The last decision of each member (a retried transaction decides again): tracked once it is appended.
      const decided = new Map<string, NewLedgerEvent[]>();
      const commands: LedgerCommand<null>[] = members.map((memberId) => ({
        scope: 'random',
        causationId: `${memberId}-${round}`,
        memberIds: [memberId],
        decide: (states) => {
          const events = randomEvents(states[memberId], random, round, redemptions);
          decided.set(memberId, events);
          return { kind: 'append', events, result: null };
        },
      }));
      const results = await store.execute(commands);
      results.forEach((result, i) => {
        if (result.status === 'appended') track(redemptions, members[i], decided.get(members[i]) ?? []);
      });
      appended += commands.length;
    }
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('keeps every member conserved: available + held + pending = the lots left minus debt (invariant 4)', async () => {
    const rows: { member_id: string; available: string; held: string; pending: string }[] = await dataSource.query(
      'SELECT member_id, available, held, pending FROM member_state',
    );
    const states = await store.states.read(
      queryOf(dataSource),
      rows.map((r) => r.member_id),
    );
    expect(states.size).toBe(members.length);
    for (const { member_id, available, held, pending } of rows) {
      const state = states.get(member_id) as MemberState;
      const t = state.totals;
      const lots = [...state.lots.values()].reduce((sum, l) => sum + l.remaining, 0);
      const total = Number(available) + Number(held) + Number(pending);
      expect(total).toBe(t.earned - t.redeemed - t.captured - t.expired - t.clawedBack + t.adjusted + t.reversed);
      expect(total).toBe(lots - state.debt);
    }
  });

  it('rebuilds every projection from 10k events into identical rows (invariant 5)', async () => {
    const report = await new LedgerReplay(dataSource).run({ swap: false });
    expect(report).toMatchObject({ identical: true, differences: [], members: 200 });
    expect(report.eventsReplayed).toBeGreaterThanOrEqual(10_000);
  });

  it('reports a balance asOf a past moment equal to the live balance then (invariant 5)', async () => {
    const queries = new LedgerQueries(dataSource, store.states);
    const before = await queries.balance('m-007', new Date());
    await new Promise((resolve) => setTimeout(resolve, 20));
    const moment = new Date();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await store.execute([
      {
        scope: 'later',
        causationId: 'x',
        memberIds: ['m-007'],
        decide: (s) => ({ kind: 'append', events: randomEvents(s['m-007'], rng(7), 500, redemptions), result: null }),
      },
    ]);
    const asOf = await queries.balance('m-007', new Date(), moment);
    expect({ ...asOf, asOf: undefined }).toEqual({ ...before, asOf: undefined });
  });

  it('finds the difference when a live projection row was changed, and repairs it on swap', async () => {
    await dataSource.query(`UPDATE member_state SET available = available + 1 WHERE member_id = 'm-010'`);
    const report = await new LedgerReplay(dataSource).run({ swap: true });
    expect(report.identical).toBe(false);
    expect(report.differences[0]).toMatchObject({ table: 'member_state', key: 'm-010' });
    expect(report.swapped).toBe(true);
    expect((await new LedgerReplay(dataSource).run({ swap: false })).identical).toBe(true);
  });

  it('replays only the members of its scope: a changed row inside it is found, one outside is not', async () => {
    await dataSource.query(`UPDATE member_state SET available = available + 1 WHERE member_id IN ('m-020', 'm-150')`);
    try {
      const reports: [number, number][] = [];
      const listed = await new LedgerReplay(dataSource).run({
        swap: false,
        scope: { memberIds: ['m-020', 'm-021'] },
        onProgress: (done, total) => reports.push([done, total]),
      });
      expect(listed).toMatchObject({ identical: false, members: 2 });
      expect(listed.differences.map((d) => [d.table, d.key])).toEqual([['member_state', 'm-020']]);
      expect(reports[reports.length - 1]).toEqual([2, 2]);

      const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM ledger_events WHERE member_id BETWEEN 'm-100' AND 'm-149'`);
      expect(await new LedgerReplay(dataSource).run({ swap: false, scope: { memberRange: { from: 'm-100', to: 'm-149' } } })).toMatchObject({
        identical: true,
        members: 50,
        eventsReplayed: n,
      });
      const ranged = await new LedgerReplay(dataSource).run({ swap: false, scope: { memberRange: { from: 'm-140', to: 'm-160' } } });
      expect(ranged).toMatchObject({ identical: false, members: 21 });
      expect(ranged.differences.map((d) => d.key)).toEqual(['m-150']);

      await expect(new LedgerReplay(dataSource).run({ swap: true, scope: { memberIds: ['m-020'] } })).rejects.toThrow(/whole ledger/);
    } finally {
      await dataSource.query(`UPDATE member_state SET available = available - 1 WHERE member_id IN ('m-020', 'm-150')`);
    }
  });

  it('replays the members with an event recorded in its time range, each from its first event', async () => {
    const since = new Date();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await store.execute([
      {
        scope: 'recent',
        causationId: 'r-1',
        memberIds: ['m-033'],
        decide: (s) => ({ kind: 'append', events: randomEvents(s['m-033'], rng(3), 600, redemptions), result: null }),
      },
    ]);
    const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM ledger_events WHERE member_id = 'm-033'`);
    const report = await new LedgerReplay(dataSource).run({ swap: false, scope: { from: since.toISOString() } });
    expect(report).toMatchObject({ identical: true, members: 1, eventsReplayed: n });
  });

  it('reports a live row the log does not account for: a lot of a member without events', async () => {
    await dataSource.query(
      `INSERT INTO open_lots (member_id, lot_id, remaining, held, expires_at, pending, lot_order) VALUES ('m-ghost', 'lot-ghost', 5, 0, now(), false, 1)`,
    );
    try {
      const report = await new LedgerReplay(dataSource).run({ swap: false });
      expect(report.identical).toBe(false);
      expect(report.differences).toEqual([
        expect.objectContaining({ table: 'open_lots', key: 'm-ghost/lot-ghost', live: expect.objectContaining({ remaining: 5 }), rebuilt: null }),
      ]);
    } finally {
      await dataSource.query(`DELETE FROM open_lots WHERE member_id = 'm-ghost'`);
    }
  });

  it('neither reports nor loses appends made while it rebuilds and swaps', async () => {
    let running = true;
    let appendedMeanwhile = 0;
    const appender = (async () => {
      for (let i = 0; running; i++) {
        const memberId = members[i % members.length];
        const [result] = await store.execute([
          {
            scope: 'during-replay',
            causationId: `d-${i}`,
            memberIds: [memberId],
            decide: (s) => ({ kind: 'append', events: randomEvents(s[memberId], rng(i), 600, redemptions), result: null }),
          },
        ]);
        if (result.status === 'appended') appendedMeanwhile += 1;
      }
    })();
    const report = await new LedgerReplay(dataSource).run({ swap: true });
    running = false;
    await appender;
    expect(appendedMeanwhile).toBeGreaterThan(0);
    expect(report).toMatchObject({ identical: true, swapped: true });
    const behind = await dataSource.query(
      `SELECT m.member_id FROM member_state m WHERE m.version <> (SELECT max(version) FROM ledger_events e WHERE e.member_id = m.member_id)`,
    );
    expect(behind).toEqual([]);
    expect(await new LedgerReplay(dataSource).run({ swap: false })).toMatchObject({ identical: true, members: members.length });
    expect(await auditLedger(dataSource)).toMatchObject({ ok: true });
  });

  it('passes the audit, and names the position of an event a superuser altered (invariant 6)', async () => {
    expect(await auditLedger(dataSource)).toMatchObject({ ok: true, members: 200 });
    const [{ position }] = await dataSource.query(`SELECT position FROM ledger_events WHERE member_id = 'm-123' AND version = 3`);
    const superuser = new Client({ connectionString: db.url });
    await superuser.connect();
    await superuser.query('ALTER TABLE ledger_events DISABLE TRIGGER ledger_events_no_update_delete');
    await superuser.query(`UPDATE ledger_events SET data = jsonb_set(data::jsonb, '{0}', '999999')::json WHERE position = $1`, [position]);
    await superuser.query('ALTER TABLE ledger_events ENABLE TRIGGER ledger_events_no_update_delete');
    await superuser.end();
    const report = await auditLedger(dataSource);
    expect(report.ok).toBe(false);
    expect(report.firstViolation).toMatchObject({ kind: 'hash_mismatch', memberId: 'm-123', position: String(position) });
  });
});
