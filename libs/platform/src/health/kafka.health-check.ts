import { OnModuleDestroy, Provider } from '@nestjs/common';
import { Admin, Kafka, logLevel } from 'kafkajs';
import { HealthCheck, healthCheckToken } from './health-check';

/**
 * `describeCluster()` through one long-lived admin client, connected on the first probe; short
 * timeouts and no retries, because a probe must answer fast and the next probe is the retry.
 */
export class KafkaHealthCheck implements HealthCheck, OnModuleDestroy {
  readonly name = 'kafka';
  private readonly kafka: Kafka;
  private admin?: Promise<Admin>;

  constructor(brokers: string[], clientId = 'tally-health') {
    this.kafka = new Kafka({
      clientId,
      brokers,
      connectionTimeout: 1500,
      requestTimeout: 2500,
      retry: { retries: 0 },
      // Failures are reported by the probe itself; kafkajs's own logger would only write them to the console.
      logLevel: logLevel.NOTHING,
    });
  }

  async check(): Promise<void> {
    const admin = await this.connected();
    try {
      await admin.describeCluster();
    } catch (error) {
      await this.reset();
      throw error;
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.reset();
  }

  private connected(): Promise<Admin> {
    this.admin ??= this.connect();
    return this.admin;
  }

  private async connect(): Promise<Admin> {
    const admin = this.kafka.admin({ retry: { retries: 0 } });
    try {
      await admin.connect();
      return admin;
    } catch (error) {
      this.admin = undefined;
      await admin.disconnect().catch(() => undefined);
      throw error;
    }
  }

  private async reset(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.then((a) => a.disconnect()).catch(() => undefined);
  }
}

export const kafkaHealthCheck = (brokers: string[], clientId?: string): Provider => ({
  provide: healthCheckToken('kafka'),
  useFactory: () => new KafkaHealthCheck(brokers, clientId),
});
