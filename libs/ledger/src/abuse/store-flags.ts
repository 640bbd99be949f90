import { DataSource } from 'typeorm';

/** A store flag as the store-points rule raised it. */
export interface NewStoreFlag {
  flagId: string;
  storeId: string;
  ruleId: string;
  action: string;
  /** What the rule saw, stored as it is; its hour is what a flag is unique per. */
  evidence: { period: string };
}

export interface StoreFlagRow {
  storeId: string;
  flagId: string;
  ruleId: string;
  action: string;
  evidence: unknown;
  flaggedAt: string;
  cleared?: { actor: string; note?: string; at: string };
}

const RECORD = `INSERT INTO store_flags (flag_id, store_id, rule_id, period, action, evidence)
  SELECT f.flag_id, f.store_id, f.rule_id, f.period, f.action, f.evidence
    FROM jsonb_to_recordset($1::jsonb) AS f(flag_id text, store_id text, rule_id text, period text, action text, evidence jsonb)
  ON CONFLICT (store_id, rule_id, period) DO NOTHING
  RETURNING flag_id`;

/** The columns a flag listing reads, whoever (a member, a store) is flagged. */
export interface FlaggedRow {
  flag_id: string;
  rule_id: string;
  action: string;
  evidence: unknown;
  flagged_at: Date;
  cleared_by: string | null;
  cleared_note: string | null;
  cleared_at: Date | null;
}

interface Row extends FlaggedRow {
  store_id: string;
}

/** A flag as the ops API lists it, with who cleared it once cleared. */
export const flagOfRow = (r: FlaggedRow): Omit<StoreFlagRow, 'storeId'> => ({
  flagId: r.flag_id,
  ruleId: r.rule_id,
  action: r.action,
  evidence: r.evidence,
  flaggedAt: r.flagged_at.toISOString(),
  ...(r.cleared_at
    ? { cleared: { actor: r.cleared_by ?? '', ...(r.cleared_note === null ? {} : { note: r.cleared_note }), at: r.cleared_at.toISOString() } }
    : {}),
});

/** Stores' points per hour and the store flags raised on them: what the store-points rule reads and writes. */
export class StoreFlags {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * The counts of these store-hours as committed (the appends add to them, `LedgerCommand.counts`),
   * by `storeId\u0000hour`; a store-hour nothing was counted in is absent.
   */
  async totals(keys: readonly { storeId: string; period: string }[]): Promise<Map<string, number>> {
    if (keys.length === 0) return new Map();
    const rows: { store_id: string; hour: string; points: string }[] = await this.dataSource.query(
      `SELECT s.store_id, s.hour, s.points FROM store_hour_points s
         JOIN unnest($1::text[], $2::text[]) AS k(store_id, hour) ON s.store_id = k.store_id AND s.hour = k.hour`,
      [keys.map((k) => k.storeId), keys.map((k) => k.period)],
    );
    return new Map(rows.map((r) => [`${r.store_id}\u0000${r.hour}`, Number(r.points)]));
  }

  /** Records flags, one per store, rule and hour: those recorded before are left as they were. The ids recorded now. */
  async record(flags: readonly NewStoreFlag[]): Promise<Set<string>> {
    if (flags.length === 0) return new Set();
    const json = flags.map((f) => ({
      flag_id: f.flagId,
      store_id: f.storeId,
      rule_id: f.ruleId,
      period: f.evidence.period,
      action: f.action,
      evidence: f.evidence,
    }));
    const rows: { flag_id: string }[] = await this.dataSource.query(RECORD, [JSON.stringify(json)]);
    return new Set(rows.map((r) => r.flag_id));
  }

  /**
   * A page of store flags, in the order their transactions began (then by id), after the flag
   * `after` (a previous page's `next`), and only those no running transaction can still sort
   * before: a reader following `next` never skips one recorded by a batch that committed late.
   */
  async list(query: { storeId?: string; state: 'open' | 'all'; after: string; limit: number }): Promise<{ items: StoreFlagRow[]; next: string | null }> {
    const rows: (Row & { id: string })[] = await this.dataSource.query(
      `SELECT * FROM store_flags
        WHERE (tx_id, id) > (coalesce((SELECT tx_id FROM store_flags WHERE id <= $1::bigint ORDER BY id DESC LIMIT 1), '0'::xid8), $1::bigint)
          AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
          AND ($2::text IS NULL OR store_id = $2) AND ($3 = 'all' OR cleared_at IS NULL)
        ORDER BY tx_id, id LIMIT $4`,
      [query.after, query.storeId ?? null, query.state, query.limit],
    );
    const items = rows.map((r) => ({ storeId: r.store_id, ...flagOfRow(r) }));
    return { items, next: rows.length === query.limit ? String(rows[rows.length - 1].id) : null };
  }

  /** Clears an open flag: false when the store has no such open flag. */
  async clear(storeId: string, flagId: string, actor: string, note: string | undefined, at: Date): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      // Through a CTE: TypeORM answers an UPDATE with [rows, count], a SELECT with its rows.
      `WITH c AS (UPDATE store_flags SET cleared_by = $3, cleared_note = $4, cleared_at = $5
                   WHERE store_id = $1 AND flag_id = $2 AND cleared_at IS NULL RETURNING flag_id)
       SELECT flag_id FROM c`,
      [storeId, flagId, actor, note ?? null, at],
    );
    return rows.length > 0;
  }
}
