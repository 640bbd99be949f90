import { DynamicModule, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { ALL_TOPICS } from '@tally/contracts';
import type { TopicLayout } from '@tally/platform';
import { Kafka } from 'kafkajs';
import { KafkaSettings, createKafka, ensureTopics } from './kafka.connection';
import { TypedProducer } from './typed.producer';

export const KAFKA_SETTINGS = Symbol('KAFKA_SETTINGS');

@Injectable()
class ProducerCloser implements OnApplicationShutdown {
  constructor(@Inject(TypedProducer) private readonly producer: TypedProducer) {}

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect();
  }
}

/** The Kafka client, a typed producer, and every contract topic created when missing. */
@Module({})
export class MessagingModule {
  static forRoot(settings: KafkaSettings & { topics?: TopicLayout }): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      providers: [
        { provide: KAFKA_SETTINGS, useValue: settings },
        {
          provide: Kafka,
          useFactory: async () => {
            const kafka = createKafka(settings);
            const admin = kafka.admin();
            await admin.connect();
            try {
              await ensureTopics(admin, settings.namespace, ALL_TOPICS, settings.topics ?? 8);
            } finally {
              await admin.disconnect();
            }
            return kafka;
          },
        },
        {
          provide: TypedProducer,
          inject: [Kafka],
          useFactory: (kafka: Kafka) => new TypedProducer(kafka, settings.namespace, settings.compression, settings.idempotent),
        },
        ProducerCloser,
      ],
      exports: [Kafka, KAFKA_SETTINGS, TypedProducer],
    };
  }
}
