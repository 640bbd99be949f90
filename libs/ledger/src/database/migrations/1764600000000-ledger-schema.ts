import { MigrationInterface, QueryRunner } from 'typeorm';
import { expandedEventsViewSql } from '../../storage/expanded-events.view';

/**
 * The append-only log, the projections folded from it, and the bookkeeping around them
 * (idempotency, rejections, dead letters, outbox). Only `ledger_events` is the source of truth;
 * every projection can be dropped and rebuilt from it.
 */
export class LedgerSchema1764600000000 implements MigrationInterface {
  name = 'LedgerSchema1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await this.log(q);
    await this.projections(q);
    await this.bookkeeping(q);
  }

  /**
   * Ids are compared byte by byte (`COLLATE "C"`): every index on them is cheaper than under a
   * language's collation, and their order is the one JavaScript sorts them in.
   * Fixed-width columns first, so no row pays alignment padding. `data` holds the event's field
   * values in stored form (see event-codec.ts) as `json`, which keeps the text as written: the hash
   * covers that text. The previous hash is not stored: it is the hash of the member's previous event.
   */
  private async log(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ledger_events (
        position     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        occurred_at  timestamptz NOT NULL,
        recorded_at  timestamptz NOT NULL,
        version      integer     NOT NULL CHECK (version > 0),
        event_id     uuid        NOT NULL,
        member_id    text        COLLATE "C" NOT NULL,
        type         text        NOT NULL,
        causation_id text        COLLATE "C" NOT NULL,
        hash         bytea       NOT NULL,
        data         json        NOT NULL,
        CONSTRAINT ledger_events_member_version UNIQUE (member_id, version)
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
    await q.query(expandedEventsViewSql());
    await q.query(`CREATE TABLE outbox (position bigint PRIMARY KEY)`);
  }

  /**
   * Balances and the chain head per member (rewritten on every append: room left on each page
   * for HOT updates), the folded state every few versions, and the open lots and holds.
   */
  private async projections(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE member_state (
        member_id         text COLLATE "C" PRIMARY KEY,
        version           integer NOT NULL,
        available         bigint  NOT NULL,
        pending           bigint  NOT NULL,
        held              bigint  NOT NULL,
        debt              bigint  NOT NULL,
        lifetime_earned   bigint  NOT NULL,
        lifetime_redeemed bigint  NOT NULL,
        expired           bigint  NOT NULL,
        tier              text    NOT NULL,
        last_hash         bytea   NOT NULL
      ) WITH (fillfactor = 70)`);
    await q.query(`
      CREATE TABLE member_snapshots (
        member_id text    COLLATE "C" PRIMARY KEY,
        version   integer NOT NULL,
        revision  integer NOT NULL,
        state     json    NOT NULL
      )`);
    await q.query(`
      CREATE TABLE open_lots (
        member_id    text        COLLATE "C" NOT NULL,
        lot_id       text        COLLATE "C" NOT NULL,
        remaining    bigint      NOT NULL,
        held         bigint      NOT NULL,
        expires_at   timestamptz NOT NULL,
        available_at timestamptz,
        pending      boolean     NOT NULL,
        lot_order    integer     NOT NULL,
        PRIMARY KEY (member_id, lot_id)
      ) WITH (fillfactor = 85)`);
    await q.query(`CREATE INDEX open_lots_expires_at ON open_lots (expires_at)`);
    await q.query(`CREATE INDEX open_lots_available_at ON open_lots (available_at) WHERE pending`);
    await q.query(`
      CREATE TABLE open_holds (
        member_id  text        COLLATE "C" NOT NULL,
        hold_id    text        COLLATE "C" NOT NULL,
        points     bigint      NOT NULL,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (member_id, hold_id)
      )`);
    await q.query(`CREATE INDEX open_holds_expires_at ON open_holds (expires_at)`);
    // Moves on when a replay swaps rebuilt projections in: states folded before are not used again.
    await q.query(`CREATE TABLE projection_generation (generation bigint NOT NULL)`);
    await q.query(`INSERT INTO projection_generation VALUES (1)`);
  }

  private async bookkeeping(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE causations (
        scope        text        COLLATE "C" NOT NULL,
        causation_id text        COLLATE "C" NOT NULL,
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
        member_id    text        COLLATE "C" NOT NULL,
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
    // Refunds waiting for their purchase, reward stock, and the lots whose expiry reminder went out:
    // service bookkeeping, none of it a projection of the log.
    await q.query(`
      CREATE TABLE parked_inputs (
        scope        text        COLLATE "C" NOT NULL,
        causation_id text        COLLATE "C" NOT NULL,
        member_id    text        COLLATE "C" NOT NULL,
        wait_key     text        COLLATE "C" NOT NULL,
        input        jsonb       NOT NULL,
        parked_at    timestamptz NOT NULL,
        PRIMARY KEY (scope, causation_id)
      )`);
    await q.query(`CREATE INDEX parked_inputs_waiting ON parked_inputs (member_id, wait_key)`);
    await q.query(`CREATE TABLE reward_stock (reward_id text PRIMARY KEY, remaining integer NOT NULL CHECK (remaining >= 0))`);
    await q.query(`CREATE TABLE reward_stock_claims (redemption_id text PRIMARY KEY, reward_id text NOT NULL)`);
    await q.query(`
      CREATE TABLE expiry_notices (
        member_id   text        COLLATE "C" NOT NULL,
        lot_id      text        COLLATE "C" NOT NULL,
        notified_at timestamptz NOT NULL,
        PRIMARY KEY (member_id, lot_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE expiry_notices, reward_stock_claims, reward_stock, parked_inputs, dead_letters, rejections, causations`);
    await q.query(`DROP TABLE projection_generation, open_holds, open_lots, member_snapshots, member_state, outbox`);
    await q.query(`DROP VIEW ledger_events_expanded`);
    await q.query(`DROP TABLE ledger_events`);
    await q.query(`DROP FUNCTION ledger_events_refuse_change`);
  }
}
