import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { ALL_TOPICS, DEAD_LETTER_REASONS } from '@tally/contracts';
import { migrateLedger } from '@tally/ledger';
import { ConsumerConfig, createServiceApp, listeningUrl } from '@tally/platform';
import { TestDatabase, createTestDatabase, testKafkaBrokers } from '@tally/testing';
import { AppModule, DEFAULT_PORT, SERVICE } from '../app.module';

const GENERATED = join(__dirname, '../../../../libs/contracts/generated/asyncapi.json');

describe('ledger app: the AsyncAPI document', () => {
  let app: INestApplication;
  let db: TestDatabase;
  let url: string;

  beforeAll(async () => {
    db = await createTestDatabase('ledger_asyncapi', migrateLedger);
    const env = { KAFKA_BROKERS: testKafkaBrokers().join(','), DATABASE_URL: db.url, TALLY_API_TOKENS: 'asyncapi-ops=ops', LOG_LEVEL: 'warn' };
    ({ app } = await createServiceApp({
      service: SERVICE,
      defaultPort: DEFAULT_PORT,
      config: ConsumerConfig,
      module: (config) => AppModule.forRoot(config),
      env,
    }));
    await app.listen(0, '127.0.0.1');
    url = listeningUrl(app);
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('serves, without a token, the document the generator wrote for producers', async () => {
    // when a producer fetches /asyncapi.json
    const response = await fetch(`${url}/asyncapi.json`);
    // then it is the committed generated document
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(JSON.parse(readFileSync(GENERATED, 'utf8')));
  });

  it('renders it as a page that names every topic and every dead-letter reason, and loads nothing from elsewhere', async () => {
    const response = await fetch(`${url}/asyncapi`);
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    for (const topic of ALL_TOPICS) expect(html).toContain(topic.name);
    for (const reason of Object.keys(DEAD_LETTER_REASONS)) expect(html).toContain(reason);
    expect(html).not.toMatch(/<script|<link|src="http/);
  });
});
