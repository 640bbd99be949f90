import { LedgerEvent, LedgerEventType } from '@tally/contracts';
import { MemberBalance, MemberFold, MemberState, balanceOf, initialMemberState } from '@tally/member-ledger';
import { DataSource } from 'typeorm';
import { Query, queryOf } from '../database/query';
import { MemberStates, storedEvent } from '../state/member-states';
import { EVENT_COLUMNS, StoredEventRow, toLedgerEvent } from './event-row';

export interface BalanceView extends MemberBalance {
  asOf: string;
}

export interface OpenLotView {
  lotId: string;
  remaining: number;
  held: number;
  expiresAt: string;
  pending: boolean;
  availableAt?: string;
}

export interface Page<T> {
  items: T[];
  next: string | null;
}

/** A `member_state` row: the balance columns every append keeps current. */
interface BalanceRow {
  member_id: string;
  version: number;
  available: string;
  pending: string;
  held: string;
  lifetime_earned: string;
  lifetime_redeemed: string;
  expired: string;
  tier: string;
}

const balanceOfRow = (row: BalanceRow): MemberBalance => ({
  memberId: row.member_id,
  available: Number(row.available),
  pending: Number(row.pending),
  held: Number(row.held),
  lifetimeEarned: Number(row.lifetime_earned),
  lifetimeRedeemed: Number(row.lifetime_redeemed),
  expired: Number(row.expired),
  tier: row.tier,
  version: row.version,
});

/** Read side of the ledger: everything the read API and the services' lookups need. */
export class LedgerQueries {
  constructor(
    private readonly dataSource: DataSource,
    private readonly states: MemberStates,
  ) {}

  private readonly query: Query = queryOf(this.dataSource);

  /** The member's folded state (what the rules decide on); the initial state for a member without events. */
  async memberState(memberId: string): Promise<MemberState> {
    return (await this.states.read(this.query, [memberId])).get(memberId) ?? initialMemberState(memberId);
  }

  /** The live balance, or the one visible at `asOf` (events recorded up to then, folded again). */
  async balance(memberId: string, now: Date, asOf?: Date): Promise<BalanceView | undefined> {
    if (!asOf) {
      const rows: BalanceRow[] = await this.query('SELECT * FROM member_state WHERE member_id = $1', [memberId]);
      return rows[0] && { ...balanceOfRow(rows[0]), asOf: now.toISOString() };
    }
    const rows: { version: number; type: LedgerEventType; data: unknown[]; occurred_at: Date }[] = await this.query(
      `SELECT version, type, data, occurred_at FROM ledger_events WHERE member_id = $1 AND recorded_at <= $2 ORDER BY version`,
      [memberId, asOf.toISOString()],
    );
    if (rows.length === 0) return undefined;
    const fold = MemberFold.owning(initialMemberState(memberId));
    for (const row of rows) fold.apply(storedEvent(memberId, row.type, row.occurred_at.toISOString(), row.data), row.version);
    return { ...balanceOf(fold.state), asOf: asOf.toISOString() };
  }

  async events(memberId: string, after: string, limit: number): Promise<Page<LedgerEvent>> {
    const rows: StoredEventRow[] = await this.query(
      `SELECT ${EVENT_COLUMNS} FROM ledger_events e WHERE e.member_id = $1 AND e.position > $2 ORDER BY e.position LIMIT $3`,
      [memberId, after, limit],
    );
    const items = rows.map(toLedgerEvent);
    return { items, next: items.length === limit ? items[items.length - 1].position : null };
  }

  async memberExists(memberId: string): Promise<boolean> {
    const rows = await this.query('SELECT 1 FROM member_state WHERE member_id = $1', [memberId]);
    return rows.length > 0;
  }

  /** Open lots in the order they are spent: soonest-expiring first, then the order they were opened in. */
  async lots(memberId: string): Promise<OpenLotView[] | undefined> {
    if (!(await this.memberExists(memberId))) return undefined;
    const rows: { lot_id: string; remaining: string; held: string; expires_at: Date; pending: boolean; available_at: Date | null }[] = await this.query(
      `SELECT lot_id, remaining, held, expires_at, pending, available_at FROM open_lots
          WHERE member_id = $1 AND remaining > 0 ORDER BY expires_at, lot_order`,
      [memberId],
    );
    return rows.map((row) => ({
      lotId: row.lot_id,
      remaining: Number(row.remaining),
      held: Number(row.held),
      expiresAt: row.expires_at.toISOString(),
      pending: row.pending,
      ...(row.pending && row.available_at ? { availableAt: row.available_at.toISOString() } : {}),
    }));
  }

  /**
   * Refusals after `after`, of one member when `memberId` is given: those recorded against it, and
   * those recorded against another member of the same command (a referral refused for its
   * referrer lists for the referee too). In commit-safe
   * order (see `committedAfter`).
   */
  async rejections(filter: { memberId?: string; after: string; limit: number }): Promise<Page<Record<string, unknown>>> {
    // `final`: false for a refusal that rested on the member's state, which a retry decides again;
    // `memberVersion`: the member version it was decided on (null on rows older than that record).
    const columns = `id, scope, causation_id AS "causationId", member_id AS "memberId", code, message,
              occurred_at AS "occurredAt", recorded_at AS "recordedAt", input, final, member_version AS "memberVersion"`;
    const ofMember = `(member_id = $3 OR related_member_ids @> ARRAY[$3::text])`;
    const rows: Record<string, unknown>[] = await this.query(
      `SELECT ${columns} FROM rejections WHERE ${committedAfter('rejections')} AND ($3::text IS NULL OR ${ofMember}) ORDER BY tx_id, id LIMIT $2`,
      [filter.after, filter.limit, filter.memberId ?? null],
    );
    const items = rows.map((r) => ({ ...r, id: String(r.id) }));
    return { items, next: items.length === filter.limit ? String(items[items.length - 1].id) : null };
  }

  async deadLetters(filter: { after: string; limit: number }): Promise<Page<Record<string, unknown>>> {
    const rows: Record<string, unknown>[] = await this.query(
      `SELECT id, source_topic AS "sourceTopic", partition, "offset", reason, message, recorded_at AS "recordedAt", letter
         FROM dead_letters WHERE ${committedAfter('dead_letters')} ORDER BY tx_id, id LIMIT $2`,
      [filter.after, filter.limit],
    );
    const items = rows.map((r) => ({ ...r, id: String(r.id), offset: String(r.offset) }));
    return { items, next: items.length === filter.limit ? String(items[items.length - 1].id) : null };
  }
}

/**
 * Rows of a list after the row `$1` (the id a previous page ended on), in the order their
 * transactions began, and only those whose transaction began before the oldest one still running:
 * every row that will ever sort before them is visible already, so a reader following `next`
 * never skips one that committed late. A row waits for that (normally milliseconds; as long as
 * the oldest open transaction of the server otherwise). An id no row has resumes after the
 * nearest row before it.
 */
const committedAfter = (table: 'rejections' | 'dead_letters') =>
  `(tx_id, id) > (coalesce((SELECT tx_id FROM ${table} WHERE id <= $1::bigint ORDER BY id DESC LIMIT 1), '0'::xid8), $1::bigint)
   AND tx_id < pg_snapshot_xmin(pg_current_snapshot())`;
