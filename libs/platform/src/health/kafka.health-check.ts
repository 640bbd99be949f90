import { OnModuleDestroy, Provider } from '@nestjs/common';
import { Kafka, logLevel } from 'kafkajs';
import type { KafkaClientSecurity } from '../config/kafka-security';
import { HealthCheck, healthCheckToken } from './health-check';
import { LazyAdmin } from './lazy-admin';

/**
 * `describeCluster()` through one long-lived admin client, connected on the first probe; short
 * timeouts and no retries, because a probe must answer fast and the next probe is the retry.
 */
export class KafkaHealthCheck implements HealthCheck, OnModuleDestroy {
  readonly name = 'kafka';
  private readonly admin: LazyAdmin;

  constructor(brokers: string[], clientId = 'tally-health', security: KafkaClientSecurity = {}) {
    const kafka = new Kafka({
      clientId,
      brokers,
      ...security,
      connectionTimeout: 1500,
      requestTimeout: 2500,
      retry: { retries: 0 },
      // Failures are reported by the probe itself; kafkajs's own logger would only write them to the console.
      logLevel: logLevel.NOTHING,
    });
    this.admin = new LazyAdmin(() => kafka.admin({ retry: { retries: 0 } }));
  }

  async check(): Promise<void> {
    await this.admin.use((admin) => admin.describeCluster());
  }

  async onModuleDestroy(): Promise<void> {
    await this.admin.reset();
  }
}

export const kafkaHealthCheck = (brokers: string[], clientId?: string, security?: KafkaClientSecurity): Provider => ({
  provide: healthCheckToken('kafka'),
  useFactory: () => new KafkaHealthCheck(brokers, clientId, security),
});
