import { createHash } from 'node:crypto';

/** The hash that starts every member's chain. */
export const GENESIS_HASH: Buffer = Buffer.alloc(32);

/** JSON with object keys sorted at every depth: the same event always hashes the same. */
export const canonicalJson = (value: unknown): string => {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
};

/** The fields of a stored event the hash covers: everything but its position and the hashes. */
export interface HashedFields {
  memberId: string;
  version: number;
  eventId: string;
  type: string;
  data: unknown;
  occurredAt: string;
  recordedAt: string;
  causationId: string;
}

/** SHA-256 over the previous hash and the canonical event: the member's tamper-evident chain. */
export const eventHash = (prevHash: Buffer, event: HashedFields): Buffer =>
  createHash('sha256')
    .update(prevHash)
    .update(
      canonicalJson({
        memberId: event.memberId,
        version: event.version,
        eventId: event.eventId,
        type: event.type,
        data: event.data,
        occurredAt: event.occurredAt,
        recordedAt: event.recordedAt,
        causationId: event.causationId,
      }),
    )
    .digest();
