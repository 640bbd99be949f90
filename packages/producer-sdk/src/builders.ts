import { MemberActivity, MemberCheckedIn, PurchaseCompleted, PurchaseRefunded, ReferralCompleted } from './inputs';
import { validated } from './validation';

type Fields<T> = Omit<T, 'type'>;

/** Builders: each sets `type` and validates, so a message Tally would dead-letter is never built. */
export const purchaseCompleted = (fields: Fields<PurchaseCompleted>): PurchaseCompleted => validated({ type: 'purchase.completed', ...fields });
export const purchaseRefunded = (fields: Fields<PurchaseRefunded>): PurchaseRefunded => validated({ type: 'purchase.refunded', ...fields });
export const memberCheckedIn = (fields: Fields<MemberCheckedIn>): MemberCheckedIn => validated({ type: 'member.checked-in', ...fields });
export const referralCompleted = (fields: Fields<ReferralCompleted>): ReferralCompleted => validated({ type: 'referral.completed', ...fields });
export const memberActivity = (fields: Fields<MemberActivity>): MemberActivity => validated({ type: 'member.activity', ...fields });

const ID_PART = /^[A-Za-z0-9._:-]+$/;

/**
 * An event id unique within its topic: the producer's own id, then its sequence or local id
 * (`eventId('pos-7', 123)` is `pos-7-000123`). Resending the same input must reuse its id: that is
 * how Tally counts it once.
 */
export const eventId = (producerId: string, sequence: number | string): string => {
  const tail = typeof sequence === 'number' ? String(sequence).padStart(6, '0') : sequence;
  const id = `${producerId}-${tail}`;
  if (!ID_PART.test(id) || id.length > 128) throw new RangeError(`event id ${id.slice(0, 140)} is not 1-128 characters of [A-Za-z0-9._:-]`);
  return id;
};

/**
 * The instant as ISO-8601 with an explicit offset, e.g. `occurredAt(new Date(), '+08:00')` is
 * `2026-11-23T10:15:00.000+08:00`: the local time of the branch, never ambiguous.
 */
export const occurredAt = (instant: Date, offset = 'Z'): string => {
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(offset);
  if (offset === 'Z' || offset === '+00:00') return instant.toISOString();
  if (!m) throw new RangeError(`offset ${offset} is not Z or ±HH:MM`);
  const minutes = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
  return `${new Date(instant.getTime() + minutes * 60_000).toISOString().slice(0, -1)}${offset}`;
};
