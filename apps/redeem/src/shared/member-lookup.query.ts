import { Injectable } from '@nestjs/common';
import { LedgerQueries } from '@tally/ledger';
import { MemberState } from '@tally/member-ledger';
import { DataSource } from 'typeorm';

/**
 * Finds the member of a hold or redemption from its id alone. The request that created it stored
 * its member in `causations.result` (see `StoredReply`): a primary-key read, where searching every
 * member's state for the id would scan the whole table.
 */
@Injectable()
export class MemberLookup {
  constructor(
    private readonly dataSource: DataSource,
    private readonly queries: LedgerQueries,
  ) {}

  async memberOf(scope: 'hold' | 'redemption', id: string): Promise<string | undefined> {
    const rows: { member_id: string | null }[] = await this.dataSource.query(
      `SELECT result->>'memberId' AS member_id FROM causations WHERE scope = $1 AND causation_id = $2`,
      [scope, id],
    );
    return rows[0]?.member_id ?? undefined;
  }

  /** The member and its current state (read without a lock: only for what never changes, like a store id). */
  async stateOf(scope: 'hold' | 'redemption', id: string): Promise<MemberState | undefined> {
    const memberId = await this.memberOf(scope, id);
    return memberId === undefined ? undefined : this.queries.memberState(memberId);
  }
}
