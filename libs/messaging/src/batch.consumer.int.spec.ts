import { Logger } from '@nestjs/common';
import { Topics, physicalTopicName } from '@tally/contracts';
import { eventually, testKafkaBrokers, testNamespace } from '@tally/testing';
import { CompressionCodecs, CompressionTypes, Kafka, PartitionAssigner, PartitionAssigners, Partitioners, Producer } from 'kafkajs';
import { BatchConsumer, BatchConsumerOptions, ConsumedMessage } from './batch.consumer';
import { LetterToSend } from './dead-letter.packer';
import { createKafka, ensureTopics } from './kafka.connection';
import { TypedProducer } from './typed.producer';

const waitFor = async (condition: () => boolean, ms = 30_000) => {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

/** What the handler throws when the database is down: infrastructure, so retried, never dead-lettered. */
const databaseDown = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

describe('batch consumer against a real broker', () => {
  const namespace = testNamespace();
  let kafka: Kafka;
  let producer: TypedProducer;
  const letters: LetterToSend[] = [];
  /** Every consumer here dead-letters into `letters`; the tests that expect none check that it stays empty. */
  const consumerOf = (options: Omit<BatchConsumerOptions, 'namespace' | 'deadLetter'>) =>
    new BatchConsumer(kafka, { namespace, deadLetter: async (item) => void letters.push(item), ...options });

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

  it('retries a batch failing on infrastructure without skipping it, then commits so a new consumer starts after it', async () => {
    const seen: ConsumedMessage[] = [];
    let failuresLeft = 2;
    const consumer = consumerOf({
      groupId: 'g1',
      topics: [Topics.checkIns],
      handle: async (messages) => {
        if (failuresLeft-- > 0) throw databaseDown();
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
    const second = consumerOf({ groupId: 'g1', topics: [Topics.checkIns], handle: async (m) => void again.push(...m) });
    await second.start();
    await producer.send(Topics.checkIns, [
      { key: 'm-2', value: { eventId: 'ci-2', type: 'member.checked-in', occurredAt: '2026-11-23T08:00:00+08:00', memberId: 'm-2' } },
    ]);
    await waitFor(() => again.length === 1);
    expect(again.map((m) => m.key)).toEqual(['m-2']);
    await second.stop();
    expect(letters).toEqual([]);
  });

  it('hands a large partition batch over in chunks, in offset order, each once, and commits them', async () => {
    const checkIn = (i: number) => ({
      key: 'm-chunks',
      value: { eventId: `chunk-${i}`, type: 'member.checked-in', occurredAt: '2026-11-23T08:00:00+08:00', memberId: 'm-chunks' },
    });
    // Sent before anyone consumes, so the first fetch brings them as one partition batch.
    await producer.send(
      Topics.checkIns,
      Array.from({ length: 25 }, (_, i) => checkIn(i)),
    );
    const calls: string[][] = [];
    const ids = (messages: ConsumedMessage[]) => messages.map((m) => (JSON.parse(String(m.value)) as { eventId: string }).eventId);
    const consumer = consumerOf({ groupId: 'g-chunks', topics: [Topics.checkIns], chunkSize: 10, handle: async (m) => void calls.push(ids(m)) });
    await consumer.start();
    await waitFor(() => calls.flat().filter((id) => id.startsWith('chunk-')).length === 25);
    await consumer.stop();
    // Other partitions' messages (the first test's) may share a call: count this partition's.
    expect(Math.max(...calls.map((c) => c.filter((id) => id.startsWith('chunk-')).length))).toBe(10);
    expect(calls.flat().filter((id) => id.startsWith('chunk-'))).toEqual(Array.from({ length: 25 }, (_, i) => `chunk-${i}`));

    const later: string[] = [];
    const second = consumerOf({ groupId: 'g-chunks', topics: [Topics.checkIns], handle: async (m) => void later.push(...ids(m)) });
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
    const consumer = consumerOf({
      groupId: 'g-tx',
      topics: [Topics.checkIns],
      handle: async (m) => void seen.push(...m.map((x) => (JSON.parse(String(x.value)) as { eventId: string }).eventId)),
    });
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
    const consumer = consumerOf({ groupId: 'g-unreadable', topics: [Topics.checkIns], handle: async (m) => void seen.push(...m.map((x) => String(x.key))) });
    const lz4Producer = new TypedProducer(kafka, namespace, 'lz4');
    try {
      await lz4Producer.send(Topics.checkIns, [
        { key: 'm-lz4', value: { eventId: 'ci-lz4', type: 'member.checked-in', occurredAt: '2026-11-23T08:00:00+08:00', memberId: 'm-lz4' } },
      ]);
      await consumer.start();
      // kafkajs retries the fetch, then restarts the consumer, which fetches the batch again.
      await waitFor(
        () => logged(/Restarting the consumer/) && errors.mock.calls.filter(([m]) => /cannot decompress a lz4 record batch/.test(String(m))).length >= 2,
        60_000,
      );
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

  it('dead-letters the one message a handler fails on, consumes every other one on every partition in order, and commits past it', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, namespace, [Topics.purchases], 4);
    const topic = physicalTopicName(Topics.purchases, namespace);
    const value = (i: number) => Buffer.from(JSON.stringify({ eventId: `pos-${i}`, type: 'purchase.completed', memberId: `m-${i % 20}` }));
    // Sent before anyone consumes: the first fetch brings every partition, joined into one handler call.
    // Idempotent: a send retried on a partition that just got its leader must not write a message twice.
    const once = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await once.connect();
    await once.send({ topic, messages: Array.from({ length: 200 }, (_, i) => ({ key: `m-${i % 20}`, value: value(i) })) });
    await once.disconnect();
    const poison = value(77).toString();
    const handled: ConsumedMessage[] = [];
    const calls: number[] = [];
    const consumer = consumerOf({
      groupId: 'g-poison',
      topics: [Topics.purchases],
      handle: async (messages) => {
        calls.push(messages.length);
        // Like a ledger transaction: one message it cannot handle fails the whole call.
        if (messages.some((m) => String(m.value) === poison)) throw new TypeError("Cannot read properties of undefined (reading 'points')");
        handled.push(...messages);
      },
    });
    await consumer.start();
    try {
      await eventually(async () => (handled.length === 199 && letters.length === 1 ? true : undefined), 60_000, '199 handled and 1 dead-lettered');
      const [letter] = letters;
      expect(letter.letter).toMatchObject({
        reason: 'processing_failed',
        message: "TypeError: Cannot read properties of undefined (reading 'points')",
        source: { topic: 'loyalty.purchases.v1', key: 'm-17' },
      });
      expect(Buffer.from(letter.letter.valueBase64 ?? '', 'base64').toString()).toBe(poison);
      expect(Math.max(...calls)).toBeGreaterThan(50);
      expect(new Set(handled.map((m) => m.partition))).toEqual(new Set([0, 1, 2, 3]));
      for (const partition of [0, 1, 2, 3]) {
        const offsets = handled.filter((m) => m.partition === partition).map((m) => Number(m.offset));
        expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
      }
      expect(handled.map((m) => String(m.value))).not.toContain(poison);
      const ends = await admin.fetchTopicOffsets(topic);
      await eventually(
        async () => {
          const [committed] = await admin.fetchOffsets({ groupId: `${namespace}g-poison`, topics: [topic] });
          return ends.every((end) => committed.partitions.find((p) => p.partition === end.partition)?.offset === end.high) ? true : undefined;
        },
        30_000,
        'committed up to the end of every partition',
      );
    } finally {
      await consumer.stop();
      await admin.disconnect();
    }
  });

  it('tells that kafkajs crashed the consumer for good', async () => {
    // A member of the group that speaks another assignment protocol: kafkajs gives up on a newcomer with ours.
    const otherProtocol: PartitionAssigner = (config) => ({ ...PartitionAssigners.roundRobin(config), name: 'OtherAssigner' });
    const other = kafka.consumer({ groupId: `${namespace}g-crash`, partitionAssigners: [otherProtocol] });
    await other.connect();
    await other.subscribe({ topics: [physicalTopicName(Topics.checkIns, namespace)] });
    await other.run({ eachMessage: async () => undefined });
    const consumer = consumerOf({ groupId: 'g-crash', topics: [Topics.checkIns], handle: async () => undefined, liveness: { stallSeconds: 60 } });
    try {
      expect(consumer.progressProblems()).toEqual([]);
      await consumer.start();
      const problems = await eventually(
        async () => (consumer.progressProblems().length > 0 ? consumer.progressProblems() : undefined),
        30_000,
        'a problem reported',
      );
      expect(problems).toEqual([expect.stringMatching(/^the consumer crashed and will not restart: .*protocol/i)]);
    } finally {
      await consumer.stop();
      await other.disconnect();
    }
  });
});
