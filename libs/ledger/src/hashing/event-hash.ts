import { createHash, hash } from 'node:crypto';
import { isoEpochMs } from '../storage/epoch-iso';

/**
 * A SHA-256 digest as 64 lowercase hex digits: how the append keeps a member's chain head. A
 * digest as a `Buffer` was an ArrayBuffer of its own per event (a malloc'd backing store the
 * collector tracks and sweeps, kept by every cached state) and was written out as hex anyway
 * for PostgreSQL's `bytea` parameters.
 */
export type HashHex = string;

/** The hash that starts every member's chain. */
export const GENESIS_HASH: HashHex = '0'.repeat(64);

/** The fields of a stored event the hash covers, with the data as its stored text. */
export interface HashedFields {
  memberId: string;
  version: number;
  eventId: string;
  type: string;
  occurredAt: string;
  recordedAt: string;
  causationId: string;
  /** The `data` column's text exactly as stored. */
  dataText: string;
}

/**
 * The last two instants written as microseconds, and their texts: every event of an append has
 * the same `recordedAt`, and a batch's events often share their `occurredAt`.
 */
const recentIso = ['', ''];
const recentMicros = ['', ''];
let newest = 0;

/**
 * Microseconds since the epoch, PostgreSQL's own precision for `timestamptz`, written as
 * PostgreSQL writes the `bigint`: a whole number of milliseconds with three zeros appended, except
 * the epoch itself, which is `0`, not `0000`.
 */
const micros = (iso: string): string => {
  if (iso === recentIso[0]) return recentMicros[0];
  if (iso === recentIso[1]) return recentMicros[1];
  const ms = isoEpochMs(iso);
  if (Number.isNaN(ms)) throw new Error(`not a timestamp: ${iso}`);
  newest ^= 1;
  recentIso[newest] = iso;
  return (recentMicros[newest] = ms === 0 ? '0' : `${ms}000`);
};

/**
 * The bytes an event's hash covers: its fields one per line, the data text last (ids never hold
 * a line break, and the data is the rest). PostgreSQL builds the same bytes from the stored row
 * (`STORED_HASHED_TEXT_SQL`), so the audit verifies every chain inside the database.
 */
export const hashedText = (e: HashedFields): string =>
  `${e.memberId}\n${e.version}\n${e.eventId.toLowerCase()}\n${e.type}\n${micros(e.occurredAt)}\n${micros(e.recordedAt)}\n${e.causationId}\n${e.dataText}`;

/** Where the previous hash and an event's text are laid out to be hashed in one call. */
const scratch = Buffer.allocUnsafe(16 * 1024);

/**
 * SHA-256 over the previous hash (its 32 bytes) and the event: the member's tamper-evident chain.
 * Both go through one buffer and a one-shot hash, not a Hash object fed twice (an append hashes
 * every event it writes); a text too long for the buffer is hashed the long way.
 */
export const eventHash = (prevHash: HashHex, event: HashedFields): HashHex => {
  const text = hashedText(event);
  const offset = scratch.write(prevHash, 0, 'hex');
  if (offset !== 32) throw new Error(`not a SHA-256 digest in hex: ${prevHash}`);
  const written = scratch.write(text, offset, 'utf8');
  // write() stops short, by at most one character's 3 bytes, only when the text does not fit.
  if (written < scratch.length - offset - 3) return hash('sha256', scratch.subarray(0, offset + written), 'hex');
  return createHash('sha256').update(Buffer.from(prevHash, 'hex')).update(text, 'utf8').digest('hex');
};

/**
 * `hashedText` as SQL over a `ledger_events` row aliased `e`. PostgreSQL 14 or later: `extract`
 * gives numeric, so the microseconds are exact for every instant it stores.
 */
export const STORED_HASHED_TEXT_SQL = `concat_ws(E'\\n', e.member_id, e.version, e.event_id, e.type,
     (extract(epoch FROM e.occurred_at) * 1000000)::bigint, (extract(epoch FROM e.recorded_at) * 1000000)::bigint,
     e.causation_id, e.data::text)`;

/**
 * `eventHash` as SQL over a `ledger_events` row aliased `e`, given the previous hash as an
 * expression. The database must use UTF-8.
 */
export const storedHashSql = (prevHash: string): string => `sha256(${prevHash} || convert_to(${STORED_HASHED_TEXT_SQL}, 'UTF8'))`;

/** Ids that would make the hashed text ambiguous. */
export const assertHashableId = (name: string, value: string): void => {
  if (value.includes('\n')) throw new Error(`${name} must not contain a line break`);
};
