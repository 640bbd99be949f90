import { Workload } from './workload';

/** The oracle's own ledger of a member: sums only, by the default program's rules. */
export interface MemberModel {
  earned: number;
  clawed: number;
  redeemed: number;
  captured: number;
  reversed: number;
  heldOpen: number;
}

const blank = (): MemberModel => ({ earned: 0, clawed: 0, redeemed: 0, captured: 0, reversed: 0, heldOpen: 0 });

/**
 * An independent model of what the ledger must hold: Kafka effects come from the workload (known
 * in advance), HTTP effects from the answers the services gave (201 = done, 422 = refused, to be
 * justified against the log). It knows nothing of the project's deciders.
 */
export class Oracle {
  readonly members = new Map<string, MemberModel>();
  readonly redemptions = new Map<string, { memberId: string; points: number; reversed: boolean }>();
  readonly holds = new Map<string, { memberId: string; points: number; resolved?: { captured: number; released: number } }>();
  readonly refusals: { id: string; memberId: string; points: number; code: string }[] = [];
  readonly http201 = new Set<string>();

  constructor(private readonly workload: Workload) {
    for (const effect of workload.effects.values()) {
      for (const [m, p] of Object.entries(effect.earned)) this.member(m).earned += p;
      for (const [m, p] of Object.entries(effect.clawed)) this.member(m).clawed += p;
    }
    for (const group of workload.groups.values()) for (const [m, p] of Object.entries(group.earned)) this.member(m).earned += p;
  }

  member(id: string): MemberModel {
    let m = this.members.get(id);
    if (!m) this.members.set(id, (m = blank()));
    return m;
  }

  redeemed(id: string, memberId: string, points: number): void {
    this.redemptions.set(id, { memberId, points, reversed: false });
    this.member(memberId).redeemed += points;
    this.http201.add(id);
  }

  reversed(id: string): void {
    const r = this.redemptions.get(id);
    if (!r || r.reversed) return;
    r.reversed = true;
    this.member(r.memberId).reversed += r.points;
  }

  held(id: string, memberId: string, points: number): void {
    this.holds.set(id, { memberId, points });
    this.member(memberId).heldOpen += points;
    this.http201.add(id);
  }

  resolved(id: string, captured: number): void {
    const h = this.holds.get(id);
    if (!h || h.resolved) return;
    h.resolved = { captured, released: h.points - captured };
    const m = this.member(h.memberId);
    m.heldOpen -= h.points;
    m.captured += captured;
  }

  refused(id: string, memberId: string, points: number, code: string): void {
    this.refusals.push({ id, memberId, points, code });
  }

  /** The balance the ledger must show. */
  expected(id: string): { available: number; pending: number; held: number; lifetimeEarned: number; lifetimeRedeemed: number; expired: number; tier: string } {
    const m = this.member(id);
    return {
      available: m.earned - m.clawed - m.redeemed - m.captured - m.heldOpen + m.reversed,
      pending: 0,
      held: m.heldOpen,
      lifetimeEarned: m.earned,
      lifetimeRedeemed: m.redeemed + m.captured - m.reversed,
      expired: 0,
      tier: this.workload.climbers.has(id) && m.earned >= 1000 ? 'silver' : 'member',
    };
  }
}

/** Points `available` after the events of one member's log, folded by the oracle's own sums. */
export const availableAfter = (events: { type: string; data: { points?: number } }[]): number => {
  let available = 0;
  for (const { type, data } of events) {
    const p = Number(data.points ?? 0);
    if (type === 'points.earned' || type === 'hold.released' || type === 'redemption.reversed') available += p;
    else if (type === 'points.clawed-back' || type === 'points.redeemed' || type === 'points.held') available -= p;
    else if (type === 'points.adjusted') available += p;
  }
  return available;
};
