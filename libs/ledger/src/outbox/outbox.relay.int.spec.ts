import { randomUUID } from 'node:crypto';
import { LedgerEvent } from '@tally/contracts';
import { TestDatabase, createTestDatabase } from '@tally/testing';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { LedgerStore } from '../append/ledger.store';
import { ledgerDataSourceOptions, migrateLedger } from '../database/data-source';
import { earnCommand } from '../testing/ledger.fixtures';
import { OutboxRelay } from './outbox.relay';

const earn = (memberId: string, causationId: string) => earnCommand('outbox-test', memberId, causationId);

describe('outbox relay', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let store: LedgerStore;

  beforeAll(async () => {
    db = await createTestDatabase('outbox', migrateLedger);
    dataSource = await new DataSource(ledgerDataSourceOptions(db.url, 10)).initialize();
    store = new LedgerStore(dataSource, { clock: () => new Date(), newEventId: randomUUID });
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('never skips an append whose transaction commits after later ones were relayed', async () => {
    const published: LedgerEvent[] = [];
    const relay = new OutboxRelay(dataSource, async (events) => void published.push(...events));

    const slow = new Client({ connectionString: db.url });
    await slow.connect();
    await slow.query('BEGIN');
    const [{ position: slowPosition }] = (
      await slow.query(
        `WITH e AS (
           INSERT INTO ledger_events (member_id, version, event_id, type, data, occurred_at, recorded_at, causation_id, hash)
           VALUES ('m-slow', 1, $1, 'points.released', '["lot-slow", 10]', now(), now(), 'slow', '\\x00') RETURNING position)
         INSERT INTO outbox (positions) SELECT array_agg(position) FROM e RETURNING positions[1] AS position`,
        [randomUUID()],
      )
    ).rows;

    for (let i = 0; i < 5; i++) await store.executeOne(earn(`m-fast-${i}`, `fast-${i}`));
    const started = Date.now();
    while (Date.now() - started < 3000) await relay.relayOnce();
    expect(published.map((e) => e.memberId).sort()).toEqual(['m-fast-0', 'm-fast-1', 'm-fast-2', 'm-fast-3', 'm-fast-4']);
    expect(published.every((e) => BigInt(e.position) > BigInt(slowPosition))).toBe(true);

    await slow.query('COMMIT');
    await slow.end();
    while ((await relay.relayOnce()) > 0);
    expect(published.map((e) => e.memberId)).toContain('m-slow');
    expect(published).toHaveLength(6);
    expect(await relay.pending()).toBe(0);
  });

  it('queues one row per transaction, however many events it appended, and publishes them all', async () => {
    const [{ before }] = await dataSource.query('SELECT count(*)::int AS before FROM outbox');
    await store.execute(Array.from({ length: 50 }, (_, i) => earn(`m-batch-${i % 7}`, `batch-${i}`)));
    const [{ after }] = await dataSource.query('SELECT count(*)::int AS after FROM outbox');
    expect(after - before).toBe(1);
    const published: LedgerEvent[] = [];
    const relay = new OutboxRelay(dataSource, async (events) => void published.push(...events), 20);
    expect(await relay.pending()).toBeGreaterThanOrEqual(50);
    while ((await relay.relayOnce()) > 0);
    const batch = published.filter((e) => e.memberId.startsWith('m-batch-'));
    expect(batch).toHaveLength(50);
    for (let m = 0; m < 7; m++) {
      const versions = batch.filter((e) => e.memberId === `m-batch-${m}`).map((e) => e.version);
      expect(versions).toEqual(versions.map((_, i) => i + 1));
    }
    expect(await relay.pending()).toBe(0);
  });

  it('publishes each member’s events in version order', async () => {
    const published: LedgerEvent[] = [];
    const relay = new OutboxRelay(dataSource, async (events) => void published.push(...events), 3);
    for (let i = 0; i < 7; i++) await store.executeOne(earn('m-ordered', `o-${i}`));
    while ((await relay.relayOnce()) > 0);
    expect(published.filter((e) => e.memberId === 'm-ordered').map((e) => e.version)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});
