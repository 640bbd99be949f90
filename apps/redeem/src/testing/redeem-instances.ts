import { INestApplication } from '@nestjs/common';
import { createServiceApp, listeningUrl } from '@tally/platform';
import { TestDatabase, testKafkaBrokers } from '@tally/testing';
import { AppModule } from '../app.module';
import { RedeemConfig } from '../shared/redeem.config';

/** Redeem services on one test database, as production starts them, listening on free ports. */
export const startRedeemInstances = async (
  db: TestDatabase,
  count: number,
  env: Record<string, string>,
): Promise<{ apps: INestApplication[]; urls: string[] }> => {
  const apps: INestApplication[] = [];
  const urls: string[] = [];
  const fullEnv = {
    DATABASE_URL: db.url,
    KAFKA_BROKERS: testKafkaBrokers().join(','),
    TALLY_HOLD_EXPIRY_INTERVAL_MS: '0',
    LOG_LEVEL: 'warn',
    PORT: '0',
    ...env,
  };
  for (let i = 0; i < count; i++) {
    const { app } = await createServiceApp({ service: 'redeem', defaultPort: 0, config: RedeemConfig, module: (c) => AppModule.forRoot(c), env: fullEnv });
    await app.listen(0, '127.0.0.1');
    apps.push(app);
    urls.push(listeningUrl(app));
  }
  return { apps, urls };
};
