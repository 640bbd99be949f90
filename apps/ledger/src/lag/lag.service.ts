import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { KAFKA_SETTINGS, KafkaSettings, readGroupOffsets } from '@tally/messaging';
import { LazyAdmin, Metrics } from '@tally/platform';
import { Kafka } from 'kafkajs';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';

/** How far one consumer group is behind on one partition. */
export interface PartitionLag {
  group: string;
  topic: string;
  partition: number;
  /** The group's committed offset; null when it never committed there (it starts at `low`). */
  committed: string | null;
  end: string;
  lag: number;
}

export interface OutboxLag {
  /** Appending transactions whose events are not relayed to Kafka yet. */
  pendingTransactions: number;
  /** Age of the oldest unrelayed event (0 when the outbox is empty). */
  oldestAgeSeconds: number;
}

export interface LagReport {
  consumers: PartitionLag[];
  /** Messages behind, summed over every group and partition. */
  totalLag: number;
  outbox: OutboxLag;
  /** Why consumer lag could not be read (Kafka unreachable); the outbox is still reported. */
  consumersError?: string;
}

/** The outbox relay's lag, read from PostgreSQL (whichever instance relays). */
export const readOutboxLag = async (dataSource: DataSource): Promise<OutboxLag> => {
  const [row] = (await dataSource.query(
    `SELECT (SELECT count(*) FROM outbox)::float8 AS pending,
            COALESCE((SELECT extract(epoch FROM now() - e.recorded_at)
                        FROM (SELECT positions[1] AS position FROM outbox ORDER BY id LIMIT 1) o JOIN ledger_events e ON e.position = o.position), 0)::float8 AS age`,
  )) as { pending: number; age: number }[];
  return { pendingTransactions: row.pending, oldestAgeSeconds: row.age };
};

/**
 * Consumer lag per group and partition as the broker has it (committed offsets against the end of
 * each partition), for the groups of this deployment's topic namespace (members or only commits),
 * and the outbox's lag.
 */
@Injectable()
export class LagService implements OnModuleInit, OnApplicationShutdown {
  private readonly admin: LazyAdmin;

  constructor(
    kafka: Kafka,
    @Inject(KAFKA_SETTINGS) private readonly settings: KafkaSettings,
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly metrics: Metrics,
  ) {
    this.admin = new LazyAdmin(() => kafka.admin({ retry: { retries: 1 } }));
  }

  onModuleInit(): void {
    const read = () => this.consumers();
    new Gauge({
      name: 'tally_consumer_group_lag_messages',
      help: 'Messages a consumer group has not committed yet, by group, topic and partition, as the broker has them (read by the ledger app for every group of its namespace)',
      labelNames: ['group', 'topic', 'partition'],
      registers: [this.metrics.registry],
      async collect() {
        // Kafka unreachable: the series go missing (and the health check says why), the scrape still answers.
        const rows = await read().catch(() => []);
        this.reset();
        for (const row of rows) this.set({ group: row.group, topic: row.topic, partition: String(row.partition) }, row.lag);
      },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.admin.reset();
  }

  async report(): Promise<LagReport> {
    const outbox = await readOutboxLag(this.dataSource);
    try {
      const consumers = await this.consumers();
      return { consumers, totalLag: consumers.reduce((sum, c) => sum + c.lag, 0), outbox };
    } catch (error) {
      return { consumers: [], totalLag: 0, outbox, consumersError: (error as Error).message };
    }
  }

  async consumers(): Promise<PartitionLag[]> {
    return this.admin.use(async (admin) => {
      const { groups } = await admin.listGroups();
      const ours = groups
        .filter((g) => (g.protocolType === 'consumer' || g.protocolType === '') && g.groupId.startsWith(this.settings.namespace))
        .map((g) => g.groupId)
        .sort();
      const rows: PartitionLag[] = [];
      for (const group of ours) {
        const topics = (await admin.fetchOffsets({ groupId: group })).map((t) => t.topic).sort();
        if (topics.length === 0) continue;
        for (const p of await readGroupOffsets(admin, group, topics)) {
          const from = p.committed ?? p.low;
          rows.push({
            group,
            topic: p.topic,
            partition: p.partition,
            committed: p.committed?.toString() ?? null,
            end: p.high.toString(),
            lag: Number(p.high > from ? p.high - from : 0n),
          });
        }
      }
      return rows;
    });
  }
}
