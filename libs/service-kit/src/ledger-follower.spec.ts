import { LedgerEventMessage } from '@tally/contracts';
import { DeadLetterLog } from '@tally/ledger';
import { ConsumedMessage, KafkaSettings, TypedProducer } from '@tally/messaging';
import { Metrics } from '@tally/platform';
import { Kafka } from 'kafkajs';
import { LedgerFollower } from './ledger-follower';

const message = (value: unknown, offset: string): ConsumedMessage => ({
  topic: 'loyalty.ledger.v1',
  contractTopic: 'loyalty.ledger.v1',
  partition: 0,
  offset,
  key: null,
  value: value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
  headers: {},
  timestamp: '2026-11-23T00:00:00.000Z',
});
const event = (memberId: string, version: number) => ({
  position: String(version),
  memberId,
  version,
  eventId: `e-${memberId}-${version}`,
  type: 'points.earned',
  data: { points: 10 },
  occurredAt: '2026-11-23T10:00:00.000Z',
  recordedAt: '2026-11-23T10:00:01.000Z',
  causationId: 'c',
  hash: 'ab',
});

describe('a follower of loyalty.ledger.v1', () => {
  const steps: string[] = [];
  const sent: string[] = [];
  const recorded: string[] = [];
  const producer = {
    sendRaw: async (topic: string) => {
      steps.push('published');
      sent.push(topic);
    },
  } as unknown as TypedProducer;
  const deadLetterLog = {
    record: async (letters: { source: { offset: string }; reason: string }[]) => {
      steps.push('recorded');
      recorded.push(...letters.map((l) => `${l.source.offset}:${l.reason}`));
    },
  } as unknown as DeadLetterLog;
  const handled: LedgerEventMessage[][] = [];
  const follower = new LedgerFollower(
    {
      kafka: {} as Kafka,
      settings: { namespace: 'ns.' } as KafkaSettings,
      producer,
      deadLetterLog,
      metrics: {} as Metrics,
      clock: () => new Date('2026-11-23T12:00:00Z'),
    },
    {
      groupId: 'tally-test',
      name: 'test',
      stallSeconds: 60,
      handle: async (events) => {
        steps.push('handled');
        handled.push(events);
      },
    },
  );

  it('hands the readable events over in order, then dead-letters the rest (published, then kept)', async () => {
    await follower.handle([message(event('m-1', 1), '1'), message('{"not json', '2'), message(event('m-2', 5), '3'), message(null, '4')]);
    expect(handled).toEqual([[event('m-1', 1), event('m-2', 5)]]);
    expect(steps).toEqual(['handled', 'published', 'recorded']);
    expect(sent).toEqual(['ns.loyalty.dlq.v1']);
    expect(recorded).toEqual(['2:invalid_json', '4:empty_message']);
  });
});
