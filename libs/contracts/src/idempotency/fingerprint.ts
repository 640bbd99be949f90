import { createHash, hash } from 'node:crypto';

/**
 * JSON with object keys sorted at every depth and undefined fields left out: equal bodies, equal
 * text. Built by hand rather than with entries, filters and joins: earn fingerprints every input.
 */
export const canonicalJson = (value: unknown): string => {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) text += ',';
      text += value[i] === undefined ? 'null' : canonicalJson(value[i]);
    }
    return text + ']';
  }
  const record = value as Record<string, unknown>;
  let text = '{';
  for (const key of Object.keys(record).sort()) {
    const field = record[key];
    if (field === undefined) continue;
    if (text.length > 1) text += ',';
    text += JSON.stringify(key) + ':' + canonicalJson(field);
  }
  return text + '}';
};

/** The idempotency fingerprint of a request: the same key with another fingerprint is a conflict. */
export const fingerprintOf = (body: unknown): string => createHash('sha256').update(canonicalJson(body), 'utf8').digest('hex');

/**
 * A shorter fingerprint (the first 22 base64url characters of SHA-256: 132 bits) for what is
 * fingerprinted by the million, Kafka inputs: plenty to tell a redelivery from a reused id, and a
 * third of the `causations` bytes of `fingerprintOf`. Not comparable with `fingerprintOf`: a scope uses one.
 */
export const shortFingerprintOf = (body: unknown): string => hash('sha256', canonicalJson(body), 'base64url').slice(0, 22);
