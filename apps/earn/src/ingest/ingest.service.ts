import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { membersOf, physicalTopicName } from '@tally/contracts';
import { InputStatus, InputStatuses, causationKey, findCausationsByKey, queryOf } from '@tally/ledger';
import { KAFKA_SETTINGS, KafkaSettings } from '@tally/messaging';
import { AppError } from '@tally/platform';
import { Kafka, Partitioners, Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import { BatchPlan, IngestResult, PlannedInput, planBatch } from './ingest.plan';

/** Messages per produce request: 1,000 inputs of a few hundred bytes stay well under the broker's limit. */
const SEND_CHUNK = 1_000;

/**
 * Branch sync: an upload's valid inputs go to the same input topics, under the same keys, as a
 * producer's would, and are answered only after the broker has them (acks from all in-sync
 * replicas). The earn consumer then applies each once by (topic, eventId), whichever way it came:
 * so the same eventId sent over Kafka and over HTTP, or an upload retried after a cut connection,
 * counts once. Inputs the ledger already answered are reported as duplicates and not sent again.
 */
@Injectable()
export class IngestService implements OnApplicationShutdown {
  private readonly producer: Producer;
  private connected?: Promise<void>;

  constructor(
    @Inject(Kafka) kafka: Kafka,
    @Inject(KAFKA_SETTINGS) private readonly settings: KafkaSettings,
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly statuses: InputStatuses,
  ) {
    // Idempotent: a produce retried after a lost answer does not put an input on its topic twice.
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  async ingest(inputs: unknown[], callerStoreId: string | undefined, now: Date): Promise<IngestResult[]> {
    const plan = planBatch(inputs, callerStoreId, now);
    const fresh = await this.notYetAnswered(plan);
    // Recorded before they are sent: an input on its topic is always one its branch can ask after.
    await this.statuses.recordUploads(
      plan.valid
        .filter((p) => plan.results[p.index].status !== 'invalid')
        .map((p) => ({ scope: p.topic, eventId: p.event.eventId, storeId: callerStoreId ?? p.event.storeId ?? null, memberIds: membersOf(p.event) })),
      now,
    );
    await this.publish(fresh);
    return plan.results;
  }

  /** What became of inputs this store uploaded (any store's for a token of none), by eventId. */
  status(eventIds: readonly string[], callerStoreId: string | undefined): Promise<InputStatus[]> {
    return this.statuses.lookup(eventIds, callerStoreId);
  }

  /** The valid inputs the ledger has no answer for; the others' results become duplicates or conflicts. */
  private async notYetAnswered(plan: BatchPlan): Promise<PlannedInput[]> {
    if (plan.valid.length === 0) return [];
    const answered = await findCausationsByKey(
      queryOf(this.dataSource),
      plan.valid.map((p) => p.topic),
      plan.valid.map((p) => p.event.eventId),
    );
    return plan.valid.filter((input) => {
      const seen = answered.get(causationKey(input.topic, input.event.eventId));
      if (!seen) return true;
      const result = plan.results[input.index];
      if (seen.fingerprint === null || seen.fingerprint === input.fingerprint) result.status = 'duplicate';
      else
        Object.assign(result, {
          status: 'invalid',
          reason: 'idempotency_conflict',
          errors: [{ field: 'eventId', problems: ['used before on its topic with another body; the first one stands'] }],
        });
      return false;
    });
  }

  private async publish(inputs: PlannedInput[]): Promise<void> {
    if (inputs.length === 0) return;
    try {
      this.connected ??= this.producer.connect().catch((error: unknown) => {
        this.connected = undefined;
        throw error;
      });
      await this.connected;
      const byTopic = new Map<string, PlannedInput[]>();
      for (const input of inputs) byTopic.set(input.topic, [...(byTopic.get(input.topic) ?? []), input]);
      const topicMessages = [...byTopic].flatMap(([topic, list]) => {
        const chunks: { topic: string; messages: { key: string; value: Buffer }[] }[] = [];
        for (let i = 0; i < list.length; i += SEND_CHUNK) {
          chunks.push({
            topic: physicalTopicName({ name: topic }, this.settings.namespace),
            messages: list.slice(i, i + SEND_CHUNK).map((p) => ({ key: p.key, value: p.value })),
          });
        }
        return chunks;
      });
      await this.producer.sendBatch({ topicMessages, acks: -1 });
    } catch (error) {
      throw new AppError({
        status: 503,
        error: 'unavailable',
        message: `the inputs could not be handed to Kafka (${error instanceof Error ? error.message : 'unknown error'}); send the same batch again: inputs already taken count once`,
      });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.connected) await this.producer.disconnect().catch(() => undefined);
  }
}
