import { MigrationInterface, QueryRunner } from 'typeorm';
import { expandedEventsViewSql } from '../../storage/expanded-events.view';

/**
 * `points.adjusted` gained `note`, `adjustmentId` and `debt` at the end of its layout (manual
 * adjustments by ops): `ledger_events_expanded` is recreated so people querying it see them.
 */
export class AdjustmentFields1764600000007 implements MigrationInterface {
  name = 'AdjustmentFields1764600000007';

  async up(q: QueryRunner): Promise<void> {
    await q.query(expandedEventsViewSql());
  }

  async down(): Promise<void> {
    // The older view lacks columns only; it is not restored.
  }
}
