import { randomUUID } from 'node:crypto';
import { TestDatabase, createTestDatabase } from '@tally/testing';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { LedgerStore } from '../append/ledger.store';
import { ledgerDataSourceOptions, migrateLedger } from '../database/data-source';
import { storedHashSql } from '../hashing/event-hash';
import { earnCommand, earnedEvent } from '../testing/ledger.fixtures';
import { auditLedger } from './ledger.audit';

const earn = (memberId: string, causationId: string) => earnCommand('audit-test', memberId, causationId);

/** Each test tampers with a database of its own: 12 members with 4 events each. */
describe('audit of tampered ledgers (invariant 6)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let superuser: Client;

  beforeEach(async () => {
    db = await createTestDatabase('audit', migrateLedger);
    dataSource = await new DataSource(ledgerDataSourceOptions(db.url, 6)).initialize();
    const store = new LedgerStore(dataSource, { clock: () => new Date(), newEventId: randomUUID });
    for (let round = 0; round < 4; round++) {
      await store.execute(Array.from({ length: 12 }, (_, i) => earn(`m-${String(i).padStart(2, '0')}`, `c-${round}-${i}`)));
    }
    superuser = new Client({ connectionString: db.url });
    await superuser.connect();
  });

  afterEach(async () => {
    await superuser?.end();
    await dataSource?.destroy();
    await db?.drop();
  });

  /** What a superuser can do to the log with its triggers off. */
  const tamper = async (sql: string, params: unknown[] = []) => {
    await superuser.query('ALTER TABLE ledger_events DISABLE TRIGGER USER');
    await superuser.query(sql, params);
    await superuser.query('ALTER TABLE ledger_events ENABLE TRIGGER USER');
  };
  const positionOf = async (memberId: string, version: number): Promise<string> =>
    String((await dataSource.query('SELECT position FROM ledger_events WHERE member_id = $1 AND version = $2', [memberId, version]))[0].position);

  it('passes an untouched ledger, in one range or in several', async () => {
    for (const parallelism of [1, 3]) {
      expect(await auditLedger(dataSource, { parallelism })).toEqual({
        ok: true,
        eventsChecked: 48,
        members: 12,
        violationCount: 0,
        violationsByKind: { version_gap: 0, hash_mismatch: 0, head_mismatch: 0, projection_mismatch: 0, orphan_projection: 0, stale_decision: 0 },
        violations: [],
        ms: expect.any(Number),
      });
    }
  });

  it('reports every violation: two altered events of two members and a balance that does not add up', async () => {
    const altered = [await positionOf('m-02', 3), await positionOf('m-10', 1)];
    await tamper(`UPDATE ledger_events SET data = '[1000]' WHERE position = ANY($1)`, [altered]);
    await superuser.query(`UPDATE member_state SET available = available + 5 WHERE member_id = 'm-06'`);
    for (const parallelism of [1, 3]) {
      const report = await auditLedger(dataSource, { parallelism });
      expect(report).toMatchObject({ ok: false, eventsChecked: 48, members: 12, violationCount: 3 });
      expect(report.violationsByKind).toMatchObject({ hash_mismatch: 2, projection_mismatch: 1, version_gap: 0, head_mismatch: 0 });
      expect(report.violations).toEqual([
        // By position: m-10's first event was appended before m-02's third.
        expect.objectContaining({ kind: 'hash_mismatch', memberId: 'm-10', version: 1, position: altered[1] }),
        expect.objectContaining({ kind: 'hash_mismatch', memberId: 'm-02', version: 3, position: altered[0] }),
        expect.objectContaining({ kind: 'projection_mismatch', memberId: 'm-06' }),
      ]);
      expect(report.firstViolation).toEqual(report.violations[0]);
    }
  });

  it('counts every violation and lists the first ones by position, as many as asked', async () => {
    // Every member's second event altered: twelve violations, in every range.
    await tamper(`UPDATE ledger_events SET occurred_at = occurred_at + interval '1 ms' WHERE version = 2`);
    const positions: string[] = (await dataSource.query(`SELECT position::text FROM ledger_events WHERE version = 2 ORDER BY position`)).map(
      (row: { position: string }) => row.position,
    );
    const report = await auditLedger(dataSource, { parallelism: 3, limit: 5 });
    expect(report).toMatchObject({ ok: false, violationCount: 12, violationsByKind: { hash_mismatch: 12 } });
    expect(report.violations.map((v) => v.position)).toEqual(positions.slice(0, 5));
    expect((await auditLedger(dataSource, { limit: 1000 })).violations).toHaveLength(12);
    await expect(auditLedger(dataSource, { limit: 0 })).rejects.toThrow(RangeError);
    await expect(auditLedger(dataSource, { limit: 1001 })).rejects.toThrow(RangeError);
  });

  it('names the event a superuser altered', async () => {
    const position = await positionOf('m-05', 2);
    await tamper(`UPDATE ledger_events SET occurred_at = occurred_at - interval '1 day' WHERE position = $1`, [position]);
    const report = await auditLedger(dataSource, { parallelism: 3 });
    expect(report.firstViolation).toMatchObject({ kind: 'hash_mismatch', memberId: 'm-05', position, version: 2 });
    // The events after it chain from its stored hash: one altered event is one violation.
    expect(report).toMatchObject({ violationCount: 1, violations: [report.firstViolation] });
  });

  it('names the next event when the altered one was given a matching hash: the chain breaks there', async () => {
    const altered = await positionOf('m-05', 2);
    await tamper(`UPDATE ledger_events SET data = '[1000]' WHERE position = $1`, [altered]);
    const previous = `(SELECT p.hash FROM ledger_events p WHERE p.member_id = e.member_id AND p.version = e.version - 1)`;
    await tamper(`UPDATE ledger_events e SET hash = ${storedHashSql(previous)} WHERE position = $1`, [altered]);
    const report = await auditLedger(dataSource);
    expect(report.firstViolation).toMatchObject({ kind: 'hash_mismatch', memberId: 'm-05', position: await positionOf('m-05', 3) });
    expect(report.violationCount).toBe(1);
  });

  it('names the event after the one a superuser removed from the middle of a chain, and only it', async () => {
    const after = await positionOf('m-07', 3);
    await tamper(`DELETE FROM ledger_events WHERE member_id = 'm-07' AND version = 2`);
    const report = await auditLedger(dataSource);
    expect(report.firstViolation).toMatchObject({ kind: 'version_gap', memberId: 'm-07', position: after, version: 3 });
    expect(report.violationCount).toBe(1);
  });

  it("notices a member's last event removed: the chain ends before its head", async () => {
    const third = await positionOf('m-09', 3);
    await tamper(`DELETE FROM ledger_events WHERE member_id = 'm-09' AND version = 4`);
    expect((await auditLedger(dataSource)).firstViolation).toMatchObject({ kind: 'head_mismatch', memberId: 'm-09', position: third });
  });

  it('notices every event of a member removed, and a balance that does not add up to its lots', async () => {
    await tamper(`DELETE FROM ledger_events WHERE member_id = 'm-11'`);
    expect((await auditLedger(dataSource)).firstViolation).toMatchObject({ kind: 'orphan_projection', memberId: 'm-11' });
    await superuser.query(`UPDATE open_lots SET remaining = remaining - 1 WHERE member_id = 'm-01' AND lot_order = 1`);
    const report = await auditLedger(dataSource);
    expect(report.firstViolation).toMatchObject({ kind: 'projection_mismatch', memberId: 'm-01' });
    expect(report.violations.map((v) => [v.kind, v.memberId])).toEqual([
      ['projection_mismatch', 'm-01'],
      ['orphan_projection', 'm-11'],
    ]);
  });

  it('checks only the members of its scope: a tampered member inside it is found, one outside is not', async () => {
    const altered = [await positionOf('m-02', 3), await positionOf('m-10', 1)];
    await tamper(`UPDATE ledger_events SET data = '[1000]' WHERE position = ANY($1)`, [altered]);
    await superuser.query(`UPDATE member_state SET available = available + 5 WHERE member_id = 'm-06'`);

    const listed = await auditLedger(dataSource, { scope: { memberIds: ['m-02', 'm-05'] } });
    expect(listed).toMatchObject({ ok: false, eventsChecked: 8, members: 2, violationCount: 1 });
    expect(listed.violations).toEqual([expect.objectContaining({ kind: 'hash_mismatch', memberId: 'm-02', position: altered[0] })]);

    // Both ends of a member range are in it.
    const ranged = await auditLedger(dataSource, { scope: { memberRange: { from: 'm-06', to: 'm-10' } } });
    expect(ranged).toMatchObject({ ok: false, eventsChecked: 20, members: 5, violationCount: 2 });
    expect(ranged.violations.map((v) => [v.kind, v.memberId])).toEqual([
      ['hash_mismatch', 'm-10'],
      ['projection_mismatch', 'm-06'],
    ]);

    expect(await auditLedger(dataSource, { scope: { memberRange: { from: 'm-03', to: 'm-05' } } })).toMatchObject({ ok: true, members: 3 });
    expect(await auditLedger(dataSource, { scope: { memberIds: ['m-10'], memberRange: { from: 'm-00', to: 'm-09' } } })).toMatchObject({
      ok: true,
      members: 0,
      eventsChecked: 0,
    });
    expect(await auditLedger(dataSource)).toMatchObject({ violationCount: 3, members: 12 });
  });

  it('checks the events recorded in its time range, each against the stored event before it, and the heads of their members', async () => {
    const later = new Date('2031-01-01T00:00:00Z');
    const another = new LedgerStore(dataSource, { clock: () => later, newEventId: randomUUID });
    await another.execute([earn('m-01', 'later-1'), earn('m-07', 'later-7')]);
    // One event before the range and one inside it altered; m-01's later event chains from the stored hash before it.
    const before = await positionOf('m-01', 4);
    const inside = await positionOf('m-07', 5);
    await tamper(`UPDATE ledger_events SET data = '[1000]' WHERE position = ANY($1)`, [[before, inside]]);

    const reports: [number, number][] = [];
    const recent = await auditLedger(dataSource, { scope: { from: '2030-01-01T00:00:00Z' }, onProgress: (done, total) => reports.push([done, total]) });
    expect(recent).toMatchObject({ ok: false, eventsChecked: 2, members: 2, violationCount: 1 });
    expect(reports[reports.length - 1]).toEqual([2, 2]);
    expect(recent.violations).toEqual([expect.objectContaining({ kind: 'hash_mismatch', memberId: 'm-07', position: inside })]);

    const earlier = await auditLedger(dataSource, { scope: { to: '2030-01-01T00:00:00Z' } });
    expect(earlier).toMatchObject({ ok: false, eventsChecked: 48, members: 12, violationCount: 1 });
    expect(earlier.violations).toEqual([expect.objectContaining({ kind: 'hash_mismatch', memberId: 'm-01', position: before })]);

    expect(await auditLedger(dataSource, { scope: { from: '2031-01-01T00:00:00.001Z' } })).toMatchObject({ ok: true, members: 0, eventsChecked: 0 });
  });

  it('refuses a scope that selects nothing by mistake', async () => {
    await expect(auditLedger(dataSource, { scope: { memberRange: { from: 'm-09', to: 'm-01' } } })).rejects.toThrow(/comes after/);
    await expect(auditLedger(dataSource, { scope: { from: '2030-01-01T00:00:00Z', to: '2029-01-01T00:00:00Z' } })).rejects.toThrow(/before/);
    await expect(auditLedger(dataSource, { scope: { memberIds: [] } })).rejects.toThrow(/no member/);
  });

  it('reports its progress chunk by chunk, in members, up to every member in scope', async () => {
    const reports: [number, number][] = [];
    const report = await auditLedger(dataSource, { onProgress: (done, total) => reports.push([done, total]) });
    expect(report.ok).toBe(true);
    expect(reports.every(([, total]) => total === 12)).toBe(true);
    expect(reports.some(([done]) => done > 0 && done < 12)).toBe(true);
    expect(reports.map(([done]) => done)).toEqual([...reports.map(([done]) => done)].sort((a, b) => a - b));
    expect(reports[reports.length - 1]).toEqual([12, 12]);
  });
});

describe('audit of decisions (invariant 9)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('audit_decisions', migrateLedger);
    dataSource = await new DataSource(ledgerDataSourceOptions(db.url, 4)).initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('passes refusals recorded on the head, and reports one written on a version behind it', async () => {
    const store = new LedgerStore(dataSource, { clock: () => new Date(), newEventId: randomUUID });
    await store.execute([earn('m-1', 'c-1'), earn('m-1', 'c-2')]);
    const refuse = {
      ...earn('m-1', 'r-1'),
      decide: () => ({ kind: 'reject' as const, memberId: 'm-1', code: 'INSUFFICIENT_POINTS', message: 'no', result: 'm-1' }),
    };
    expect(await store.executeOne(refuse)).toMatchObject({ status: 'rejected' });
    expect(await auditLedger(dataSource)).toMatchObject({ ok: true, violationCount: 0 });
    // What a process deciding on a stale state would have written, had nothing checked the head.
    await dataSource.query(
      `INSERT INTO rejections (scope, causation_id, member_id, code, message, recorded_at, member_version, head_version)
       VALUES ('redemption', 'r-stale', 'm-1', 'INSUFFICIENT_POINTS', 'no', now(), 1, 2)`,
    );
    const report = await auditLedger(dataSource);
    expect(report).toMatchObject({ ok: false, violationCount: 1, violationsByKind: { stale_decision: 1 } });
    expect(report.violations).toEqual([{ kind: 'stale_decision', memberId: 'm-1', version: 1, message: expect.stringContaining('r-stale') }]);
  });
});

describe('audit of events at the epoch', () => {
  let db: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('audit_epoch', migrateLedger);
    dataSource = await new DataSource(ledgerDataSourceOptions(db.url, 4)).initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  const earnAt = (memberId: string, occurredAt: string) => ({
    ...earn(memberId, `c-${memberId}`),
    decide: () => ({ kind: 'append' as const, events: [earnedEvent(memberId, 10, occurredAt)], result: memberId }),
  });

  it('passes purchases that occurred, and were appended, at exactly 1970-01-01T00:00:00Z', async () => {
    const store = new LedgerStore(dataSource, { clock: () => new Date(0), newEventId: randomUUID });
    await store.execute([earnAt('m-epoch', '1970-01-01T00:00:00Z'), earnAt('m-epoch-local', '1970-01-01T08:00:00+08:00')]);
    expect(await auditLedger(dataSource)).toMatchObject({ ok: true, eventsChecked: 2, violationCount: 0 });
  });
});
