import { LedgerCommand } from './ledger-command';
import { Query } from '../database/query';

/** What a causation already answered: its outcome, the request's fingerprint and the stored result. */
export interface SeenCausation {
  outcome: string;
  fingerprint: string | null;
  result: unknown;
}

export const causationKey = (scope: string, id: string) => `${scope}\u0000${id}`;

/** The causations that exist of these keys (`scopes[i]`, `ids[i]`), by `causationKey`. */
export const findCausationsByKey = async (query: Query, scopes: string[], ids: string[]): Promise<Map<string, SeenCausation>> => {
  const rows: { scope: string; causation_id: string; outcome: string; fingerprint: string | null; result: unknown }[] = await query(
    // A lateral lookup per key: joined plainly, the planner hashes the whole table once it grows.
    `SELECT c.* FROM unnest($1::text[], $2::text[]) AS k(scope, id)
       CROSS JOIN LATERAL (SELECT scope, causation_id, outcome, fingerprint, result FROM causations
                            WHERE scope = k.scope AND causation_id = k.id LIMIT 1) c`,
    [scopes, ids],
    'tally_find_causations',
  );
  return new Map(rows.map((r) => [causationKey(r.scope, r.causation_id), { outcome: r.outcome, fingerprint: r.fingerprint, result: r.result }]));
};

/** The causations of these commands' keys that exist, by `causationKey`. */
export const findCausations = <R>(query: Query, commands: LedgerCommand<R>[]): Promise<Map<string, SeenCausation>> =>
  findCausationsByKey(
    query,
    commands.map((c) => c.scope),
    commands.map((c) => c.causationId),
  );
