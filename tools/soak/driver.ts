import { Producer } from 'kafkajs';
import { OPS_TOKEN, ServiceName, Stack, sleep } from '@tally/testing';
import { Oracle } from './oracle';
import { Step, TTL_HOLD_SECONDS } from './workload';

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
  /** Seconds the clock steps waited for inputs to be applied and ttl holds to lapse. */
  clockWaitSeconds: number;
  /** What each clock step's expiry sweep and tier evaluation answered. */
  clocks: { asOf: string; expiry: Record<string, unknown>; tier: Record<string, unknown> }[];
  findings: string[];
}

/**
 * Runs the workload's steps against the stack: Kafka inputs through an idempotent producer (a send
 * that fails while a broker is down is sent again: a redelivery the services must absorb), HTTP
 * calls on both redeem instances in turn, retried with the same key until one answers.
 */
export class Driver {
  readonly stats: DriverStats = { kafkaSent: 0, redeliveries: 0, http: {}, transient: 0, clockWaitSeconds: 0, clocks: [], findings: [] };
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

  async call(path: string, body: unknown, service: ServiceName = 'redeem'): Promise<HttpAnswer> {
    let retried = false;
    for (let attempt = 0; attempt < 300; attempt++) {
      const urls = this.stack.urls(service);
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
        const key = `${service === 'redeem' ? path.split('/')[1] : path.replace(/members\/[^/]+/, 'members/{id}')} ${response.status}`;
        this.stats.http[key] = (this.stats.http[key] ?? 0) + 1;
        return { status: response.status, body: JSON.parse(text || '{}') as Record<string, unknown>, retried };
      } catch {
        retried = true;
        await sleep(500);
      }
    }
    throw new Error(`no ${service} instance answered ${path} in 300 attempts`);
  }

  private refusedOrFinding(what: string, answer: HttpAnswer, id: string, memberId: string, points: number): void {
    if (answer.status === 422 && answer.body.error === 'insufficient_points') this.oracle.refused(id, memberId, points, 'insufficient_points');
    else this.stats.findings.push(`${what} ${id}: answered ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
  }

  async run(step: Step): Promise<void> {
    switch (step.kind) {
      case 'kafka':
        await this.send(step.topic, step.key, JSON.stringify(step.body));
        this.oracle.kafka(step);
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
          ttlSeconds: step.ttlSeconds,
        });
        if (answer.status === 201 || answer.status === 200) this.oracle.held(step.holdId, step.memberId, step.points, step.ttlSeconds <= TTL_HOLD_SECONDS.max);
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
      case 'floor': {
        const answer = await this.call(`/ops/members/${step.memberId}/tier`, { tier: step.tier, reason: 'soak: ops floor' }, 'tier');
        if (answer.status >= 200 && answer.status < 300) this.oracle.floor(step.memberId, step.tier);
        // A member whose every input was refused has no ledger yet: nothing to set a floor on.
        else if (answer.status === 404 && answer.body.error === 'member_not_found' && !this.oracle.member(step.memberId).known) return;
        else this.stats.findings.push(`floor ${step.tier} for ${step.memberId}: answered ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
        return;
      }
      case 'clock':
        return this.clock(step.asOf);
    }
  }

  /**
   * The injected clock: once every input sent so far is applied and every ttl hold placed so far
   * has lapsed and been released, the expiry sweep and the tier evaluation run as of `asOf`, so
   * what they decide depends on the seed alone.
   */
  private async clock(asOf: string): Promise<void> {
    const started = Date.now();
    const until = started + 300_000;
    while (!(await this.stack.caughtUp('tally-earn').catch(() => false))) {
      if (Date.now() > until) {
        this.stats.findings.push(`clock ${asOf}: earn not caught up after 300 s`);
        break;
      }
      await sleep(250);
    }
    const ttlHolds = this.oracle.openTtlHolds();
    while (ttlHolds.length > 0) {
      const { rows } = await this.stack.sql
        .query<{ n: string }>(
          `SELECT count(DISTINCT data->>'holdId') AS n FROM ledger_events_expanded WHERE type = 'hold.released' AND data->>'holdId' = ANY($1)`,
          [ttlHolds],
        )
        .catch(() => ({ rows: [{ n: '-1' }] }));
      if (Number(rows[0].n) === ttlHolds.length) break;
      if (Date.now() > until) {
        this.stats.findings.push(`clock ${asOf}: ${ttlHolds.length - Number(rows[0].n)} ttl holds not released after 300 s`);
        break;
      }
      await sleep(250);
    }
    this.stats.clockWaitSeconds += (Date.now() - started) / 1000;
    const expiry = await this.call('/ops/expiry/run', { asOf }, 'expiry');
    const tier = await this.call('/ops/tier/evaluate', { asOf }, 'tier');
    this.oracle.clock(asOf);
    this.stats.clocks.push({ asOf, expiry: expiry.body, tier: tier.body });
    for (const [what, answer] of [
      ['expiry sweep', expiry],
      ['tier evaluation', tier],
    ] as const)
      if (answer.status !== 200 && answer.status !== 201)
        this.stats.findings.push(`${what} as of ${asOf}: answered ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
    // Tiers do not depend on which lots points sit in, so each evaluation's counts are the oracle's (unless a retry split it).
    const want = this.oracle.clocks[this.oracle.clocks.length - 1];
    if (!tier.retried && (tier.body.upgraded !== want.upgraded || tier.body.downgraded !== want.downgraded))
      this.stats.findings.push(
        `tier evaluation as of ${asOf}: ${String(tier.body.upgraded)} up, ${String(tier.body.downgraded)} down; oracle ${want.upgraded} up, ${want.downgraded} down`,
      );
  }
}
