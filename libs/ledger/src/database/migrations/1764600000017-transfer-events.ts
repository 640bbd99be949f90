import { MigrationInterface, QueryRunner } from 'typeorm';
import { expandedEventsViewSql } from '../../storage/expanded-events.view';

/**
 * Transfers (`points.transferred`, `points.received`, `transfer.reversed`) and abuse flags
 * (`member.flagged`, `flag.cleared`) are new event types:
 * `ledger_events_expanded` is recreated so that their data reads as objects with field names.
 * The log itself needs no change (its `type` is free text, its data a layout per type).
 */
export class TransferEvents1764600000017 implements MigrationInterface {
  name = 'TransferEvents1764600000017';

  async up(q: QueryRunner): Promise<void> {
    await q.query(expandedEventsViewSql());
  }

  async down(): Promise<void> {
    // The view as recreated still reads every older type the same way: nothing to undo.
  }
}
