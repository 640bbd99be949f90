import { MigrationInterface, QueryRunner } from 'typeorm';
import { expandedEventsViewSql } from '../../storage/expanded-events.view';

/**
 * `points.earned` gained `heldByFlag` (an earning an abuse flag keeps pending): the layout grew
 * at its end, so `ledger_events_expanded` is recreated to name the new field.
 */
export class FlagHeldEarnings1764600000012 implements MigrationInterface {
  name = 'FlagHeldEarnings1764600000012';

  async up(q: QueryRunner): Promise<void> {
    await q.query(expandedEventsViewSql());
  }

  async down(): Promise<void> {
    // The view as recreated still reads every older event the same way: nothing to undo.
  }
}
