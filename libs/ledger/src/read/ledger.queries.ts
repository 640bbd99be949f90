import { MemberBalance, MemberState, balanceOf, evolveMember, initialMemberState, lotsInSpendingOrder } from '@tally/member-ledger';
import { DataSource } from 'typeorm';
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

/** Read side of the ledger: everything the read API and the services' lookups need. */
export class LedgerQueries {
  constructor(private readonly dataSource: DataSource) {}

  async memberState(memberId: string): Promise<MemberState | undefined> {
    const rows: { state: MemberState }[] = await this.dataSource.query('SELECT state FROM member_state WHERE member_id = $1', [
      memberId,
    ]);
    return rows[0]?.state;
  }

  /** The live balance, or the one visible at `asOf` (events recorded up to then, folded again). */
  async balance(memberId: string, now: Date, asOf?: Date): Promise<BalanceView | undefined> {
    if (!asOf) {
      const state = await this.memberState(memberId);
      return state && { ...balanceOf(state), asOf: now.toISOString() };
    }
    const rows: StoredEventRow[] = await this.dataSource.query(
      `SELECT ${EVENT_COLUMNS} FROM ledger_events WHERE member_id = $1 AND recorded_at <= $2 ORDER BY version`,
      [memberId, asOf.toISOString()],
    );
    if (rows.length === 0) return undefined;
    const state = rows.map(toLedgerEvent).reduce((s, e) => evolveMember(s, e, e.version), initialMemberState(memberId));
    return { ...balanceOf(state), asOf: asOf.toISOString() };
  }

  async events(memberId: string, after: string, limit: number): Promise<Page<ReturnType<typeof toLedgerEvent>>> {
    const rows: StoredEventRow[] = await this.dataSource.query(
      `SELECT ${EVENT_COLUMNS} FROM ledger_events WHERE member_id = $1 AND position > $2 ORDER BY position LIMIT $3`,
      [memberId, after, limit],
    );
    const items = rows.map(toLedgerEvent);
    return { items, next: items.length === limit ? items[items.length - 1].position : null };
  }

  async memberExists(memberId: string): Promise<boolean> {
    const rows = await this.dataSource.query('SELECT 1 FROM member_state WHERE member_id = $1', [memberId]);
    return rows.length > 0;
  }

  /** Open lots in the order they are spent: soonest-expiring first. */
  async lots(memberId: string): Promise<OpenLotView[] | undefined> {
    const state = await this.memberState(memberId);
    if (!state) return undefined;
    return lotsInSpendingOrder(state.lots)
      .filter((lot) => lot.remaining > 0)
      .map((lot) => ({
        lotId: lot.lotId,
        remaining: lot.remaining,
        held: lot.held,
        expiresAt: lot.expiresAt,
        pending: lot.pending,
        ...(lot.pending && lot.availableAt ? { availableAt: lot.availableAt } : {}),
      }));
  }

  async rejections(filter: { memberId?: string; after: string; limit: number }): Promise<Page<Record<string, unknown>>> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT id, scope, causation_id AS "causationId", member_id AS "memberId", code, message,
              occurred_at AS "occurredAt", recorded_at AS "recordedAt", input
         FROM rejections WHERE id > $1 AND ($2::text IS NULL OR member_id = $2) ORDER BY id LIMIT $3`,
      [filter.after, filter.memberId ?? null, filter.limit],
    );
    const items = rows.map((r) => ({ ...r, id: String(r.id) }));
    return { items, next: items.length === filter.limit ? String(items[items.length - 1].id) : null };
  }

  async deadLetters(filter: { after: string; limit: number }): Promise<Page<Record<string, unknown>>> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT id, source_topic AS "sourceTopic", partition, "offset", reason, message, recorded_at AS "recordedAt", letter
         FROM dead_letters WHERE id > $1 ORDER BY id LIMIT $2`,
      [filter.after, filter.limit],
    );
    const items = rows.map((r) => ({ ...r, id: String(r.id), offset: String(r.offset) }));
    return { items, next: items.length === filter.limit ? String(items[items.length - 1].id) : null };
  }
}
