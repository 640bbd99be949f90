import { Step } from './workload';

/*
 * The oracle's own model of the default program (DESIGN.md, "Default program rules"), written from
 * the rules' text and never from the project's deciders: 1 point per 1.00 CNY times the tier's
 * multiplier, at most 10,000 a purchase; pro-rata clawback on refunds (a refund before its purchase
 * waits for it); check-ins 10 points once a Shanghai day, +50 on every 7th consecutive day;
 * referrals 200 + 100 once per referee, never to oneself; activities unrewarded; every lot expires
 * 365 days after its occurredAt; spending takes the soonest-expiring lot first; no pending period
 * (so `pending` is always 0); tiers by points earned in the last 365 UTC days minus clawbacks,
 * upgraded and lowered by the evaluation, never lowered within 365 days of the last upgrade nor
 * below an ops floor.
 */

const DAY = 86_400_000;
const TIERS = [
  { name: 'member', threshold: 0, multiplier: 1 },
  { name: 'silver', threshold: 1_000, multiplier: 1.25 },
  { name: 'gold', threshold: 5_000, multiplier: 1.5 },
  { name: 'diamond', threshold: 20_000, multiplier: 2 },
];
const MAX_PURCHASE_POINTS = 10_000;
const LOT_DAYS = 365;
const TIER_WINDOW_DAYS = 365;
const PROTECTED_DAYS = 365;
const CHECK_IN = { points: 10, streakEvery: 7, bonus: 50 };
const REFERRAL = { referrer: 200, referee: 100 };
/** A floor raised at the real clock protects the tier past any simulated instant. */
const REAL_TIME = Number.POSITIVE_INFINITY;

const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const shanghaiDay = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);
const dayBefore = (day: string) => utcDay(Date.parse(`${day}T00:00:00Z`) - DAY);
const rankOf = (tier: string) => TIERS.findIndex((t) => t.name === tier);

interface Lot {
  id: string;
  expiresAt: number;
  remaining: number;
  held: number;
  order: number;
}

interface Portion {
  lot: string;
  points: number;
}

export interface MemberModel {
  known: boolean;
  lots: Map<string, Lot>;
  debt: number;
  earned: number;
  clawed: number;
  redeemed: number;
  captured: number;
  reversed: number;
  expired: number;
  heldOpen: number;
  tier: number;
  floor?: number;
  lastUpgradeAt?: number;
  qualifying: Map<string, number>;
  checkIn: { lastDay?: string; streak: number; days: Set<string> };
  referred: boolean;
  /** Keys of the Kafka inputs sent since the last clock step: maybe not applied yet, nor in the order sent when their keys differ. */
  inFlight: Set<string>;
  openTtlHolds: Set<string>;
  /** Why the oracle cannot tell which lots this member's points are in (sums are still exact). */
  inexact?: string;
}

interface Order {
  memberId: string;
  points: number;
  amountMinor: number;
  clawed: number;
}

interface Refund {
  eventId: string;
  memberId: string;
  orderId: string;
  amountMinor: number;
  occurredAt: number;
}

export interface Expected {
  available: number;
  pending: number;
  held: number;
  lifetimeEarned: number;
  lifetimeRedeemed: number;
  expired: number;
  tier: string;
}

const blank = (): MemberModel => ({
  known: false,
  lots: new Map(),
  debt: 0,
  earned: 0,
  clawed: 0,
  redeemed: 0,
  captured: 0,
  reversed: 0,
  expired: 0,
  heldOpen: 0,
  tier: 0,
  qualifying: new Map(),
  checkIn: { streak: 0, days: new Set() },
  referred: false,
  inFlight: new Set(),
  openTtlHolds: new Set(),
});

/**
 * What the ledger must hold, stepped in the driver's order. A Kafka input counts when it is sent
 * (the driver drains before each clock step, so every input sent before it is applied by then, and
 * none sent after); an HTTP call counts as the service answered it (201 done, 422 refused, to be
 * justified against the log).
 */
export class Oracle {
  readonly members = new Map<string, MemberModel>();
  readonly redemptions = new Map<string, { memberId: string; points: number; reversed: boolean; portions: Portion[] }>();
  readonly holds = new Map<
    string,
    { memberId: string; points: number; ttl: boolean; portions: Portion[]; resolved?: { captured: number; released: number } }
  >();
  readonly refusals: { id: string; memberId: string; points: number; code: string }[] = [];
  readonly http201 = new Set<string>();
  /** Each Kafka input's ledger events (`type/member/points`), by its eventId. */
  readonly inputs = new Map<string, string[]>();
  readonly clocks: { asOf: string; upgraded: number; downgraded: number; protected: number; lotsExpired: number; pointsExpired: number }[] = [];
  readonly floors: { memberId: string; tier: string }[] = [];
  private readonly orders = new Map<string, Order>();
  /** Every lot's expiry, kept after it closes: a reversal can open it again. */
  private readonly lotExpiry = new Map<string, number>();
  private readonly parked = new Map<string, Refund[]>();
  private order = 0;

  member(id: string): MemberModel {
    let m = this.members.get(id);
    if (!m) this.members.set(id, (m = blank()));
    return m;
  }

  private inexact(m: MemberModel, why: string): void {
    m.inexact ??= why;
  }

  // ---- lots ----

  private openLot(memberId: string, eventId: string, points: number, occurredAt: number, reason: string): void {
    const m = this.member(memberId);
    const lot = { id: `${eventId}/${reason}`, expiresAt: occurredAt + LOT_DAYS * DAY, remaining: points, held: 0, order: this.order++ };
    m.lots.set(lot.id, lot);
    this.lotExpiry.set(lot.id, lot.expiresAt);
    m.earned += points;
    m.known = true;
    const day = utcDay(occurredAt);
    m.qualifying.set(day, (m.qualifying.get(day) ?? 0) + points);
    this.inputs.get(eventId)?.push(`points.earned/${memberId}/${points}`);
    this.settleDebt(m);
  }

  private spendingOrder(m: MemberModel): Lot[] {
    return [...m.lots.values()].sort((a, b) => a.expiresAt - b.expiresAt || a.order - b.order);
  }

  /** Portions of the soonest-expiring lots that pay `points`; what they cannot pay is the shortfall. */
  private take(m: MemberModel, points: number): { portions: Portion[]; shortfall: number } {
    const portions: Portion[] = [];
    let left = points;
    for (const lot of this.spendingOrder(m)) {
      const take = Math.min(lot.remaining - lot.held, left);
      if (take > 0) portions.push({ lot: lot.id, points: take });
      left -= Math.max(0, take);
      if (left === 0) break;
    }
    return { portions, shortfall: left };
  }

  private change(m: MemberModel, portions: Portion[], how: (lot: Lot, points: number) => void): void {
    for (const p of portions) {
      const lot = m.lots.get(p.lot);
      if (lot) how(lot, p.points);
      if (lot && lot.remaining <= 0 && lot.held <= 0) m.lots.delete(lot.id);
    }
  }

  private settleDebt(m: MemberModel): void {
    if (m.debt <= 0) return;
    const { portions, shortfall } = this.take(m, m.debt);
    this.change(m, portions, (lot, p) => (lot.remaining -= p));
    m.debt = shortfall;
  }

  /** A spend by HTTP: exact only when no Kafka input of the member may still be on its way and no ttl hold may lapse meanwhile. */
  private spendCheck(m: MemberModel, what: string): void {
    if (m.inFlight.size > 0) this.inexact(m, `${what} while Kafka inputs were in flight`);
    else if (m.openTtlHolds.size > 0) this.inexact(m, `${what} while a ttl hold was open`);
  }

  // ---- Kafka inputs ----

  kafka(step: Extract<Step, { kind: 'kafka' }>): void {
    const body = step.body as Record<string, string & number>;
    const eventId = body.eventId;
    if (this.inputs.has(eventId)) return; // a redelivery: the first outcome stands
    this.inputs.set(eventId, []);
    for (const m of [body.memberId, body.referrerId, body.refereeId]) if (m) this.member(m).inFlight.add(step.key);
    const at = Date.parse(body.occurredAt);
    switch (body.type) {
      case 'purchase.completed':
        return this.purchase(eventId, body.memberId, body.orderId, body.amountMinor, at);
      case 'purchase.refunded':
        return this.refund({ eventId, memberId: body.memberId, orderId: body.orderId, amountMinor: body.amountMinor, occurredAt: at });
      case 'member.checked-in':
        return this.checkIn(eventId, body.memberId, at);
      case 'referral.completed':
        return this.referral(eventId, body.referrerId, body.refereeId, at);
      default:
        // Activities: the default program rewards none (a recorded refusal).
        return;
    }
  }

  private purchase(eventId: string, memberId: string, orderId: string, amountMinor: number, at: number): void {
    if (this.orders.has(orderId)) return;
    const m = this.member(memberId);
    const points = Math.min(MAX_PURCHASE_POINTS, Math.floor(Math.floor(amountMinor / 100) * TIERS[m.tier].multiplier));
    this.orders.set(orderId, { memberId, points, amountMinor, clawed: 0 });
    if (points > 0) this.openLot(memberId, eventId, points, at, 'purchase');
    for (const refund of this.parked.get(orderId) ?? []) this.clawBack(refund);
    this.parked.delete(orderId);
  }

  private refund(refund: Refund): void {
    if (!this.orders.has(refund.orderId)) this.parked.set(refund.orderId, [...(this.parked.get(refund.orderId) ?? []), refund]);
    else this.clawBack(refund);
  }

  private clawBack(refund: Refund): void {
    const order = this.orders.get(refund.orderId) as Order;
    // Recorded even when rounding leaves nothing to claw back.
    const points = Math.max(0, Math.min(order.points - order.clawed, Math.floor((order.points * refund.amountMinor) / order.amountMinor)));
    order.clawed += points;
    const m = this.member(refund.memberId);
    // Which lots it takes depends on what is there when it is applied: a lapsing ttl hold, or a
    // referral's lot coming through another key's partition, may or may not be by then.
    if (m.openTtlHolds.size > 0) this.inexact(m, 'a clawback while a ttl hold was open');
    if ([...m.inFlight].some((key) => key !== refund.memberId)) this.inexact(m, 'a clawback while a referral to the member was in flight');
    const { portions, shortfall } = this.take(m, points);
    this.change(m, portions, (lot, p) => (lot.remaining -= p));
    if (shortfall > 0) {
      m.debt += shortfall;
      this.inexact(m, 'a clawback left a debt');
    }
    m.clawed += points;
    const day = utcDay(refund.occurredAt);
    m.qualifying.set(day, (m.qualifying.get(day) ?? 0) - points);
    this.inputs.get(refund.eventId)?.push(`points.clawed-back/${refund.memberId}/${points}`);
  }

  private checkIn(eventId: string, memberId: string, at: number): void {
    const m = this.member(memberId);
    const day = shanghaiDay(at);
    const c = m.checkIn;
    if (c.days.has(day)) return;
    let streak: number;
    if (c.lastDay === undefined || day > c.lastDay) {
      streak = c.lastDay === dayBefore(day) ? c.streak + 1 : 1;
      c.lastDay = day;
      c.streak = streak;
    } else {
      // A day before the last one (late): its streak counts back through the days checked in.
      streak = 1;
      for (let d = dayBefore(day); c.days.has(d); d = dayBefore(d)) streak++;
    }
    c.days.add(day);
    this.openLot(memberId, eventId, CHECK_IN.points, at, 'check-in');
    if (streak % CHECK_IN.streakEvery === 0) this.openLot(memberId, eventId, CHECK_IN.bonus, at, 'check-in-streak');
  }

  private referral(eventId: string, referrerId: string, refereeId: string, at: number): void {
    if (referrerId === refereeId || this.member(refereeId).referred) return;
    this.member(refereeId).referred = true;
    this.openLot(referrerId, eventId, REFERRAL.referrer, at, 'referral');
    this.openLot(refereeId, eventId, REFERRAL.referee, at, 'referral-welcome');
  }

  // ---- HTTP, as answered ----

  redeemed(id: string, memberId: string, points: number): void {
    const m = this.member(memberId);
    this.spendCheck(m, `redemption ${id}`);
    const { portions, shortfall } = this.take(m, points);
    if (shortfall > 0) this.inexact(m, `redemption ${id} answered 201 for more than the oracle's lots hold`);
    this.change(m, portions, (lot, p) => (lot.remaining -= p));
    m.debt += shortfall;
    m.redeemed += points;
    this.redemptions.set(id, { memberId, points, reversed: false, portions });
    this.http201.add(id);
  }

  reversed(id: string): void {
    const r = this.redemptions.get(id);
    if (!r || r.reversed) return;
    r.reversed = true;
    const m = this.member(r.memberId);
    this.spendCheck(m, `reversal of ${id}`);
    for (const p of r.portions) {
      // Back into the lot it came from, keeping its expiry: a lot already closed opens again.
      const lot = m.lots.get(p.lot) ?? this.closedLot(m, p.lot);
      lot.remaining += p.points;
      m.lots.set(lot.id, lot);
    }
    m.reversed += r.points;
    this.settleDebt(m);
  }

  private closedLot(m: MemberModel, id: string): Lot {
    const expiresAt = this.lotExpiry.get(id);
    if (expiresAt === undefined) this.inexact(m, `lot ${id} of a reversal is unknown`);
    return { id, expiresAt: expiresAt ?? 0, remaining: 0, held: 0, order: this.order++ };
  }

  held(id: string, memberId: string, points: number, ttl: boolean): void {
    const m = this.member(memberId);
    this.spendCheck(m, `hold ${id}`);
    const { portions, shortfall } = this.take(m, points);
    if (shortfall > 0) this.inexact(m, `hold ${id} answered 201 for more than the oracle's lots hold`);
    this.change(m, portions, (lot, p) => (lot.held += p));
    m.heldOpen += points;
    if (ttl) m.openTtlHolds.add(id);
    this.holds.set(id, { memberId, points, ttl, portions });
    this.http201.add(id);
  }

  /** A capture (of `captured` points, the rest released) or release as answered, or a ttl hold's lapse (`lapsed`). */
  resolved(id: string, captured: number, lapsed = false): void {
    const h = this.holds.get(id);
    if (!h || h.resolved) return;
    h.resolved = { captured, released: h.points - captured };
    const m = this.member(h.memberId);
    if (!lapsed) this.spendCheck(m, `resolution of hold ${id}`);
    // The first `captured` points of the hold's portions are spent, the rest released.
    let left = captured;
    for (const p of h.portions) {
      const take = Math.min(left, p.points);
      left -= take;
      this.change(m, [{ lot: p.lot, points: take }], (lot, q) => {
        lot.held -= q;
        lot.remaining -= q;
      });
      this.change(m, [{ lot: p.lot, points: p.points - take }], (lot, q) => (lot.held -= q));
    }
    m.heldOpen -= h.points;
    m.captured += captured;
    m.openTtlHolds.delete(id);
    this.settleDebt(m);
  }

  refused(id: string, memberId: string, points: number, code: string): void {
    this.refusals.push({ id, memberId, points, code });
  }

  floor(memberId: string, tier: string): void {
    const m = this.member(memberId);
    const rank = rankOf(tier);
    this.floors.push({ memberId, tier });
    if (rank > m.tier) {
      m.tier = rank;
      m.lastUpgradeAt = REAL_TIME;
    }
    m.floor = rank;
  }

  // ---- the injected clock ----

  /** The ttl holds placed so far: the driver waits until each is released before the clock step. */
  openTtlHolds(): string[] {
    return [...this.holds].filter(([, h]) => h.ttl && !h.resolved).map(([id]) => id);
  }

  /** Everything sent is applied; ttl holds have lapsed; then the expiry sweep and the tier evaluation as of `asOf`. */
  clock(asOf: string): void {
    const at = Date.parse(asOf);
    for (const m of this.members.values()) m.inFlight.clear();
    for (const id of this.openTtlHolds()) this.resolved(id, 0, true);
    const summary = { asOf, upgraded: 0, downgraded: 0, protected: 0, lotsExpired: 0, pointsExpired: 0 };
    for (const m of this.members.values()) {
      for (const lot of this.spendingOrder(m).filter((l) => l.expiresAt <= at)) {
        const points = lot.remaining - lot.held;
        if (points <= 0) continue;
        lot.remaining -= points;
        m.expired += points;
        summary.lotsExpired++;
        summary.pointsExpired += points;
        if (lot.remaining <= 0 && lot.held <= 0) m.lots.delete(lot.id);
      }
      if (m.known) this.evaluate(m, at, summary);
    }
    this.clocks.push(summary);
  }

  private evaluate(m: MemberModel, at: number, summary: { upgraded: number; downgraded: number; protected: number }): void {
    const last = utcDay(at);
    const first = utcDay(Date.parse(`${last}T00:00:00Z`) - (TIER_WINDOW_DAYS - 1) * DAY);
    let points = 0;
    for (const [day, p] of m.qualifying) if (day >= first && day <= last) points += p;
    let earned = 0;
    TIERS.forEach((t, i) => {
      if (points >= t.threshold) earned = i;
    });
    if (earned > m.tier) {
      m.tier = earned;
      m.lastUpgradeAt = at;
      summary.upgraded++;
      return;
    }
    const target = Math.max(earned, m.floor ?? 0);
    if (target >= m.tier) return;
    if (m.lastUpgradeAt !== undefined && at < m.lastUpgradeAt + PROTECTED_DAYS * DAY) {
      summary.protected++;
      return;
    }
    m.tier = target;
    summary.downgraded++;
  }

  /** The balance the ledger must show. */
  expected(id: string): Expected {
    const m = this.member(id);
    let available = 0 - m.debt;
    let held = 0;
    for (const lot of m.lots.values()) {
      available += lot.remaining - lot.held;
      held += lot.held;
    }
    return {
      available,
      pending: 0,
      held,
      lifetimeEarned: m.earned,
      lifetimeRedeemed: m.redeemed + m.captured - m.reversed,
      expired: m.expired,
      tier: TIERS[m.tier].name,
    };
  }

  /** Conservation (invariant 4), which holds whichever lots the points came from: available + held + expired. */
  conserved(id: string): number {
    const m = this.member(id);
    return m.earned - m.clawed - m.redeemed - m.captured + m.reversed;
  }

  /** Open lots as `expiresAt (ms) -> points left`. */
  lots(id: string): Map<number, number> {
    const byExpiry = new Map<number, number>();
    for (const lot of this.member(id).lots.values()) if (lot.remaining > 0) byExpiry.set(lot.expiresAt, (byExpiry.get(lot.expiresAt) ?? 0) + lot.remaining);
    return byExpiry;
  }
}

/** Points `available` after the events of one member's log, folded by the oracle's own sums. */
export const availableAfter = (events: { type: string; data: { points?: number } }[]): number => {
  let available = 0;
  for (const { type, data } of events) {
    const p = Number(data.points ?? 0);
    if (type === 'points.earned' || type === 'hold.released' || type === 'redemption.reversed') available += p;
    else if (type === 'points.clawed-back' || type === 'points.redeemed' || type === 'points.held' || type === 'points.expired') available -= p;
    else if (type === 'points.adjusted') available += p;
  }
  return available;
};
