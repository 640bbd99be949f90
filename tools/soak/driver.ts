import { Producer } from 'kafkajs';
import { OPS_TOKEN, Stack, sleep } from '@tally/testing';
import { Oracle } from './oracle';
import { Step } from './workload';

export interface HttpAnswer {
  status: number;
  body: Record<string, unknown>;
  /** True when an earlier attempt got no answer: it may have been applied. */
  retried: boolean;
}

/** Counters of what the driver did and saw. */
export interface DriverStats {
  kafkaSent: number;
  redeliveries: number;
  http: Record<string, number>;
  transient: number;
  findings: string[];
}

/**
 * Runs the workload's steps against the stack: Kafka inputs through an idempotent producer (a send
 * that fails while a broker is down is sent again: a redelivery the services must absorb), HTTP
 * calls on both redeem instances in turn, retried with the same key until one answers.
 */
export class Driver {
  readonly stats: DriverStats = { kafkaSent: 0, redeliveries: 0, http: {}, transient: 0, findings: [] };
  private turn = 0;

  constructor(
    private readonly stack: Stack,
    private readonly producer: Producer,
    private readonly oracle: Oracle,
  ) {}

  private async send(topic: string, key: string, value: string): Promise<void> {
    for (;;) {
      try {
        await this.producer.send({ topic: this.stack.topic(topic), acks: -1, messages: [{ key, value }] });
        return;
      } catch {
        await sleep(1000);
      }
    }
  }

  async call(path: string, body: unknown): Promise<HttpAnswer> {
    let retried = false;
    for (let attempt = 0; attempt < 300; attempt++) {
      const urls = this.stack.urls('redeem');
      const url = urls[this.turn++ % urls.length];
      try {
        const response = await fetch(`${url}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${OPS_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(15_000),
        });
        const text = await response.text();
        if (response.status >= 500) {
          this.stats.transient++;
          retried = true;
          await sleep(500);
          continue;
        }
        const key = `${path.split('/')[1]} ${response.status}`;
        this.stats.http[key] = (this.stats.http[key] ?? 0) + 1;
        return { status: response.status, body: JSON.parse(text || '{}') as Record<string, unknown>, retried };
      } catch {
        retried = true;
        await sleep(500);
      }
    }
    throw new Error(`no redeem instance answered ${path} in 300 attempts`);
  }

  private refusedOrFinding(what: string, answer: HttpAnswer, id: string, memberId: string, points: number): void {
    if (answer.status === 422 && answer.body.error === 'insufficient_points') this.oracle.refused(id, memberId, points, 'insufficient_points');
    else this.stats.findings.push(`${what} ${id}: answered ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
  }

  async run(step: Step): Promise<void> {
    switch (step.kind) {
      case 'kafka':
        await this.send(step.topic, step.key, JSON.stringify(step.body));
        this.stats.kafkaSent++;
        if (step.redelivery) this.stats.redeliveries++;
        return;
      case 'redeem': {
        const answer = await this.call('/redemptions', {
          redemptionId: step.redemptionId,
          memberId: step.memberId,
          points: step.points,
          storeId: step.storeId,
        });
        if (answer.status === 201 || answer.status === 200) this.oracle.redeemed(step.redemptionId, step.memberId, step.points);
        else this.refusedOrFinding('redemption', answer, step.redemptionId, step.memberId, step.points);
        return;
      }
      case 'hold': {
        const answer = await this.call('/holds', {
          holdId: step.holdId,
          memberId: step.memberId,
          points: step.points,
          storeId: step.storeId,
          ttlSeconds: 3600,
        });
        if (answer.status === 201 || answer.status === 200) this.oracle.held(step.holdId, step.memberId, step.points);
        else this.refusedOrFinding('hold', answer, step.holdId, step.memberId, step.points);
        return;
      }
      case 'capture':
      case 'release': {
        const hold = this.oracle.holds.get(step.holdId);
        if (!hold) return;
        const captured = step.kind === 'release' ? 0 : (step.points ?? hold.points);
        const answer = await this.call(
          `/holds/${step.holdId}/${step.kind}`,
          step.kind === 'capture' && step.points !== undefined ? { points: step.points } : {},
        );
        if (answer.status === 200 || (answer.retried && answer.status === 409)) this.oracle.resolved(step.holdId, captured);
        else this.stats.findings.push(`${step.kind} of hold ${step.holdId}: answered ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
        return;
      }
      case 'reverse': {
        if (!this.oracle.redemptions.has(step.redemptionId)) return;
        const answer = await this.call(`/redemptions/${step.redemptionId}/reverse`, {});
        if (answer.status === 200 || answer.status === 201 || (answer.retried && answer.status === 409)) this.oracle.reversed(step.redemptionId);
        else this.stats.findings.push(`reversal of ${step.redemptionId}: answered ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
        return;
      }
    }
  }
}
