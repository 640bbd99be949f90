import { Topics } from '@tally/contracts';
import { Rng } from '@tally/testing';

/** One thing the soak does; the same seed gives the same list. */
export type Step =
  | { kind: 'kafka'; topic: string; key: string; body: Record<string, unknown>; redelivery?: boolean }
  | { kind: 'redeem'; redemptionId: string; memberId: string; points: number; storeId: string }
  | { kind: 'hold'; holdId: string; memberId: string; points: number; storeId: string; ttlSeconds: number }
  | { kind: 'capture'; holdId: string; points?: number }
  | { kind: 'release'; holdId: string }
  | { kind: 'reverse'; redemptionId: string }
  /** The injected clock: drained, the driver runs the tier evaluation and the expiry sweep as of `asOf`. */
  | { kind: 'clock'; asOf: string }
  | { kind: 'floor'; memberId: string; tier: string };

export interface Workload {
  steps: Step[];
  members: Set<string>;
  /** The simulated time the inputs' `occurredAt` follow, first and last. */
  simFrom: string;
  simTo: string;
}

interface Earner {
  id: string;
  budget: number;
  referees: string[];
}

const MAX_EARN = 800;
const STORES = Array.from({ length: 12 }, (_, i) => `br-${String(i + 1).padStart(2, '0')}`);
const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** Long enough for lots to expire (365 days) and a tier to be lost after its year of protection. */
const SIM_DAYS = 800;
/**
 * Simulated time starts here, far enough in the past that the tier service's own upgrades (on each
 * ledger event, at the real clock, over the last 365 days) never see a simulated purchase: every
 * tier move is made by the driver's evaluations at the simulated clock, so the oracle can tell it.
 */
const SIM_EPOCH = Date.parse('2022-06-01T00:00:00Z');
export const TTL_HOLD_SECONDS = { min: 1, max: 3 };

/** The Shanghai calendar day of an instant (YYYY-MM-DD). */
const shanghaiDay = (ms: number) => new Date(ms + 8 * HOUR).toISOString().slice(0, 10);
const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + DAY).toISOString().slice(0, 10);

/**
 * A seeded mix from many branches on a simulated clock that runs over SIM_DAYS days: purchases
 * (some hours late), refunds (some before their purchase), check-ins on both sides of Shanghai
 * midnight (some twice a day, some members on streaks of 7 days and more), referrals (some refused),
 * unrewarded activities, climbers to silver or gold, redemptions, holds captured (whole or in part),
 * released or left to lapse on their ttl, reversals, ops tier floors, and the clock's evaluations
 * (tier and expiry as of the simulated time) every 30 to 60 simulated days; 20% of Kafka inputs
 * delivered twice. Spends go mostly to members with no Kafka input since the last evaluation, so
 * the oracle knows which lots they take from.
 */
export const makeWorkload = (seed: number, count: number): Workload => {
  const rng = new Rng(seed);
  const tag = `s${seed}`;
  // The simulated clock of each iteration: seeded steps around the mean, never backwards.
  const mean = (SIM_DAYS * DAY) / count;
  const sim: number[] = [];
  for (let i = 0, t = SIM_EPOCH + rng.int(0, 30) * DAY; i < count + 64; i++, t += rng.int(0, Math.round(2 * mean))) sim.push(t);
  const simAt = (i: number) => sim[Math.min(i, sim.length - 1)];

  const steps: Step[] = [];
  const later: { at: number; step: Step }[] = [];
  const members = new Set<string>();
  const earners: Earner[] = [];
  // Where in `steps` each member's last Kafka input and last ttl hold are, and the last clock step.
  const lastKafka = new Map<string, number>();
  const lastTtlHold = new Map<string, number>();
  let lastClock = -1;
  let nextClockAt = simAt(0) + rng.int(30, 60) * DAY;
  let n = 0;
  const id = (p: string) => `${tag}-${p}${n++}`;
  const newEarner = (budget = MAX_EARN): Earner => {
    const e = { id: id('m'), budget, referees: [] };
    earners.push(e);
    members.add(e.id);
    return e;
  };
  const earner = (need: number): Earner => {
    const able = earners.filter((e) => e.budget >= need);
    return able.length < 25 || rng.chance(0.05) ? newEarner() : rng.pick(able);
  };
  const store = () => rng.pick(STORES);
  const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00');
  const kafka = (topic: string, key: string, body: Record<string, unknown>): Step => ({ kind: 'kafka', topic, key, body });
  const schedule = (i: number, delay: number, step: Step) => later.push({ at: i + delay, step });
  const occurred = (i: number, late: boolean) => iso(simAt(i) - (late ? rng.int(2, 30) * HOUR : rng.int(0, 3600_000)) - rng.int(0, 59) * 1000);
  /** Known to the ledger and with nothing in flight: no Kafka input and no ttl hold since the last clock step. */
  const settled = (m: string) => (lastKafka.get(m) ?? Infinity) < lastClock && (lastTtlHold.get(m) ?? -1) < lastClock;

  const purchase = (i: number, memberId: string, amountMinor: number, refundable: boolean): Step[] => {
    const orderId = id('o');
    const body = {
      eventId: id('pos-'),
      type: 'purchase.completed',
      occurredAt: occurred(i, rng.chance(0.15)),
      memberId,
      storeId: store(),
      channel: rng.pick(['store', 'online']),
      orderId,
      amountMinor,
      currency: 'CNY',
    };
    const bought = kafka(Topics.purchases.name, memberId, body);
    if (!refundable || !rng.chance(0.2)) return [bought];
    const early = rng.chance(0.4);
    const delay = early ? 0 : rng.int(1, 20);
    const refund = kafka(Topics.purchases.name, memberId, {
      eventId: id('ref-'),
      type: 'purchase.refunded',
      occurredAt: occurred(i + delay, false),
      memberId,
      storeId: body.storeId,
      orderId,
      refundId: id('r'),
      amountMinor: rng.int(1, amountMinor),
      currency: 'CNY',
    });
    if (early) return [refund, bought];
    schedule(i, delay, refund);
    return [bought];
  };

  const checkInAt = (memberId: string, day: string, late: boolean) =>
    kafka(Topics.checkIns.name, memberId, {
      eventId: id('ci-'),
      type: 'member.checked-in',
      occurredAt: `${day}T${late ? '23:59' : '00:00'}:${String(rng.int(0, 59)).padStart(2, '0')}+08:00`,
      memberId,
      storeId: store(),
    });

  const checkIn = (i: number): Step[] => {
    const e = earner(20);
    e.budget -= 10;
    const day = shanghaiDay(simAt(i));
    // Sometimes the same Shanghai day twice: the first to be applied earns, the second is refused.
    return rng.chance(0.15) ? [checkInAt(e.id, day, rng.chance(0.5)), checkInAt(e.id, day, rng.chance(0.5))] : [checkInAt(e.id, day, rng.chance(0.5))];
  };

  /** A new member checks in on 7 to 10 consecutive days, one input a step: a 7-day streak earns its bonus. */
  const streak = (i: number) => {
    const e = newEarner(0);
    let day = shanghaiDay(simAt(i));
    for (let k = 0, days = rng.int(7, 10); k < days; k++, day = nextDay(day)) schedule(i, k + 1, checkInAt(e.id, day, rng.chance(0.5)));
  };

  const referral = (i: number): Step[] => {
    const referrer = earner(200);
    const roll = rng.next();
    const body = (refereeId: string) => ({
      eventId: id('rf-'),
      type: 'referral.completed',
      occurredAt: occurred(i, false),
      referrerId: referrer.id,
      refereeId,
    });
    // A second referral of the same referee, or a self-referral: refused.
    if (roll < 0.1 && referrer.referees.length > 0) return [kafka(Topics.referrals.name, referrer.id, body(rng.pick(referrer.referees)))];
    if (roll < 0.15) return [kafka(Topics.referrals.name, referrer.id, body(referrer.id))];
    const referee = newEarner(MAX_EARN - 100);
    referrer.budget -= 200;
    referrer.referees.push(referee.id);
    return [kafka(Topics.referrals.name, referrer.id, body(referee.id))];
  };

  /** A few purchases, then one that crosses silver's 1,000 or gold's 5,000 points: the next evaluation upgrades. */
  const climber = (i: number) => {
    const memberId = id('c');
    members.add(memberId);
    let d = 0;
    for (let k = rng.int(1, 3); k > 0; k--) for (const step of purchase(i, memberId, rng.int(100, 20_000), false)) schedule(i, ++d, step);
    const big = rng.chance(0.25) ? rng.int(520_000, 600_000) : rng.int(100_000, 150_000);
    for (const step of purchase(i, memberId, big, false)) schedule(i, d + 1 + rng.int(0, 5), step);
  };

  const spender = () => {
    const known = [...members];
    const quiet = known.filter(settled);
    if (quiet.length > 0 && rng.chance(0.8)) return rng.pick(quiet);
    return known.length === 0 ? newEarner().id : rng.pick(known);
  };

  const emit = (step: Step, i: number) => {
    const at = steps.length;
    steps.push(step);
    if (step.kind === 'kafka') {
      const body = step.body as { memberId?: string; referrerId?: string; refereeId?: string };
      for (const m of [body.memberId, body.referrerId, body.refereeId]) if (m) lastKafka.set(m, at);
      if (!step.redelivery && rng.chance(0.2)) schedule(i, rng.int(1, 30), { ...step, redelivery: true });
    } else if (step.kind === 'hold' && step.ttlSeconds <= TTL_HOLD_SECONDS.max) lastTtlHold.set(step.memberId, at);
    else if (step.kind === 'clock') lastClock = at;
  };

  for (let i = 0; i < count; i++) {
    if (simAt(i) >= nextClockAt) {
      emit({ kind: 'clock', asOf: new Date(simAt(i)).toISOString() }, i);
      nextClockAt = simAt(i) + rng.int(30, 60) * DAY;
    }
    for (const { step } of later.filter((l) => l.at === i)) emit(step, i);
    const roll = rng.next();
    let made: Step[] = [];
    if (roll < 0.3) {
      const e = earner(60);
      const amount = rng.int(100, 5000) + rng.int(0, 99);
      e.budget -= Math.floor(amount / 100);
      made = purchase(i, e.id, amount, true);
    } else if (roll < 0.4) made = checkIn(i);
    else if (roll < 0.42) streak(i);
    else if (roll < 0.48) made = referral(i);
    else if (roll < 0.5) {
      const e = earner(0);
      made = [
        kafka(Topics.memberEvents.name, e.id, {
          eventId: id('act-'),
          type: 'member.activity',
          activity: 'review',
          occurredAt: occurred(i, false),
          memberId: e.id,
          storeId: store(),
        }),
      ];
    } else if (roll < 0.53) climber(i);
    else if (roll < 0.69) {
      const redemptionId = id('rd');
      made = [{ kind: 'redeem', redemptionId, memberId: spender(), points: rng.int(1, 80), storeId: store() }];
      if (rng.chance(0.1)) schedule(i, rng.int(1, 30), { kind: 'reverse', redemptionId });
    } else if (roll < 0.81) {
      const holdId = id('h');
      const points = rng.int(1, 60);
      if (rng.chance(0.25)) {
        // Never captured nor released: the redeem service's expiry job releases it once its ttl is over.
        made = [{ kind: 'hold', holdId, memberId: spender(), points, storeId: store(), ttlSeconds: rng.int(TTL_HOLD_SECONDS.min, TTL_HOLD_SECONDS.max) }];
      } else {
        made = [{ kind: 'hold', holdId, memberId: spender(), points, storeId: store(), ttlSeconds: 3600 }];
        const how = rng.next();
        schedule(
          i,
          rng.int(1, 25),
          how < 0.4 ? { kind: 'capture', holdId } : how < 0.7 ? { kind: 'capture', holdId, points: rng.int(1, points) } : { kind: 'release', holdId },
        );
      }
    } else if (roll < 0.82) {
      const quiet = [...members].filter(settled);
      if (quiet.length > 0) made = [{ kind: 'floor', memberId: rng.pick(quiet), tier: rng.pick(['silver', 'silver', 'gold', 'member']) }];
    }
    for (const step of made) emit(step, i);
  }
  // What was scheduled past the end still happens (holds resolve, refunds and redeliveries arrive),
  // then a last evaluation a day later settles the ttl holds and expires what is due.
  const tail = later.filter((l) => l.at >= count).sort((a, b) => a.at - b.at);
  for (const { step } of tail) emit(step, count);
  const end = simAt(count + 63) + DAY;
  emit({ kind: 'clock', asOf: new Date(end).toISOString() }, count);
  return { steps, members, simFrom: new Date(simAt(0)).toISOString(), simTo: new Date(end).toISOString() };
};
