import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `tally_assert`: fails the statement it is part of with a serialization failure (SQLSTATE 40001)
 * when a condition does not hold. An append written without locks checks with it, inside its one
 * statement, that every member it decided for is still at the head it decided on; when one is not,
 * nothing of the statement is written and the append is decided again under locks.
 */
export class AppendGuard1764600000001 implements MigrationInterface {
  name = 'AppendGuard1764600000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION tally_assert(ok boolean, message text) RETURNS boolean LANGUAGE plpgsql AS $$
      BEGIN
        IF ok IS NOT TRUE THEN
          RAISE EXCEPTION '%', message USING ERRCODE = 'serialization_failure';
        END IF;
        RETURN true;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION tally_assert`);
  }
}
