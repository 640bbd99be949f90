import { INestApplication } from '@nestjs/common';
import { migrateLedger } from '@tally/ledger';
import { createServiceApp, listeningUrl } from '@tally/platform';
import { TestDatabase, createTestDatabase, testKafkaBrokers } from '@tally/testing';
import { AppModule, DEFAULT_PORT, SERVICE } from '../app.module';
import { LedgerConfig } from '../ledger.config';

export interface RunningLedgerApp {
  app: INestApplication;
  db: TestDatabase;
  url: string;
  stop(): Promise<void>;
}

/**
 * The ledger app as it runs in production, on a database of its own and a free port, with one ops
 * token and any other tokens given (token -> role, e.g. `{ 'r-1': 'read', 's-1': 'store:sh-07' }`).
 */
export const startLedgerApp = async (
  name: string,
  opsToken: string,
  namespace = `int-${name}-${Date.now()}.`,
  otherTokens: Readonly<Record<string, string>> = {},
): Promise<RunningLedgerApp> => {
  const db = await createTestDatabase(name, migrateLedger);
  const env = {
    KAFKA_BROKERS: testKafkaBrokers().join(','),
    DATABASE_URL: db.url,
    TALLY_TOPIC_NAMESPACE: namespace,
    TALLY_API_TOKENS: [`${opsToken}=ops`, ...Object.entries(otherTokens).map(([token, role]) => `${token}=${role}`)].join(','),
    LOG_LEVEL: 'warn',
  };
  const { app } = await createServiceApp({
    service: SERVICE,
    defaultPort: DEFAULT_PORT,
    config: LedgerConfig,
    module: (config) => AppModule.forRoot(config),
    env,
  });
  await app.listen(0, '127.0.0.1');
  return {
    app,
    db,
    url: listeningUrl(app),
    stop: async () => {
      await app.close();
      await db.drop();
    },
  };
};
