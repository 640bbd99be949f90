import { DeadLetter, Topics, physicalTopicName } from '@tally/contracts';
import { eventually, testKafkaBrokers, testNamespace } from '@tally/testing';
import { Admin, ConfigResourceTypes, Kafka, KafkaMessage } from 'kafkajs';
import { ConsumedMessage } from './batch.consumer';
import { DEAD_LETTER_TOPIC_MAX_BYTES } from './dead-letter.packer';
import { publishDeadLetters, toDeadLetter } from './dead-letters';
import { createKafka, ensureTopics } from './kafka.connection';
import { TypedProducer } from './typed.producer';

const topicConfig = async (admin: Admin, name: string): Promise<Record<string, string>> => {
  const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name }] });
  return Object.fromEntries(resources[0].configEntries.map((e) => [e.configName, e.configValue]));
};

const original = (offset: number, value: Buffer): ConsumedMessage => ({
  topic: 'x.loyalty.purchases.v1',
  contractTopic: 'loyalty.purchases.v1',
  partition: 0,
  offset: String(offset),
  key: 'm-big',
  value,
  headers: { traceparent: Buffer.from('00-trace') },
  timestamp: String(Date.now()),
});

const letterOf = (message: ConsumedMessage) => ({
  letter: toDeadLetter(message, { reason: 'payload_too_large', message: 'too large' }, 'g', new Date()),
  original: message,
});

/** Every message of `topic` from the beginning, once `count` have arrived. */
const readAll = async (kafka: Kafka, topic: string, count: number): Promise<KafkaMessage[]> => {
  const consumer = kafka.consumer({ groupId: `${topic}-reader`, maxBytesPerPartition: 16 * 1024 * 1024 });
  const seen: KafkaMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void seen.push(message) });
  try {
    return await eventually(async () => (seen.length >= count ? seen : undefined), 60_000, `${count} messages on ${topic}`);
  } finally {
    await consumer.disconnect();
  }
};

const letterIn = (message: KafkaMessage) => JSON.parse(String(message.value)) as DeadLetter;
const decoded = (base64: string | null) => Buffer.from(base64 ?? '', 'base64');

describe('dead-letter topic through a real broker', () => {
  let kafka: Kafka;
  let admin: Admin;

  beforeAll(async () => {
    kafka = createKafka({ brokers: testKafkaBrokers(), clientId: 'dead-letters-test', namespace: '' });
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin.disconnect();
  });

  it('is created with room for a letter of a ~1 MB input, which is sent whole (a message of ~1.2 MB)', async () => {
    const namespace = testNamespace();
    const topic = physicalTopicName(Topics.deadLetters, namespace);
    await ensureTopics(admin, namespace, [Topics.deadLetters], 2);
    expect((await topicConfig(admin, topic))['max.message.bytes']).toBe(String(DEAD_LETTER_TOPIC_MAX_BYTES));

    const producer = new TypedProducer(kafka, namespace);
    const big = Buffer.alloc(900 * 1024, 'b');
    const small = Array.from({ length: 12 }, (_, i) => original(i + 1, Buffer.alloc(70 * 1024, 's')));
    try {
      await publishDeadLetters(producer, namespace, [original(0, big), ...small].map(letterOf));
    } finally {
      await producer.disconnect();
    }
    const messages = await readAll(kafka, topic, 13);
    expect(messages.map((m) => letterIn(m).source.offset)).toEqual(Array.from({ length: 13 }, (_, i) => String(i)));
    // Bigger than the broker default message.max.bytes (1,048,588): nothing client-side stops it.
    expect(messages[0].value?.length ?? 0).toBeGreaterThan(1_200_000);
    expect(decoded(letterIn(messages[0]).valueBase64).equals(big)).toBe(true);
    expect(String(messages[0].headers?.traceparent)).toBe('00-trace');
  });

  it('that already existed with the default limit is raised, keeping its other settings', async () => {
    const namespace = testNamespace();
    const topic = physicalTopicName(Topics.deadLetters, namespace);
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'retention.ms', value: '123456789' }] }],
    });
    await ensureTopics(admin, namespace, [Topics.deadLetters], 1);
    const config = await topicConfig(admin, topic);
    expect(config['max.message.bytes']).toBe(String(DEAD_LETTER_TOPIC_MAX_BYTES));
    expect(config['retention.ms']).toBe('123456789');
  });

  it('that kept the default limit gets a too large letter without its value, and the others whole', async () => {
    const namespace = testNamespace();
    const topic = physicalTopicName(Topics.deadLetters, namespace);
    // Not through ensureTopics: a topic whose limit could not be raised.
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] });
    expect(Number((await topicConfig(admin, topic))['max.message.bytes'])).toBeLessThan(1.1 * 1024 * 1024);

    const producer = new TypedProducer(kafka, namespace);
    const big = Buffer.alloc(900 * 1024, 'b');
    const letters = [original(0, Buffer.from('{"not json')), original(1, big), original(2, Buffer.from('{'))].map(letterOf);
    try {
      await publishDeadLetters(producer, namespace, letters);
    } finally {
      await producer.disconnect();
    }
    const sent = (await readAll(kafka, topic, 3)).map(letterIn);
    expect(sent.map((l) => l.source.offset)).toEqual(['0', '1', '2']);
    expect(decoded(sent[0].valueBase64).toString()).toBe('{"not json');
    expect(sent[1].valueBase64).toBeNull();
    expect(sent[1].valueTruncated).toMatchObject({ originalBytes: big.length, fullLetterAt: expect.stringContaining('/ops/dead-letters') });
    expect(sent[1].headers).toEqual(letters[1].letter.headers);
    // The letters given stay whole: they are what the callers record in PostgreSQL.
    expect(decoded(letters[1].letter.valueBase64).equals(big)).toBe(true);
  });
});
