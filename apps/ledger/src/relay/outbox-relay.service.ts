import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { LedgerEventMessage, Topics } from '@tally/contracts';
import { OutboxRelay } from '@tally/ledger';
import { TypedProducer } from '@tally/messaging';
import { DataSource } from 'typeorm';

const IDLE_MS = 100;
const ERROR_BACKOFF_MS = 2000;

/** Relays every appended event to `loyalty.ledger.v1` (key = member id), at least once, in member order. */
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelayService.name);
  private readonly relay: OutboxRelay;
  private running = false;
  private loop?: Promise<void>;

  constructor(@Inject(DataSource) dataSource: DataSource, producer: TypedProducer) {
    this.relay = new OutboxRelay(dataSource, (events) =>
      producer.send(
        Topics.ledger,
        events.map(({ prevHash: _prevHash, ...event }) => ({ key: event.memberId, value: event as LedgerEventMessage })),
      ),
    );
  }

  onApplicationBootstrap(): void {
    this.running = true;
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const sent = await this.relay.relayOnce();
        if (sent === 0) await sleep(IDLE_MS);
      } catch (error) {
        this.logger.warn(`outbox relay failed, retrying: ${(error as Error).message}`);
        await sleep(ERROR_BACKOFF_MS);
      }
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
