import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { Topics } from '@tally/contracts';
import { migrateLedger } from '@tally/ledger';
import { createServiceApp } from '@tally/platform';
import { TestDatabase, createTestDatabase, groupCaughtUp, testKafkaBrokers, testNamespace } from '@tally/testing';
import { Admin, IHeaders, Kafka, KafkaMessage, Producer, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { AppModule } from '../app.module';
import { EarnConfig } from '../earn.config';

const ROOT = join(__dirname, '../../../..');

export const purchase = (i: number, memberId: string, amountMinor = 10_000) => ({
  eventId: `pos-${i}`,
  type: 'purchase.completed',
  occurredAt: '2026-11-20T10:15:00+08:00',
  memberId,
  storeId: 'sh-07',
  channel: 'store',
  orderId: `o-${i}`,
  amountMinor,
  currency: 'CNY',
});

import { eventually } from '@tally/testing';

export { eventually, sleep } from '@tally/testing';

/** One isolated world for earn tests: its own database, topic namespace, producer and SQL client. */
export class EarnHarness {
  readonly namespace = testNamespace();
  db!: TestDatabase;
  sql!: Client;
  kafka!: Kafka;
  admin!: Admin;
  producer!: Producer;
  private readonly apps: INestApplication[] = [];
  private readonly children: ChildProcess[] = [];

  async start(label: string): Promise<void> {
    this.db = await createTestDatabase(label, migrateLedger);
    this.sql = new Client({ connectionString: this.db.url });
    await this.sql.connect();
    this.kafka = new Kafka({ clientId: `test-${label}`, brokers: testKafkaBrokers(), logLevel: logLevel.NOTHING });
    this.admin = this.kafka.admin();
    await this.admin.connect();
    // Idempotent: a send retried after a timeout (a broker just started can take longer than the
    // request timeout to answer its first produce) must not put the messages in the topic twice,
    // or the tests would count dead letters of messages they never sent.
    this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await this.producer.connect();
  }

  env(groupId = 'tally-earn'): Record<string, string> {
    return {
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      DATABASE_URL: this.db.url,
      TALLY_TOPIC_NAMESPACE: this.namespace,
      TALLY_EARN_GROUP_ID: groupId,
      LOG_LEVEL: 'warn',
      PORT: '0',
    };
  }

  /** An earn service inside this process; `env` adds to (or overrides) the harness's variables. */
  async startEarn(groupId?: string, env: Record<string, string> = {}): Promise<INestApplication> {
    const { app } = await createServiceApp({
      service: 'earn',
      defaultPort: 0,
      config: EarnConfig,
      module: (c) => AppModule.forRoot(c),
      env: { ...this.env(groupId), ...env },
    });
    await app.listen(0);
    this.apps.push(app);
    return app;
  }

  /** An earn service as its own OS process (from the swc build), so it can be SIGKILLed. */
  spawnEarn(): ChildProcess {
    const child = spawn('node', [join(ROOT, 'dist/apps/earn/src/main.js')], { env: { ...process.env, ...this.env() }, stdio: 'ignore' });
    this.children.push(child);
    return child;
  }

  static build(): void {
    execFileSync('node', [join(ROOT, 'tools/build/build.mjs')], { stdio: 'ignore' });
  }

  async publish(topic: string, messages: { key: string; value: string | object }[]): Promise<void> {
    for (let i = 0; i < messages.length; i += 500) {
      await this.producer.send({
        topic: `${this.namespace}${topic}`,
        messages: messages.slice(i, i + 500).map((m) => ({ key: m.key, value: typeof m.value === 'string' ? m.value : JSON.stringify(m.value) })),
      });
    }
  }

  /** Messages as bytes: keys, values and header names that are not JSON, or not text at all. */
  async publishRaw(topic: string, messages: { key: string | Buffer | null; value: string | Buffer; headers?: IHeaders }[]): Promise<void> {
    await this.producer.send({ topic: `${this.namespace}${topic}`, messages });
  }

  /** Every message of the dead-letter topic, once `count` have arrived. */
  async readDeadLetters(count: number): Promise<KafkaMessage[]> {
    const consumer = this.kafka.consumer({ groupId: `${this.namespace}dlq-reader`, maxBytesPerPartition: 16 * 1024 * 1024 });
    const seen: KafkaMessage[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [`${this.namespace}${Topics.deadLetters.name}`], fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message) });
    try {
      return await eventually(async () => (seen.length >= count ? seen : undefined), 60_000, `${count} dead letters`);
    } finally {
      await consumer.disconnect();
    }
  }

  async count(sql: string): Promise<number> {
    const { rows } = await this.sql.query(sql);
    return Number(rows[0].count);
  }

  async balances(): Promise<Record<string, number>> {
    const { rows } = await this.sql.query('SELECT member_id, available FROM member_state ORDER BY member_id');
    return Object.fromEntries(rows.map((r: { member_id: string; available: string }) => [r.member_id, Number(r.available)]));
  }

  /** True once `groupId` has committed, on every input topic partition, up to the end of the log. */
  caughtUp(groupId: string): Promise<boolean> {
    return groupCaughtUp(this.admin, this.namespace, groupId);
  }

  async stop(): Promise<void> {
    for (const child of this.children) if (child.exitCode === null) child.kill('SIGKILL');
    for (const app of this.apps) await app.close().catch(() => undefined);
    await this.producer?.disconnect();
    await this.admin?.disconnect();
    await this.sql?.end();
    await this.db?.drop();
  }
}
