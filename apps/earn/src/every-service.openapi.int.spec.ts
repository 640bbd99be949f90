/* eslint-disable @nx/enforce-module-boundaries -- the documents of all five real apps are checked here */
import { INestApplication } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { migrateLedger } from '@tally/ledger';
import { BaseConfig, ConsumerConfig, ServiceDefinition, createServiceApp, undocumentedResponses } from '@tally/platform';
import { TestDatabase, createTestDatabase, testKafkaBrokers, testNamespace } from '@tally/testing';
import { AppModule as ExpiryAppModule } from '../../expiry/src/app.module';
import { ExpiryConfig } from '../../expiry/src/config/expiry.config';
import { AppModule as LedgerAppModule } from '../../ledger/src/app.module';
import { AppModule as RedeemAppModule } from '../../redeem/src/app.module';
import { RedeemConfig } from '../../redeem/src/shared/redeem.config';
import { AppModule as TierAppModule } from '../../tier/src/app.module';
import { TierConfig } from '../../tier/src/config/tier.config';
import { AppModule as EarnAppModule } from './app.module';
import { EarnConfig } from './earn.config';

const definitions: Omit<ServiceDefinition<BaseConfig>, 'env' | 'defaultPort'>[] = [
  { service: 'ledger', config: ConsumerConfig, module: (c) => LedgerAppModule.forRoot(c as ConsumerConfig) },
  { service: 'earn', config: EarnConfig, module: (c) => EarnAppModule.forRoot(c as EarnConfig) },
  { service: 'redeem', config: RedeemConfig, module: (c) => RedeemAppModule.forRoot(c as RedeemConfig) },
  { service: 'tier', config: TierConfig, module: (c) => TierAppModule.forRoot(c as TierConfig) },
  { service: 'expiry', config: ExpiryConfig, module: (c) => ExpiryAppModule.forRoot(c as ExpiryConfig) },
];

describe("every service's OpenAPI document", () => {
  const namespace = testNamespace();
  let db: TestDatabase;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- OpenAPI documents are open-ended JSON
  const documents = new Map<string, any>();

  beforeAll(async () => {
    db = await createTestDatabase('openapi', migrateLedger);
    const env = {
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      DATABASE_URL: db.url,
      TALLY_TOPIC_NAMESPACE: namespace,
      LOG_LEVEL: 'warn',
      TALLY_TIER_DAILY_EVALUATION: 'off',
      TALLY_EXPIRY_INTERVAL_SECONDS: '0',
    };
    for (const definition of definitions) {
      const { app } = await createServiceApp({ ...definition, defaultPort: 0, env } as ServiceDefinition<BaseConfig>);
      try {
        await app.init();
        const fastify = (app as INestApplication as NestFastifyApplication).getHttpAdapter().getInstance();
        await fastify.ready();
        documents.set(definition.service, (await fastify.inject({ method: 'GET', url: '/docs-json' })).json());
      } finally {
        await app.close();
      }
    }
  }, 300_000);

  afterAll(async () => {
    await db?.drop();
  });

  it.each(definitions.map((d) => d.service))(
    '%s: every operation documents its success body with an example and each refusal with its error body',
    (service) => {
      const document = documents.get(service);
      expect(Object.keys(document.paths).length).toBeGreaterThan(0);
      expect(undocumentedResponses(document)).toEqual([]);
    },
  );

  it.each(definitions.map((d) => d.service))(
    '%s: bearer tokens are described as opaque, and protected operations list 401 and 403 with their codes',
    (service) => {
      const document = documents.get(service);
      expect(document.components.securitySchemes.bearer.description).toMatch(/opaque/i);
      for (const [path, item] of Object.entries<
        Record<string, { security?: unknown[]; responses: Record<string, { content?: { 'application/json': { example: { error: string } } } }> }>
      >(document.paths)) {
        for (const [method, operation] of Object.entries(item)) {
          const name = `${method.toUpperCase()} ${path}`;
          expect({ name, invalid: operation.responses['400']?.content?.['application/json'].example.error }).toEqual({ name, invalid: 'invalid_request' });
          if (path.startsWith('/health')) continue;
          expect({ name, codes: [operation.responses['401'], operation.responses['403']].map((r) => r?.content?.['application/json'].example.error) }).toEqual({
            name,
            codes: ['unauthorized', 'forbidden'],
          });
        }
      }
    },
  );
});
