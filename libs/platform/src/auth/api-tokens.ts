import { isId } from '@tally/contracts';

export type RoleKind = 'ops' | 'read' | 'store' | 'app';

/**
 * What a bearer token may do; `store` tokens act for one store only. `app` is the programme's
 * member-facing backend: it may make the calls a member asks for (transfers, confirming a challenge).
 */
export type ApiRole = { kind: 'ops' } | { kind: 'read' } | { kind: 'app' } | { kind: 'store'; storeId: string };

export type ApiTokens = ReadonlyMap<string, ApiRole>;

export interface ParsedApiTokens {
  tokens: ApiTokens;
  problems: string[];
}

const parseRole = (raw: string): ApiRole | string => {
  if (raw === 'ops' || raw === 'read' || raw === 'app') return { kind: raw };
  if (raw.startsWith('store:')) {
    const storeId = raw.slice('store:'.length);
    return isId(storeId) ? { kind: 'store', storeId } : `store id ${JSON.stringify(storeId)} is not a valid id ([A-Za-z0-9._:-], 1-64 chars)`;
  }
  return `unknown role ${JSON.stringify(raw)} (expected ops, read, app or store:<storeId>)`;
};

const parseEntry = (entry: string, seen: ApiTokens): { token: string; role: ApiRole } | string => {
  const at = entry.lastIndexOf('=');
  if (at < 0) return 'expected token=role';
  const token = entry.slice(0, at).trim();
  if (token === '') return 'the token is empty';
  if (seen.has(token)) return 'the same token appears twice';
  const role = parseRole(entry.slice(at + 1).trim());
  return typeof role === 'string' ? role : { token, role };
};

/**
 * Parses `token=role,token=role`. Problems name the entry by position, never by token, so that a
 * config error cannot leak a secret into the logs. The role is after the last `=`, so tokens may
 * carry base64 padding.
 */
export const parseApiTokens = (raw: string | undefined): ParsedApiTokens => {
  const tokens = new Map<string, ApiRole>();
  const problems: string[] = [];
  if (raw === undefined || raw.trim() === '') return { tokens, problems };
  raw.split(',').forEach((entry, index) => {
    const parsed = parseEntry(entry.trim(), tokens);
    if (typeof parsed === 'string') problems.push(`entry ${index + 1}: ${parsed}`);
    else tokens.set(parsed.token, parsed.role);
  });
  return { tokens, problems };
};

export const describeRole = (role: ApiRole): string => (role.kind === 'store' ? `store:${role.storeId}` : role.kind);
