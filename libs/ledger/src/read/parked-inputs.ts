import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { textArray } from '../append/bulk-params';

export interface ParkedInput {
  scope: string;
  causationId: string;
  memberId: string;
  waitKey: string;
  input: unknown;
}

/** A member's input by the value of one of its fields. */
interface FieldOf {
  memberId: string;
  value: string;
}

/** A lateral lookup per key through the (member_id, wait_key) index, whatever the table's size. */
const WAITING_FOR = `SELECT p.scope, p.causation_id AS "causationId", p.member_id AS "memberId", p.wait_key AS "waitKey", p.input
    FROM unnest($1::text[], $2::text[]) AS k(m, w)
    CROSS JOIN LATERAL (SELECT * FROM parked_inputs WHERE member_id = k.m AND wait_key = k.w OFFSET 0) p
   ORDER BY p.parked_at`;

/**
 * The refusals of the inputs of a type with a field's value, oldest first. An unnamed statement is
 * planned with its values, so a partial expression index on that type and field serves it (as
 * `rejections_refused_purchase_orders` serves purchases by order).
 */
const REJECTION_CODES = `SELECT k.m AS "memberId", k.v AS "value", r.codes
    FROM unnest($1::text[], $2::text[]) AS k(m, v)
    CROSS JOIN LATERAL (SELECT array_agg(code ORDER BY id) AS codes FROM rejections
                         WHERE member_id = k.m AND input->>'type' = $3 AND input->>$4 = k.v) r
   WHERE r.codes IS NOT NULL`;

/** The parked inputs of these causations, through the primary key. */
const PARKED_AS = `SELECT p.scope, p.causation_id AS "causationId", p.member_id AS "memberId", p.wait_key AS "waitKey", p.input
    FROM unnest($1::text[], $2::text[]) AS k(s, c)
    CROSS JOIN LATERAL (SELECT * FROM parked_inputs WHERE scope = k.s AND causation_id = k.c) p`;

const ANY_PARKED = `SELECT EXISTS (SELECT 1 FROM parked_inputs) AS "any"`;

/** Inputs that arrived before what they depend on (a refund before its purchase) wait here. */
export class ParkedInputs {
  /**
   * `pool`: the appends' connections (`ledgerAppendPool`). The earn service asks after every
   * batch it appends whether refunds wait for its purchases; through the data source that was a
   * query runner and a fresh plan each time, about 1.6 ms of a 10 ms handler call at a steady
   * 1,000 purchases/s, for an answer that is nearly always "none".
   */
  constructor(
    private readonly dataSource: DataSource,
    private readonly pool?: Pool,
  ) {}

  async park(items: ParkedInput[], now: Date): Promise<void> {
    if (items.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO parked_inputs (scope, causation_id, member_id, wait_key, input, parked_at)
       SELECT s, c, m, w, i, $6::timestamptz FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[]) AS x(s, c, m, w, i)
       ON CONFLICT (scope, causation_id) DO NOTHING`,
      [
        items.map((i) => i.scope),
        items.map((i) => i.causationId),
        items.map((i) => i.memberId),
        items.map((i) => i.waitKey),
        items.map((i) => JSON.stringify(i.input)),
        now.toISOString(),
      ],
    );
  }

  /**
   * Whether anything waits at all: nearly always not (refunds rarely come before their purchase,
   * and wait only until it comes), so a caller asking after every batch asks this first instead
   * of probing for each of its keys.
   */
  async anyParked(): Promise<boolean> {
    const [{ any }] = await this.askAfterAppend<{ any: boolean }>('tally_parked_any', ANY_PARKED, []);
    return any;
  }

  /**
   * The inputs parked under these causations: a causation that waits is taken, like one answered,
   * so an input that comes under it again is a redelivery or a reuse of its id.
   */
  async parkedAs(keys: { scope: string; causationId: string }[]): Promise<ParkedInput[]> {
    if (keys.length === 0) return [];
    const values = [textArray(keys.map((k) => k.scope)), textArray(keys.map((k) => k.causationId))];
    return this.askAfterAppend<ParkedInput>('tally_parked_as', PARKED_AS, values);
  }

  async waitingFor(keys: { memberId: string; waitKey: string }[]): Promise<ParkedInput[]> {
    if (keys.length === 0) return [];
    const values = [textArray(keys.map((k) => k.memberId)), textArray(keys.map((k) => k.waitKey))];
    return this.askAfterAppend<ParkedInput>('tally_parked_waiting_for', WAITING_FOR, values);
  }

  /**
   * The codes the member's inputs of `inputType` whose `field` has the given value were refused
   * with, oldest first (none: never refused). An input about to wait for another asks first: one
   * that was refused will not come again to settle it; the rules say which refusals settle it.
   */
  async rejectionCodes(inputType: string, field: string, keys: FieldOf[]): Promise<(key: FieldOf) => string[]> {
    if (keys.length === 0) return () => [];
    const rows: (FieldOf & { codes: string[] })[] = await this.dataSource.query(REJECTION_CODES, [
      keys.map((k) => k.memberId),
      keys.map((k) => k.value),
      inputType,
      field,
    ]);
    const codes = new Map(rows.map((r) => [`${r.memberId}\u0000${r.value}`, r.codes]));
    return (key) => codes.get(`${key.memberId}\u0000${key.value}`) ?? [];
  }

  /** What waits, oldest first, for ops (`GET /ops/parked`): what is listed here is not yet in any balance. */
  async list(filter: { memberId?: string; limit: number }): Promise<{ items: (ParkedInput & { parkedAt: Date })[]; total: number }> {
    const items: (ParkedInput & { parkedAt: Date })[] = await this.dataSource.query(
      `SELECT scope, causation_id AS "causationId", member_id AS "memberId", wait_key AS "waitKey", input, parked_at AS "parkedAt"
         FROM parked_inputs WHERE $1::text IS NULL OR member_id = $1 ORDER BY parked_at, scope, causation_id LIMIT $2`,
      [filter.memberId ?? null, filter.limit],
    );
    const [{ total }] = await this.dataSource.query(`SELECT count(*)::int AS total FROM parked_inputs WHERE $1::text IS NULL OR member_id = $1`, [
      filter.memberId ?? null,
    ]);
    return { items, total };
  }

  /** A question asked after every append: a named statement on the appends' pool when there is one. */
  private async askAfterAppend<T>(name: string, text: string, values: unknown[]): Promise<T[]> {
    if (!this.pool) return this.dataSource.query(text, values);
    return (await this.pool.query({ name, text, values })).rows as T[];
  }

  async remove(items: { scope: string; causationId: string }[]): Promise<void> {
    if (items.length === 0) return;
    await this.dataSource.query(`DELETE FROM parked_inputs p USING unnest($1::text[], $2::text[]) AS k(s, c) WHERE p.scope = k.s AND p.causation_id = k.c`, [
      items.map((i) => i.scope),
      items.map((i) => i.causationId),
    ]);
  }
}
