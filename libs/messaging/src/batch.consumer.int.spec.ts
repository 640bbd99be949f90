import { Logger } from '@nestjs/common';
import { Topics, physicalTopicName } from '@tally/contracts';
import { testKafkaBrokers, testNamespace } from '@tally/testing';
import { CompressionCodecs, CompressionTypes, Kafka, Producer } from 'kafkajs';
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

  it('hands over only what transactional producers committed, and commits past a partition that ends in an aborted transaction', async () => {
    const topic = physicalTopicName(Topics.checkIns, namespace);
    const value = (eventId: string) => JSON.stringify({ eventId, type: 'member.checked-in', occurredAt: '2026-11-23T08:00:00+08:00', memberId: 'm-tx' });
    const message = (eventId: string) => ({ topic, messages: [{ key: 'm-tx', value: value(eventId) }] });
    const transactional = async (id: string): Promise<Producer> => {
      const p = kafka.producer({ transactionalId: `${namespace}${id}`, idempotent: true, maxInFlightRequests: 1 });
      await p.connect();
      return p;
    };
    const [a, b, plain] = [await transactional('tx-a'), await transactional('tx-b'), kafka.producer()];
    await plain.connect();
    const seen: string[] = [];
    const consumer = new BatchConsumer(kafka, { groupId: 'g-tx', topics: [Topics.checkIns], namespace, handle: async (m) => void seen.push(...m.map((x) => (JSON.parse(String(x.value)) as { eventId: string }).eventId)) });
    /** Partitions whose committed offset is not the end of the log yet, as `partition: committed/end`. */
    const behind = async () => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const [offsets] = await admin.fetchOffsets({ groupId: `${namespace}g-tx`, topics: [topic] });
        const ends = await admin.fetchTopicOffsets(topic);
        const at = (partition: number) => offsets.partitions.find((p) => p.partition === partition)?.offset;
        return ends.filter((end) => end.high !== '0' && at(end.partition) !== end.high).map((end) => `${end.partition}: ${at(end.partition)}/${end.high}`);
      } finally {
        await admin.disconnect();
      }
    };
    const waitCommitted = async (when: string) => {
      for (let left = await behind(), until = Date.now() + 20_000; left.length > 0; left = await behind()) {
        if (Date.now() > until) throw new Error(`${when}: the group did not commit up to the end of the log (${left.join(', ')})`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    };
    try {
      await consumer.start();
      // Two transactions open at once on one partition; the one begun second is aborted first,
      // so the broker lists it first among the aborted ones.
      await plain.send(message('plain-1'));
      const ta = await a.transaction();
      await ta.send(message('a-aborted-1'));
      const tb = await b.transaction();
      await tb.send(message('b-aborted'));
      await plain.send(message('plain-2'));
      await tb.abort();
      await ta.send(message('a-aborted-2'));
      await ta.abort();
      await plain.send(message('plain-3'));
      const tc = await a.transaction();
      await tc.send(message('a-committed'));
      await tc.commit();
      await waitFor(() => seen.includes('a-committed'));
      await waitCommitted('after the committed transaction');

      // A fetch that brings only an aborted transaction and its marker hands nothing over; the group still moves past it.
      const td = await b.transaction();
      await td.send(message('b-aborted-at-the-end'));
      await td.abort();
      await waitCommitted('after the aborted transaction at the end');
      // The topic also holds the other tests' check-ins.
      expect(seen.filter((id) => /^(plain|a|b)-/.test(id))).toEqual(['plain-1', 'plain-2', 'plain-3', 'a-committed']);
    } finally {
      await consumer.stop();
      for (const p of [a, b, plain]) await p.disconnect();
    }
  });

  it('logs a batch it cannot decompress as an error on every try, stays alive and goes on once it can', async () => {
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const lz4 = CompressionCodecs[CompressionTypes.LZ4]();
    let readable = false;
    CompressionCodecs[CompressionTypes.LZ4] = () => ({
      compress: lz4.compress,
      decompress: (buffer: Buffer) => (readable ? lz4.decompress(buffer) : Promise.reject(new Error('cannot decompress a lz4 record batch: unreadable here'))),
    });
    const logged = (pattern: RegExp) => errors.mock.calls.some(([message]) => pattern.test(String(message)));
    const seen: string[] = [];
    const consumer = new BatchConsumer(kafka, { groupId: 'g-unreadable', topics: [Topics.checkIns], namespace, handle: async (m) => void seen.push(...m.map((x) => String(x.key))) });
    const lz4Producer = new TypedProducer(kafka, namespace, 'lz4');
    try {
      await lz4Producer.send(Topics.checkIns, [{ key: 'm-lz4', value: { eventId: 'ci-lz4', type: 'member.checked-in', occurredAt: '2026-11-23T08:00:00+08:00', memberId: 'm-lz4' } }]);
      await consumer.start();
      // kafkajs retries the fetch, then restarts the consumer, which fetches the batch again.
      await waitFor(() => logged(/Restarting the consumer/) && errors.mock.calls.filter(([m]) => /cannot decompress a lz4 record batch/.test(String(m))).length >= 2, 60_000);
      expect(seen).not.toContain('m-lz4');
      readable = true;
      await waitFor(() => seen.includes('m-lz4'), 60_000);
    } finally {
      CompressionCodecs[CompressionTypes.LZ4] = () => lz4;
      errors.mockRestore();
      await consumer.stop();
      await lz4Producer.disconnect();
    }
  });
});
