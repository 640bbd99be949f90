import { INestApplication } from '@nestjs/common';
import { SpanKind, context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { Topics } from '@tally/contracts';
import { migrateLedger } from '@tally/ledger';
import { ConsumerConfig, createServiceApp, listeningUrl, startTracing, stopTracing, traceHeaders, tracer } from '@tally/platform';
import { TestDatabase, createTestDatabase, eventually, serviceTestEnv, testKafkaBrokers, testNamespace } from '@tally/testing';
import { Kafka, Producer, logLevel } from 'kafkajs';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the trace runs through the real ledger app
import { AppModule as LedgerAppModule } from '../../ledger/src/app.module';
// eslint-disable-next-line @nx/enforce-module-boundaries -- and ends in the real tier app
import { AppModule as TierAppModule } from '../../tier/src/app.module';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the tier app's own config class
import { TierConfig } from '../../tier/src/config/tier.config';
import { AppModule as EarnAppModule } from './app.module';
import { EarnConfig } from './earn.config';

const TOKEN = 'trace-ops-token';

describe('one trace from the point of sale to the tier service', () => {
  const namespace = testNamespace();
  const exporter = new InMemorySpanExporter();
  let db: TestDatabase;
  const apps: INestApplication[] = [];
  let producer: Producer;

  const env = () => serviceTestEnv(db.url, namespace, `${TOKEN}=ops`);

  beforeAll(async () => {
    startTracing('trace-test', {}, [new SimpleSpanProcessor(exporter)]);
    db = await createTestDatabase('trace', migrateLedger);
    apps.push(
      (await createServiceApp({ service: 'ledger', defaultPort: 0, config: ConsumerConfig, module: (c) => LedgerAppModule.forRoot(c), env: env() })).app,
    );
    apps.push((await createServiceApp({ service: 'earn', defaultPort: 0, config: EarnConfig, module: (c) => EarnAppModule.forRoot(c), env: env() })).app);
    apps.push((await createServiceApp({ service: 'tier', defaultPort: 0, config: TierConfig, module: (c) => TierAppModule.forRoot(c), env: env() })).app);
    for (const app of apps) await app.listen(0);
    producer = new Kafka({ clientId: 'trace-pos', brokers: testKafkaBrokers(), logLevel: logLevel.ERROR }).producer();
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    for (const app of apps.reverse()) await app.close();
    await db?.drop();
    await stopTracing();
  });

  const spansOf = (traceId: string): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);

  it("carries a purchase's traceparent through earn's batch, the ledger append, the outbox relay and tier's batch", async () => {
    const checkout = tracer().startSpan('pos checkout', { kind: SpanKind.PRODUCER });
    const headers = traceHeaders(trace.setSpan(context.active(), checkout));
    const traceId = checkout.spanContext().traceId;
    const purchase = {
      eventId: 'pos-trace-1',
      type: 'purchase.completed',
      occurredAt: new Date(Date.now() - 60_000).toISOString(),
      memberId: 'm-trace',
      storeId: 'sh-07',
      channel: 'store',
      orderId: 'o-trace',
      amountMinor: 12990,
      currency: 'CNY',
    };
    await producer.send({ topic: `${namespace}${Topics.purchases.name}`, messages: [{ key: 'm-trace', value: JSON.stringify(purchase), headers }] });
    checkout.end();

    const names = await eventually(async () => {
      const found = spansOf(traceId).map((s) => s.name);
      return found.some((n) => /tier.* process$/.test(n)) ? found : undefined;
    });
    expect(names).toEqual(expect.arrayContaining(['pos checkout', 'ledger append', 'ledger relay']));
    expect(names.some((n) => /earn.* process$/.test(n))).toBe(true);

    // Parent links, not just a shared id: earn's batch hangs off the checkout, the append off the
    // batch, the relay off the append, tier's batch off the relay.
    const spans = spansOf(traceId);
    const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
    const parentOf = (s: ReadableSpan) => byId.get(s.parentSpanContext?.spanId ?? '')?.name;
    const tierBatch = spans.find((s) => /tier.* process$/.test(s.name)) as ReadableSpan;
    expect(parentOf(tierBatch)).toBe('ledger relay');
    const relay = spans.find((s) => s.name === 'ledger relay') as ReadableSpan;
    expect(parentOf(relay)).toBe('ledger append');
    const earnAppend = byId.get(relay.parentSpanContext?.spanId ?? '') as ReadableSpan;
    expect(parentOf(earnAppend)).toMatch(/earn.* process$/);
    expect(parentOf(byId.get(earnAppend.parentSpanContext?.spanId ?? '') as ReadableSpan)).toBe('pos checkout');
  });

  it("answers an HTTP request inside the caller's trace and returns it with a server span", async () => {
    const caller = tracer().startSpan('checkout client');
    const headers = traceHeaders(trace.setSpan(context.active(), caller));
    const res = await fetch(`${listeningUrl(apps[0])}/members/m-trace/balance`, { headers: { ...headers, authorization: `Bearer ${TOKEN}` } });
    caller.end();
    expect(res.status).toBeLessThan(500);
    const server = await eventually(async () => spansOf(caller.spanContext().traceId).find((s) => s.kind === SpanKind.SERVER));
    expect(server.name).toBe('GET /members/:memberId/balance');
    expect(server.parentSpanContext?.spanId).toBe(caller.spanContext().spanId);
  });
});
