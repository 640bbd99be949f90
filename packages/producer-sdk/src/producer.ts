import { CompressionTypes, Kafka, KafkaConfig, Producer, RecordMetadata } from 'kafkajs';
import { TOPIC_OF, TallyInput, keyOf } from './inputs';
import { validated } from './validation';

export interface TallyProducerOptions {
  brokers: string[];
  clientId: string;
  /** Prepended to every topic name, for deployments that namespace topics (TALLY_TOPIC_NAMESPACE). */
  topicPrefix?: string;
  compression?: CompressionTypes;
  /** Anything else for kafkajs (ssl, sasl, retry...). */
  kafka?: Omit<KafkaConfig, 'brokers' | 'clientId'>;
}

/**
 * Publishes inputs to their topics under the key rule, each validated first. Idempotent producer
 * (no duplicate from a retried send; order kept per partition) with acks from all in-sync replicas:
 * a resolved `send` means Tally will see the inputs. Tally still counts each `eventId` once, so a
 * send retried by the caller after an error is safe too.
 */
export class TallyProducer {
  private readonly producer: Producer;

  constructor(private readonly options: TallyProducerOptions) {
    const kafka = new Kafka({ ...options.kafka, brokers: options.brokers, clientId: options.clientId });
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  /** Sends inputs (any mix of types) in one request per topic; throws `TallyValidationError` before sending any if one is invalid. */
  async send(...inputs: TallyInput[]): Promise<RecordMetadata[]> {
    const now = new Date();
    const byTopic = new Map<string, { key: string; value: string }[]>();
    for (const input of inputs) {
      validated(input, now);
      const topic = `${this.options.topicPrefix ?? ''}${TOPIC_OF[input.type]}`;
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), { key: keyOf(input), value: JSON.stringify(input) }]);
    }
    if (byTopic.size === 0) return [];
    return this.producer.sendBatch({
      acks: -1,
      compression: this.options.compression ?? CompressionTypes.None,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
  }
}
