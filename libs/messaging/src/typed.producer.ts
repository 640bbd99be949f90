import { Topic, physicalTopicName } from '@tally/contracts';
import { type KafkaCompression, traceHeaders } from '@tally/platform';
import { CompressionTypes, Kafka, Partitioners, Producer } from 'kafkajs';
import { compressionType } from './compression';

export interface OutgoingMessage<T> {
  key: string | null;
  value: T;
  headers?: Record<string, string | Buffer>;
}

/** The active trace on every message that does not carry one of its own (the relay sets each event's). */
const withTrace = <M extends { headers?: Record<string, unknown> }>(messages: M[]): M[] => {
  const trace = traceHeaders();
  if (!trace.traceparent) return messages;
  return messages.map((m) => (m.headers?.traceparent ? m : { ...m, headers: { ...trace, ...m.headers } }));
};

/** A producer that only accepts, for each topic, the payload type the topic is bound to. */
export class TypedProducer {
  private readonly producer: Producer;
  private readonly compression: CompressionTypes;
  private connected?: Promise<void>;

  constructor(
    kafka: Kafka,
    private readonly namespace: string,
    compression: KafkaCompression = 'none',
    idempotent = false,
  ) {
    this.compression = compressionType(compression);
    // kafkajs' idempotent mode only when asked (TALLY_KAFKA_IDEMPOTENT): duplicates are harmless
    // downstream (every consumer dedupes by id) and its InitProducerId handshake fails on a broker
    // whose coordinator is still loading. One request in flight keeps per-partition order across retries.
    this.producer = kafka.producer({ idempotent, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  }

  async send<T>(topic: Topic<T>, messages: OutgoingMessage<T>[]): Promise<void> {
    if (messages.length === 0) return;
    await this.sendRaw(
      physicalTopicName(topic, this.namespace),
      withTrace(messages.map((m) => ({ key: m.key, value: Buffer.from(JSON.stringify(m.value)), headers: m.headers }))),
    );
  }

  /** Bytes as they are: dead letters keep the original value and headers untouched (no trace added). */
  async sendRaw(topic: string, messages: { key: string | Buffer | null; value: Buffer | null; headers?: Record<string, string | Buffer | Buffer[]> }[]) {
    this.connected ??= this.producer.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    await this.connected;
    await this.producer.send({ topic, acks: -1, compression: this.compression, messages });
  }

  async disconnect(): Promise<void> {
    if (this.connected) await this.producer.disconnect();
    this.connected = undefined;
  }
}
