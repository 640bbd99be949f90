import { randomUUID } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import { LedgerStore, ledgerDataSourceOptions, migrateLedger } from '@tally/ledger';
import { createServiceApp } from '@tally/platform';
import { TestDatabase, createTestDatabase, testKafkaBrokers, testNamespace } from '@tally/testing';
import { DataSource } from 'typeorm';
import { AppModule } from './app.module';
import { TierConfig } from './config/tier.config';
import { LedgerDriver } from './testing/ledger-driver';
import { TierService } from './tiers/tier.service';

/**
 * The tier service beside an earn process of its own (the driver has its own store, cache and
 * connections): the members move on behind the tier service's back, as they do in production.
 */
describe('tier decisions rest on the ledger head (invariant 9)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let tiers: TierService;
  let earnSource: DataSource;
  let driver: LedgerDriver;

  beforeAll(async () => {
    db = await createTestDatabase('tier_head', migrateLedger);
    const env = {
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      DATABASE_URL: db.url,
      TALLY_API_TOKENS: 'tier-ops=ops',
      TALLY_TOPIC_NAMESPACE: testNamespace(),
      TALLY_TIER_DAILY_EVALUATION: 'off',
      LOG_LEVEL: 'warn',
    };
    app = (await createServiceApp({ service: 'tier', defaultPort: 0, config: TierConfig, module: (c) => AppModule.forRoot(c), env })).app;
    await app.init();
    tiers = app.get(TierService);
    earnSource = await new DataSource(ledgerDataSourceOptions(db.url, 2)).initialize();
    driver = new LedgerDriver(new LedgerStore(earnSource, { clock: () => new Date(), newEventId: randomUUID }));
  });

  afterAll(async () => {
    await app?.close();
    await earnSource?.destroy();
    await db?.drop();
  });

  const tierOf = async (memberId: string): Promise<string> =>
    (await earnSource.query('SELECT tier FROM member_state WHERE member_id = $1', [memberId]))[0].tier;

  it('upgrades silver to gold on points the earn process added after the silver upgrade, and the next purchase earns x1.5', async () => {
    await driver.purchase('m-gold', 100_000, '2026-03-01T10:00:00Z'); // 1,000 points
    expect(await tiers.upgrade([{ memberId: 'm-gold', version: 1 }], '2026-03-01T10:01:00Z')).toEqual({ checked: 1, upgraded: 1 });
    const silver = await driver.purchase('m-gold', 320_000, '2026-03-02T10:00:00Z'); // 3,200 x 1.25 = 4,000 points
    expect(silver.data).toMatchObject({ tier: 'silver', points: 4000 });
    expect(await tiers.upgrade([{ memberId: 'm-gold', version: 3 }], '2026-03-02T10:01:00Z')).toEqual({ checked: 1, upgraded: 1 });
    expect(await tierOf('m-gold')).toBe('gold');
    const next = await driver.purchase('m-gold', 10_000, '2026-03-03T10:00:00Z');
    expect(next.data).toMatchObject({ tier: 'gold', multiplier: 1.5, points: 150 });
  });

  it('upgrades a member from the lowest tier once a later purchase passes the threshold', async () => {
    await driver.purchase('m-later', 50_000, '2026-04-01T10:00:00Z');
    expect(await tiers.upgrade([{ memberId: 'm-later', version: 1 }], '2026-04-01T10:01:00Z')).toEqual({ checked: 1, upgraded: 0 });
    await driver.purchase('m-later', 60_000, '2026-04-02T10:00:00Z');
    expect(await tiers.upgrade([{ memberId: 'm-later', version: 2 }], '2026-04-02T10:01:00Z')).toEqual({ checked: 1, upgraded: 1 });
    expect(await tierOf('m-later')).toBe('silver');
  });

  it('upgrades in the daily evaluation a member on the lowest tier whose upgrade check never came', async () => {
    await driver.purchase('m-missed', 150_000, '2026-05-01T10:00:00Z');
    const summary = await tiers.evaluateDaily('2026-05-02T03:00:00Z');
    expect(summary).toMatchObject({ upgraded: 1 });
    expect(await tierOf('m-missed')).toBe('silver');
  });
});
