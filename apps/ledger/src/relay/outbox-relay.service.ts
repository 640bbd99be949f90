import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SpanKind } from '@opentelemetry/api';
import { LedgerEvent, LedgerEventMessage, Topics } from '@tally/contracts';
import { OutboxRelay } from '@tally/ledger';
import { contextFrom, crashPoint, inSpan, traceHeaders } from '@tally/platform';
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
    this.relay = new OutboxRelay(dataSource, async (events, traces) => {
      await producer.send(Topics.ledger, await relaySpans(events, traces));
      crashPoint('relay.after-publish');
    });
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

const toMessage = ({ prevHash: _prevHash, ...event }: LedgerEvent, headers?: Record<string, string>) => ({
  key: event.memberId,
  value: event as LedgerEventMessage,
  headers,
});

/**
 * A producer span per append the batch relays, child of that append's trace, whose
 * `traceparent` its events carry on `loyalty.ledger.v1` to the services that consume them.
 */
const relaySpans = async (events: LedgerEvent[], traces: (string | null)[]) => {
  const headersOf = new Map<string, Record<string, string>>();
  for (const traceparent of new Set(traces)) {
    if (!traceparent) continue;
    await inSpan(
      'ledger relay',
      { parent: contextFrom({ traceparent }), kind: SpanKind.PRODUCER },
      async () => void headersOf.set(traceparent, traceHeaders()),
    );
  }
  return events.map((event, i) => toMessage(event, headersOf.get(traces[i] ?? '')));
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
