import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every decision is recorded with the member version it was decided at, so the audit can show
 * that none rested on a state behind the member's head:
 * - `causations.member_version`: the version of the command's first member when it was decided;
 * - `rejections.member_version` / `head_version`: the version the refusal was decided on, and the
 *   head the log held for that member when the refusal was written (under the member's lock);
 * - `rejections.final`: false for a refusal that rests on the member's state (not enough points, a
 *   tier too low): it is logged, but the same request decides again when retried.
 * Rows from before this migration have no versions (NULL) and count as final.
 *
 * `tally_claim_new_members(ids)` serialises a decision that writes nothing for a member without a
 * head (a refusal or a skip at version 0) with that member's first append: there is no row to
 * lock yet, so it inserts one and removes it again in the same transaction. A first append running
 * at the same moment waits on that row's key until the decision commits (its own insert of the
 * member's row conflicts with an insert in progress), and a first append that committed before
 * makes the claim fail, so the decision is taken again on the new head. Readers never see the row.
 * Claims are taken in byte order, as every member lock is.
 *
 * `tally_unanswered(scopes, ids)`: none of these causations has an answer, read in a snapshot of its
 * own. An append takes a skip's or a non-final refusal's causation for unanswered (it writes none);
 * called after the members' locks are taken, it sees what committed while the append waited for
 * them, which the statement's own snapshot, taken before, does not.
 */
export class DecisionsOnTheHead1764600000006 implements MigrationInterface {
  name = 'DecisionsOnTheHead1764600000006';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE causations ADD COLUMN member_version integer`);
    await q.query(`ALTER TABLE rejections ADD COLUMN member_version integer, ADD COLUMN head_version integer, ADD COLUMN final boolean NOT NULL DEFAULT true`);
    await q.query(`
      CREATE FUNCTION tally_claim_new_members(ids text[]) RETURNS boolean LANGUAGE plpgsql AS $$
      DECLARE
        claimed integer;
      BEGIN
        IF coalesce(cardinality(ids), 0) = 0 THEN
          RETURN true;
        END IF;
        INSERT INTO member_state (member_id, version, available, pending, held, debt, lifetime_earned, lifetime_redeemed, expired, tier, last_hash)
        SELECT id, 0, 0, 0, 0, 0, 0, 0, 0, '', ''::bytea FROM unnest(ids) AS id ORDER BY id COLLATE "C"
        ON CONFLICT (member_id) DO NOTHING;
        GET DIAGNOSTICS claimed = ROW_COUNT;
        IF claimed < cardinality(ids) THEN
          RAISE EXCEPTION 'a member decided on as new was created meanwhile' USING ERRCODE = 'serialization_failure';
        END IF;
        DELETE FROM member_state WHERE member_id = ANY(ids) AND version = 0;
        RETURN true;
      END $$`);
    await q.query(`
      CREATE FUNCTION tally_unanswered(scopes text[], ids text[]) RETURNS boolean LANGUAGE plpgsql AS $$
      BEGIN
        RETURN NOT EXISTS (
          SELECT 1 FROM unnest(scopes, ids) AS k(scope, id)
           CROSS JOIN LATERAL (SELECT 1 FROM causations c WHERE c.scope = k.scope AND c.causation_id = k.id LIMIT 1) c);
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION tally_unanswered`);
    await q.query(`DROP FUNCTION tally_claim_new_members`);
    await q.query(`ALTER TABLE rejections DROP COLUMN final, DROP COLUMN head_version, DROP COLUMN member_version`);
    await q.query(`ALTER TABLE causations DROP COLUMN member_version`);
  }
}
