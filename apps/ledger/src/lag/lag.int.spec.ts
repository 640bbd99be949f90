import { testKafkaBrokers, testNamespace } from '@tally/testing';
import { Admin, Kafka, logLevel } from 'kafkajs';
import { RunningLedgerApp, startLedgerApp } from '../testing/ledger-app';

const OPS = 'lag-ops';

describe('GET /ops/lag', () => {
  let ledger: RunningLedgerApp;
  let url: string;
  let admin: Admin;
  const namespace = testNamespace();
  const topic = `${namespace}lag-probe.v1`;
  const group = `${namespace}lag-probe-group`;

  beforeAll(async () => {
    const kafka = new Kafka({ brokers: testKafkaBrokers(), logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] });
    await producer.disconnect();
    // A group that read one message of three.
    await admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: '1' }] });
    ledger = await startLedgerApp('ledger_lag', OPS, namespace);
    url = ledger.url;
  });

  afterAll(async () => {
    await ledger?.stop();
    await admin?.deleteGroups([group]).catch(() => undefined);
    await admin?.disconnect();
  });

  it("reports each group's lag per partition, the outbox's, and the same lag on /metrics", async () => {
    const response = await fetch(`${url}/ops/lag`, { headers: { Authorization: `Bearer ${OPS}` } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { consumers: object[]; totalLag: number; outbox: object };
    expect(body.consumers).toContainEqual({ group, topic, partition: 0, committed: '1', end: '3', lag: 2 });
    expect(body.totalLag).toBeGreaterThanOrEqual(2);
    expect(body.outbox).toEqual({ pendingTransactions: 0, oldestAgeSeconds: 0 });
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain(`tally_consumer_group_lag_messages{group="${group}",topic="${topic}",partition="0",service="ledger"} 2`);
  });
});
