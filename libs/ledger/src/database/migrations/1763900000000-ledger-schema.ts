import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The append-only log, the inline projections folded from it, and the bookkeeping around them
 * (idempotency, rejections, dead letters, outbox). Only `ledger_events` is the source of truth;
 * every projection can be dropped and rebuilt from it.
 */
export class LedgerSchema1763900000000 implements MigrationInterface {
  name = 'LedgerSchema1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ledger_events (
        position     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        member_id    text        NOT NULL,
        version      integer     NOT NULL,
        event_id     uuid        NOT NULL,
        type         text        NOT NULL,
        data         jsonb       NOT NULL,
        occurred_at  timestamptz NOT NULL,
        recorded_at  timestamptz NOT NULL,
        causation_id text        NOT NULL,
        prev_hash    bytea       NOT NULL,
        hash         bytea       NOT NULL,
        CONSTRAINT ledger_events_member_version UNIQUE (member_id, version),
        CONSTRAINT ledger_events_version_positive CHECK (version > 0)
      )`);
    await q.query(`
      CREATE FUNCTION ledger_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'ledger_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER ledger_events_no_update_delete BEFORE UPDATE OR DELETE ON ledger_events
      FOR EACH ROW EXECUTE FUNCTION ledger_events_refuse_change()`);
    await q.query(`
      CREATE TRIGGER ledger_events_no_truncate BEFORE TRUNCATE ON ledger_events
      FOR EACH STATEMENT EXECUTE FUNCTION ledger_events_refuse_change()`);

    await q.query(`
      CREATE TABLE member_state (
        member_id         text PRIMARY KEY,
        version           integer     NOT NULL,
        last_hash         bytea       NOT NULL,
        available         bigint      NOT NULL,
        pending           bigint      NOT NULL,
        held              bigint      NOT NULL,
        lifetime_earned   bigint      NOT NULL,
        lifetime_redeemed bigint      NOT NULL,
        expired           bigint      NOT NULL,
        tier              text        NOT NULL,
        state             jsonb       NOT NULL
      )`);
    await q.query(`
      CREATE TABLE open_lots (
        member_id    text        NOT NULL,
        lot_id       text        NOT NULL,
        remaining    bigint      NOT NULL,
        held         bigint      NOT NULL,
        expires_at   timestamptz NOT NULL,
        available_at timestamptz,
        pending      boolean     NOT NULL,
        PRIMARY KEY (member_id, lot_id)
      )`);
    await q.query(`CREATE INDEX open_lots_expires_at ON open_lots (expires_at)`);
    await q.query(`CREATE INDEX open_lots_available_at ON open_lots (available_at) WHERE pending`);
    await q.query(`
      CREATE TABLE open_holds (
        member_id  text        NOT NULL,
        hold_id    text        NOT NULL,
        points     bigint      NOT NULL,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (member_id, hold_id)
      )`);
    await q.query(`CREATE INDEX open_holds_expires_at ON open_holds (expires_at)`);

    await q.query(`
      CREATE TABLE causations (
        scope        text        NOT NULL,
        causation_id text        NOT NULL,
        outcome      text        NOT NULL,
        fingerprint  text,
        result       jsonb,
        recorded_at  timestamptz NOT NULL,
        PRIMARY KEY (scope, causation_id)
      )`);
    await q.query(`
      CREATE TABLE rejections (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        scope        text        NOT NULL,
        causation_id text        NOT NULL,
        member_id    text        NOT NULL,
        code         text        NOT NULL,
        message      text        NOT NULL,
        occurred_at  timestamptz,
        recorded_at  timestamptz NOT NULL,
        input        jsonb
      )`);
    await q.query(`CREATE INDEX rejections_member ON rejections (member_id, id)`);
    await q.query(`
      CREATE TABLE dead_letters (
        id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        source_topic  text        NOT NULL,
        partition     integer     NOT NULL,
        "offset"      bigint      NOT NULL,
        reason        text        NOT NULL,
        message       text        NOT NULL,
        recorded_at   timestamptz NOT NULL,
        letter        jsonb       NOT NULL,
        CONSTRAINT dead_letters_source UNIQUE (source_topic, partition, "offset")
      )`);
    await q.query(`CREATE TABLE outbox (position bigint PRIMARY KEY)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE outbox, dead_letters, rejections, causations, open_holds, open_lots, member_state`);
    await q.query(`DROP TABLE ledger_events`);
    await q.query(`DROP FUNCTION ledger_events_refuse_change`);
  }
}
