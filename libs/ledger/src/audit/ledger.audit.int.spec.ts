import { randomUUID } from 'node:crypto';
import { TestDatabase, createTestDatabase } from '@tally/testing';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { LedgerStore } from '../append/ledger.store';
import { ledgerDataSourceOptions, migrateLedger } from '../database/data-source';
import { storedHashSql } from '../hashing/event-hash';
import { earnCommand } from '../testing/ledger.fixtures';
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
      expect(await auditLedger(dataSource, { parallelism })).toMatchObject({ ok: true, eventsChecked: 48, members: 12 });
    }
  });

  it('names the event a superuser altered', async () => {
    const position = await positionOf('m-05', 2);
    await tamper(`UPDATE ledger_events SET occurred_at = occurred_at - interval '1 day' WHERE position = $1`, [position]);
    expect((await auditLedger(dataSource, { parallelism: 3 })).firstViolation).toMatchObject({ kind: 'hash_mismatch', memberId: 'm-05', position, version: 2 });
  });

  it('names the next event when the altered one was given a matching hash: the chain breaks there', async () => {
    const altered = await positionOf('m-05', 2);
    await tamper(`UPDATE ledger_events SET data = '[1000]' WHERE position = $1`, [altered]);
    const previous = `(SELECT p.hash FROM ledger_events p WHERE p.member_id = e.member_id AND p.version = e.version - 1)`;
    await tamper(`UPDATE ledger_events e SET hash = ${storedHashSql(previous)} WHERE position = $1`, [altered]);
    expect((await auditLedger(dataSource)).firstViolation).toMatchObject({ kind: 'hash_mismatch', memberId: 'm-05', position: await positionOf('m-05', 3) });
  });

  it('names the event after the one a superuser removed from the middle of a chain', async () => {
    const after = await positionOf('m-07', 3);
    await tamper(`DELETE FROM ledger_events WHERE member_id = 'm-07' AND version = 2`);
    expect((await auditLedger(dataSource)).firstViolation).toMatchObject({ kind: 'version_gap', memberId: 'm-07', position: after, version: 3 });
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
    expect((await auditLedger(dataSource)).firstViolation).toMatchObject({ kind: 'projection_mismatch', memberId: 'm-01' });
  });
});
