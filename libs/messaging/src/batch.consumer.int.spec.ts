import { Topics, physicalTopicName } from '@tally/contracts';
import { testKafkaBrokers, testNamespace } from '@tally/testing';
import { Kafka } from 'kafkajs';
import { BatchConsumer, ConsumedMessage } from './batch.consumer';
import { createKafka, ensureTopics } from './kafka.connection';
import { TypedProducer } from './typed.producer';

const waitFor = async (condition: () => boolean, ms = 30_000) => {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe('batch consumer against a real broker', () => {
  const namespace = testNamespace();
  let kafka: Kafka;
  let producer: TypedProducer;

  beforeAll(async () => {
    kafka = createKafka({ brokers: testKafkaBrokers(), clientId: 'messaging-test', namespace });
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, namespace, [Topics.checkIns], 2);
    await admin.disconnect();
    producer = new TypedProducer(kafka, namespace);
  });

  afterAll(async () => {
    await producer.disconnect();
  });

  it('retries a failing batch without skipping it, then commits so a new consumer starts after it', async () => {
    const seen: ConsumedMessage[] = [];
    let failuresLeft = 2;
    const consumer = new BatchConsumer(kafka, {
      groupId: 'g1',
      topics: [Topics.checkIns],
      namespace,
      handle: async (messages) => {
        if (failuresLeft-- > 0) throw new Error('database down');
        seen.push(...messages);
      },
    });
    await consumer.start();
    await producer.send(Topics.checkIns, [
      { key: 'm-1', value: { eventId: 'ci-1', type: 'member.checked-in', occurredAt: '2026-11-23T08:00:00+08:00', memberId: 'm-1' } },
    ]);
    await waitFor(() => seen.length === 1);
    expect(seen[0]).toMatchObject({ contractTopic: 'loyalty.check-ins.v1', key: 'm-1', topic: physicalTopicName(Topics.checkIns, namespace) });
    await consumer.stop();

    const again: ConsumedMessage[] = [];
    const second = new BatchConsumer(kafka, { groupId: 'g1', topics: [Topics.checkIns], namespace, handle: async (m) => void again.push(...m) });
    await second.start();
    await producer.send(Topics.checkIns, [
      { key: 'm-2', value: { eventId: 'ci-2', type: 'member.checked-in', occurredAt: '2026-11-23T08:00:00+08:00', memberId: 'm-2' } },
    ]);
    await waitFor(() => again.length === 1);
    expect(again.map((m) => m.key)).toEqual(['m-2']);
    await second.stop();
  });

  it('hands a large partition batch over in chunks, in offset order, each once, and commits them', async () => {
    const checkIn = (i: number) => ({ key: 'm-chunks', value: { eventId: `chunk-${i}`, type: 'member.checked-in', occurredAt: '2026-11-23T08:00:00+08:00', memberId: 'm-chunks' } });
    // Sent before anyone consumes, so the first fetch brings them as one partition batch.
    await producer.send(Topics.checkIns, Array.from({ length: 25 }, (_, i) => checkIn(i)));
    const calls: string[][] = [];
    const ids = (messages: ConsumedMessage[]) => messages.map((m) => (JSON.parse(String(m.value)) as { eventId: string }).eventId);
    const consumer = new BatchConsumer(kafka, { groupId: 'g-chunks', topics: [Topics.checkIns], namespace, chunkSize: 10, handle: async (m) => void calls.push(ids(m)) });
    await consumer.start();
    await waitFor(() => calls.flat().filter((id) => id.startsWith('chunk-')).length === 25);
    await consumer.stop();
    // Other partitions' messages (the first test's) may share a call: count this partition's.
    expect(Math.max(...calls.map((c) => c.filter((id) => id.startsWith('chunk-')).length))).toBe(10);
    expect(calls.flat().filter((id) => id.startsWith('chunk-'))).toEqual(Array.from({ length: 25 }, (_, i) => `chunk-${i}`));

    const later: string[] = [];
    const second = new BatchConsumer(kafka, { groupId: 'g-chunks', topics: [Topics.checkIns], namespace, handle: async (m) => void later.push(...ids(m)) });
    await second.start();
    await producer.send(Topics.checkIns, [checkIn(99)]);
    await waitFor(() => later.includes('chunk-99'));
    await second.stop();
    expect(later.filter((id) => id.startsWith('chunk-'))).toEqual(['chunk-99']);
  });
});
