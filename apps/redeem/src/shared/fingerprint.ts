import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every depth and undefined fields left out: equal bodies, equal text. */
export const canonicalJson = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
};

/** The idempotency fingerprint of a request: the same key with another fingerprint is a conflict. */
export const fingerprintOf = (body: unknown): string => createHash('sha256').update(canonicalJson(body), 'utf8').digest('hex');
