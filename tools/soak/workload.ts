import { Topics } from '@tally/contracts';
import { Rng } from '@tally/testing';

/** One thing the soak does; the same seed gives the same list. */
export type Step =
  | { kind: 'kafka'; topic: string; key: string; body: Record<string, unknown>; redelivery?: boolean }
  | { kind: 'redeem'; redemptionId: string; memberId: string; points: number; storeId: string }
  | { kind: 'hold'; holdId: string; memberId: string; points: number; storeId: string }
  | { kind: 'capture'; holdId: string; points?: number }
  | { kind: 'release'; holdId: string }
  | { kind: 'reverse'; redemptionId: string };

/** What a Kafka input must do, by the oracle's own rules of the default program. */
export interface KafkaEffect {
  eventId: string;
  /** Points earned per member (empty for a refusal). */
  earned: Record<string, number>;
  clawed: Record<string, number>;
  /** Inputs of which exactly one earns (the same day's check-ins): their effect is the group's. */
  group?: string;
}

export interface Group {
  eventIds: string[];
  earned: Record<string, number>;
}

export interface Workload {
  steps: Step[];
  effects: Map<string, KafkaEffect>;
  groups: Map<string, Group>;
  climbers: Set<string>;
  members: Set<string>;
}

interface Earner {
  id: string;
  budget: number;
  days: Set<string>;
  referees: string[];
}

const MAX_EARN = 800;
const STORES = Array.from({ length: 12 }, (_, i) => `br-${String(i + 1).padStart(2, '0')}`);
const HOUR = 3600_000;

/** The Shanghai calendar day `daysBack` before `t0` (YYYY-MM-DD). */
const shanghaiDay = (t0: number, daysBack: number) => new Date(t0 + 8 * HOUR - daysBack * 24 * HOUR).toISOString().slice(0, 10);

/**
 * A seeded mix from many branches: purchases (some hours late), refunds (some before their
 * purchase), check-ins on both sides of Shanghai midnight (some a second time the same day),
 * referrals (some refused), unrewarded activities, climbers whose last purchase crosses the silver
 * threshold, redemptions, holds captured (whole or in part) or released, reversals; 20% of Kafka
 * inputs delivered twice. Each member earns under 1,000 points (climbers aside) and in at most 5
 * check-ins, so tier multipliers and streaks never depend on timing.
 */
export const makeWorkload = (seed: number, count: number, t0: number): Workload => {
  const rng = new Rng(seed);
  const tag = `s${seed}`;
  const steps: (Step | undefined)[] = [];
  const later: { at: number; step: Step }[] = [];
  const effects = new Map<string, KafkaEffect>();
  const groups = new Map<string, Group>();
  const climbers = new Set<string>();
  const members = new Set<string>();
  const earners: Earner[] = [];
  let n = 0;
  const id = (p: string) => `${tag}-${p}${n++}`;
  const newEarner = (budget = MAX_EARN): Earner => {
    const e = { id: id('m'), budget, days: new Set<string>(), referees: [] };
    earners.push(e);
    members.add(e.id);
    return e;
  };
  const earner = (need: number): Earner => {
    const able = earners.filter((e) => e.budget >= need);
    return able.length < 25 || rng.chance(0.05) ? newEarner() : rng.pick(able);
  };
  const store = () => rng.pick(STORES);
  const kafka = (topic: string, key: string, body: Record<string, unknown>, effect: Omit<KafkaEffect, 'eventId'>): Step => {
    effects.set(String(body.eventId), { eventId: String(body.eventId), ...effect });
    return { kind: 'kafka', topic, key, body };
  };
  const schedule = (i: number, delay: number, step: Step) => later.push({ at: i + delay, step });
  const occurred = (late: boolean) =>
    new Date(t0 - (late ? rng.int(2, 30) * HOUR : rng.int(0, 3600_000)) - rng.int(0, 59) * 1000).toISOString().replace('Z', '+00:00');

  const purchase = (i: number, memberId: string, amountMinor: number, refundable: boolean): Step[] => {
    const points = Math.floor(amountMinor / 100);
    const orderId = id('o');
    const body = {
      eventId: id('pos-'),
      type: 'purchase.completed',
      occurredAt: occurred(rng.chance(0.15)),
      memberId,
      storeId: store(),
      channel: rng.pick(['store', 'online']),
      orderId,
      amountMinor,
      currency: 'CNY',
    };
    const bought = kafka(Topics.purchases.name, memberId, body, { earned: { [memberId]: points }, clawed: {} });
    if (!refundable || !rng.chance(0.2)) return [bought];
    const refundMinor = rng.int(1, amountMinor);
    const refund = kafka(
      Topics.purchases.name,
      memberId,
      {
        eventId: id('ref-'),
        type: 'purchase.refunded',
        occurredAt: occurred(false),
        memberId,
        storeId: body.storeId,
        orderId,
        refundId: id('r'),
        amountMinor: refundMinor,
        currency: 'CNY',
      },
      { earned: {}, clawed: { [memberId]: Math.floor((points * refundMinor) / amountMinor) } },
    );
    if (rng.chance(0.4)) return [refund, bought];
    schedule(i, rng.int(1, 20), refund);
    return [bought];
  };

  const checkIn = (): Step[] => {
    const e = earner(20);
    const free = Array.from({ length: 10 }, (_, d) => shanghaiDay(t0, d + 1)).filter((d) => !e.days.has(d));
    if (e.days.size >= 5 || free.length === 0) return [];
    const day = rng.pick(free);
    e.days.add(day);
    e.budget -= 10;
    const at = (late: boolean) => `${day}T${late ? '23:59' : '00:00'}:${String(rng.int(0, 59)).padStart(2, '0')}+08:00`;
    const checkInBody = () => ({ eventId: id('ci-'), type: 'member.checked-in', occurredAt: at(rng.chance(0.5)), memberId: e.id, storeId: store() });
    if (!rng.chance(0.15)) return [kafka(Topics.checkIns.name, e.id, checkInBody(), { earned: { [e.id]: 10 }, clawed: {} })];
    // The same Shanghai day twice: one of the two earns, whichever is applied first.
    const group = id('g');
    const pair = [checkInBody(), checkInBody()];
    groups.set(group, { eventIds: pair.map((b) => b.eventId), earned: { [e.id]: 10 } });
    return pair.map((body) => kafka(Topics.checkIns.name, e.id, body, { earned: {}, clawed: {}, group }));
  };

  const referral = (): Step[] => {
    const referrer = earner(200);
    const roll = rng.next();
    if (roll < 0.1 && referrer.referees.length > 0) {
      const refereeId = rng.pick(referrer.referees);
      return [
        kafka(
          Topics.referrals.name,
          referrer.id,
          { eventId: id('rf-'), type: 'referral.completed', occurredAt: occurred(false), referrerId: referrer.id, refereeId },
          { earned: {}, clawed: {} },
        ),
      ];
    }
    if (roll < 0.15)
      return [
        kafka(
          Topics.referrals.name,
          referrer.id,
          { eventId: id('rf-'), type: 'referral.completed', occurredAt: occurred(false), referrerId: referrer.id, refereeId: referrer.id },
          { earned: {}, clawed: {} },
        ),
      ];
    const referee = newEarner(MAX_EARN - 100);
    referrer.budget -= 200;
    referrer.referees.push(referee.id);
    return [
      kafka(
        Topics.referrals.name,
        referrer.id,
        { eventId: id('rf-'), type: 'referral.completed', occurredAt: occurred(false), referrerId: referrer.id, refereeId: referee.id },
        { earned: { [referrer.id]: 200, [referee.id]: 100 }, clawed: {} },
      ),
    ];
  };

  const climber = (i: number) => {
    const memberId = id('c');
    climbers.add(memberId);
    members.add(memberId);
    let d = 0;
    for (let k = rng.int(1, 3); k > 0; k--) for (const step of purchase(i, memberId, rng.int(100, 20_000), false)) schedule(i, ++d, step);
    // The last purchase alone crosses silver's 1,000 points, so no purchase is made at another tier.
    for (const step of purchase(i, memberId, rng.int(100_000, 150_000), false)) schedule(i, d + 1 + rng.int(0, 5), step);
  };

  const spender = () => {
    const known = [...members].filter((m) => !climbers.has(m) || rng.chance(0.3));
    return known.length === 0 ? newEarner().id : rng.pick(known);
  };

  for (let i = 0; i < count; i++) {
    const due = later.filter((l) => l.at === i).map((l) => l.step);
    const roll = rng.next();
    let made: Step[] = [];
    if (roll < 0.3) {
      const e = earner(60);
      const amount = rng.int(100, 5000) + rng.int(0, 99);
      e.budget -= Math.floor(amount / 100);
      made = purchase(i, e.id, amount, true);
    } else if (roll < 0.42) made = checkIn();
    else if (roll < 0.48) made = referral();
    else if (roll < 0.5) {
      const e = earner(0);
      made = [
        kafka(
          Topics.memberEvents.name,
          e.id,
          { eventId: id('act-'), type: 'member.activity', activity: 'review', occurredAt: occurred(false), memberId: e.id, storeId: store() },
          { earned: {}, clawed: {} },
        ),
      ];
    } else if (roll < 0.53) climber(i);
    else if (roll < 0.7) {
      const redemptionId = id('rd');
      made = [{ kind: 'redeem', redemptionId, memberId: spender(), points: rng.int(1, 80), storeId: store() }];
      if (rng.chance(0.1)) schedule(i, rng.int(1, 30), { kind: 'reverse', redemptionId });
    } else if (roll < 0.82) {
      const holdId = id('h');
      const points = rng.int(1, 60);
      made = [{ kind: 'hold', holdId, memberId: spender(), points, storeId: store() }];
      const how = rng.next();
      schedule(
        i,
        rng.int(1, 25),
        how < 0.4 ? { kind: 'capture', holdId } : how < 0.7 ? { kind: 'capture', holdId, points: rng.int(1, points) } : { kind: 'release', holdId },
      );
    }
    for (const step of [...due, ...made]) {
      steps.push(step);
      if (step.kind === 'kafka' && rng.chance(0.2)) schedule(i, rng.int(0, 30), { ...step, redelivery: true });
    }
  }
  // What was scheduled past the end still happens (holds resolve, refunds and redeliveries arrive).
  for (const { step } of later.filter((l) => l.at >= count).sort((a, b) => a.at - b.at)) steps.push(step);
  return { steps: steps.filter((s): s is Step => s !== undefined), effects, groups, climbers, members };
};
