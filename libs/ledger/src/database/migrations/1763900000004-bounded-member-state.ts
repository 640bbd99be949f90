import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The member state no longer keeps a record per past redemption (`redemptions`) nor resolved holds
 * (`holds` keeps the open ones, without `capturedPoints`): it is rewritten on every append, so it must
 * stay as small as what is open. States written before are cut to what the fold makes of the same
 * events now, so a replay finds them identical.
 */
export class BoundedMemberState1763900000004 implements MigrationInterface {
  name = 'BoundedMemberState1763900000004';

  /** Read as `jsonb` and written back by assignment cast: works whether the column is `json` or `jsonb`. */
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      UPDATE member_state
         SET state = jsonb_set(
               state::jsonb - 'redemptions',
               '{holds}',
               COALESCE(
                 (SELECT jsonb_object_agg(hold_id, hold - 'capturedPoints')
                    FROM jsonb_each(state::jsonb -> 'holds') AS h(hold_id, hold)
                   WHERE hold->>'status' = 'open'),
                 '{}'::jsonb))
       WHERE state::jsonb ? 'redemptions'`);
  }

  /** The records dropped are only in the log: rebuild the states with the earlier code (LedgerReplay with swap). */
  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE member_state SET state = state::jsonb || '{"redemptions": {}}'::jsonb WHERE NOT state::jsonb ? 'redemptions'`);
  }
}
