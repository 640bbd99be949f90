import { randomUUID } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import { NewLedgerEvent } from '@tally/contracts';
import { LedgerStore, ledgerDataSourceOptions, migrateLedger } from '@tally/ledger';
import { MemberState } from '@tally/member-ledger';
import { createServiceApp, listeningUrl } from '@tally/platform';
import { decideHold, decideRelease } from '@tally/redemption';
import { TestDatabase, createTestDatabase, testKafkaBrokers, testNamespace } from '@tally/testing';
import { DataSource } from 'typeorm';
// eslint-disable-next-line @nx/enforce-module-boundaries -- test support shared with the tier service's integration tests
import { LedgerDriver } from '../../tier/src/testing/ledger-driver';
import { AppModule } from './app.module';
import { ExpiryConfig } from './config/expiry.config';

const TOKEN = 'expiry-ops-token';

/**
 * The expiry service beside an earn and redeem process of their own (a store with its own cache
 * and connections): each test sweeps once, so the expiry service has folded the member, then
 * moves the member on through the other process, then sweeps again once something is due.
 */
describe('expiry sweeps rest on the ledger head (invariant 9)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let url: string;
  let otherSource: DataSource;
  let other: LedgerStore;
  let driver: LedgerDriver;

  beforeAll(async () => {
    db = await createTestDatabase('expiry_head', migrateLedger);
    const env = {
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      DATABASE_URL: db.url,
      TALLY_API_TOKENS: `${TOKEN}=ops`,
      TALLY_TOPIC_NAMESPACE: testNamespace(),
      TALLY_EXPIRY_INTERVAL_SECONDS: '0',
      LOG_LEVEL: 'warn',
    };
    app = (await createServiceApp({ service: 'expiry', defaultPort: 0, config: ExpiryConfig, module: (c) => AppModule.forRoot(c), env })).app;
    await app.listen(0);
    url = listeningUrl(app);
    otherSource = await new DataSource(ledgerDataSourceOptions(db.url, 2)).initialize();
    other = new LedgerStore(otherSource, { clock: () => new Date(), newEventId: randomUUID });
    driver = new LedgerDriver(other);
  });

  afterAll(async () => {
    await app?.close();
    await otherSource?.destroy();
    await db?.drop();
  });

  const sweep = async (asOf: string) => {
    const res = await fetch(`${url}/ops/expiry/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ asOf }),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as { lotsExpired: number; pointsExpired: number; pointsReleased: number };
  };

  /** What a redeem process would append for the member, decided on the other store's state. */
  const act = async (memberId: string, decide: (state: MemberState) => NewLedgerEvent[]) => {
    const [result] = await other.execute([
      {
        scope: 'test-act',
        causationId: randomUUID(),
        memberIds: [memberId],
        decide: (states) => ({ kind: 'append', events: decide(states[memberId]), result: null }),
      },
    ]);
    expect(result.status).toBe('appended');
  };

  const openLots = (memberId: string) => otherSource.query('SELECT lot_id, remaining::int FROM open_lots WHERE member_id = $1 ORDER BY lot_id', [memberId]);

  it('releases a pending lot and expires a late, backdated lot that came after the sweep had folded the member', async () => {
    await driver.purchase('m-late', 10_000, '2024-01-10T10:00:00Z'); // lot-m-late-1, expires 2025-01-10
    expect(await sweep('2025-02-01T00:00:00Z')).toMatchObject({ lotsExpired: 1, pointsExpired: 100 });
    await driver.purchase('m-late', 20_000, '2024-02-15T10:00:00Z'); // lot-m-late-2, a branch's purchase arriving late: expired 2025-02-15
    await driver.append('m-late', [
      {
        type: 'points.earned',
        memberId: 'm-late',
        occurredAt: '2025-02-10T10:00:00Z',
        data: {
          points: 50,
          lotId: 'pending-1',
          expiresAt: '2026-02-10T10:00:00.000Z',
          availableAt: '2025-02-20T10:00:00.000Z',
          reason: 'purchase',
          tier: 'member',
          multiplier: 1,
          ruleIds: [],
        },
      },
    ]);
    expect(await sweep('2025-03-01T00:00:00Z')).toMatchObject({ lotsExpired: 1, pointsExpired: 200, pointsReleased: 50 });
    expect(await openLots('m-late')).toEqual([{ lot_id: 'pending-1', remaining: 50 }]);
  });

  it('expires the points a hold released back into a lot that had expired meanwhile', async () => {
    await driver.purchase('m-hold', 30_000, '2024-03-01T10:00:00Z'); // 300 points, expire 2025-03-01
    await act('m-hold', (state) => {
      const decision = decideHold(state, { holdId: 'h-1', points: 120, storeId: 'sh-07', ttlSeconds: 3600, occurredAt: '2025-02-28T10:00:00Z' });
      if (decision.kind !== 'append') throw new Error(decision.code);
      return decision.events;
    });
    expect(await sweep('2025-03-02T00:00:00Z')).toMatchObject({ lotsExpired: 1, pointsExpired: 180 });
    await act('m-hold', (state) => {
      const decision = decideRelease(state, { holdId: 'h-1', occurredAt: '2025-03-02T10:00:00Z', reason: 'released' });
      if (decision.kind !== 'append') throw new Error(decision.code);
      return decision.events;
    });
    expect(await openLots('m-hold')).toEqual([{ lot_id: 'lot-m-hold-1', remaining: 120 }]);
    expect(await sweep('2025-03-03T00:00:00Z')).toMatchObject({ lotsExpired: 1, pointsExpired: 120 });
    expect(await openLots('m-hold')).toEqual([]);
  });

  it('expires, in a second sweep at the same instant, points a hold released after the first', async () => {
    await driver.purchase('m-same', 30_000, '2024-04-01T10:00:00Z'); // 300 points, expire 2025-04-01
    await act('m-same', (state) => {
      const decision = decideHold(state, { holdId: 'h-2', points: 50, storeId: 'sh-07', ttlSeconds: 3600, occurredAt: '2025-03-31T10:00:00Z' });
      if (decision.kind !== 'append') throw new Error(decision.code);
      return decision.events;
    });
    expect(await sweep('2025-04-02T00:00:00Z')).toMatchObject({ lotsExpired: 1, pointsExpired: 250 });
    await act('m-same', (state) => {
      const decision = decideRelease(state, { holdId: 'h-2', occurredAt: '2025-04-01T12:00:00Z', reason: 'released' });
      if (decision.kind !== 'append') throw new Error(decision.code);
      return decision.events;
    });
    expect(await sweep('2025-04-02T00:00:00Z')).toMatchObject({ lotsExpired: 1, pointsExpired: 50 });
    expect(await openLots('m-same')).toEqual([]);
  });
});
