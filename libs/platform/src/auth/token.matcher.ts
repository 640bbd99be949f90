import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiRole, ApiTokens } from './api-tokens';

const digest = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/**
 * Finds a token's role comparing against every configured token in constant time: digests make
 * the lengths equal, and the loop never stops early, so timing tells nothing about near misses.
 */
export class TokenMatcher {
  private readonly entries: { digest: Buffer; role: ApiRole }[];

  constructor(tokens: ApiTokens) {
    this.entries = [...tokens].map(([token, role]) => ({ digest: digest(token), role }));
  }

  get size(): number {
    return this.entries.length;
  }

  match(token: string): ApiRole | undefined {
    const presented = digest(token);
    let found: ApiRole | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, presented)) found = entry.role;
    }
    return found;
  }
}
