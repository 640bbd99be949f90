import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { StoredReply } from './idempotent-ledger';

/** A request's causation row: `appended` or `rejected`, and the reply it stored (see `StoredReply`). */
export interface StoredCausation {
  outcome: string;
  reply: StoredReply<unknown> | null;
}

/** The first successful result of a request: the member it acted on and the reply body it answered. */
export interface AppendedReply<B> {
  memberId: string;
  body: B;
}

/**
 * Finds a hold or redemption from its id alone. The request that created it stored its member and
 * reply body in `causations.result`: primary-key reads. The member state keeps no record of past
 * redemptions or resolved holds, so what they were is read here, never from the state.
 */
@Injectable()
export class MemberLookup {
  constructor(private readonly dataSource: DataSource) {}

  /** The causations of `id` in each of `scopes` (one read of the primary key), by scope. */
  async causations(scopes: readonly string[], id: string): Promise<Map<string, StoredCausation>> {
    const rows: { scope: string; outcome: string; result: StoredReply<unknown> | null }[] = await this.dataSource.query(
      `SELECT scope, outcome, result FROM causations WHERE scope = ANY($1) AND causation_id = $2`,
      [scopes, id],
    );
    return new Map(rows.map((row) => [row.scope, { outcome: row.outcome, reply: row.result }]));
  }

  /** The stored reply of the request `scope`/`id` when it was appended; undefined when never made or refused. */
  async appendedReply<B>(scope: string, id: string): Promise<AppendedReply<B> | undefined> {
    return appendedReplyOf<B>((await this.causations([scope], id)).get(scope));
  }
}

export const appendedReplyOf = <B>(causation: StoredCausation | undefined): AppendedReply<B> | undefined => {
  const reply = causation?.reply;
  if (causation?.outcome !== 'appended' || !reply?.ok) return undefined;
  return { memberId: reply.memberId, body: reply.body as B };
};
