import { randomUUID } from 'node:crypto';
import { isCalendarTime } from '@tally/contracts';
import { TestDatabase, createTestDatabase } from '@tally/testing';
import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { LedgerStore } from '../append/ledger.store';
import { ledgerDataSourceOptions, migrateLedger } from '../database/data-source';
import { timestamptzText } from '../storage/epoch-iso';
import { earnedEvent } from '../testing/ledger.fixtures';
import { GENESIS_HASH, STORED_HASHED_TEXT_SQL, hashedText, storedHashSql } from './event-hash';

const MINUTE_MS = 60_000;

/** What the contract's `occurredAt` can name: a four-digit local year (0000-9999) at any offset up to 18 hours. */
const EARLIEST_MS = Date.parse('0000-01-01T00:00:00+18:00');
const LATEST_MS = Date.parse('9999-12-31T23:59:59.999-18:00');

type Precision = 'minutes' | 'seconds' | 'millis' | 'micros';

/** An instant as a producer might write it: in an offset, to a precision; undefined when its local year has no four digits. */
const written = (ms: number, offsetMinutes: number, precision: Precision, micros = 0): string | undefined => {
  const local = new Date(ms + offsetMinutes * MINUTE_MS).toISOString();
  if (local.length !== 24) return undefined;
  const sign = offsetMinutes < 0 ? '-' : '+';
  const hhmm = `${String(Math.floor(Math.abs(offsetMinutes) / 60)).padStart(2, '0')}:${String(Math.abs(offsetMinutes) % 60).padStart(2, '0')}`;
  const offset = offsetMinutes === 0 ? 'Z' : `${sign}${hhmm}`;
  const digits = { minutes: 16, seconds: 19, millis: 23, micros: 23 }[precision];
  return `${local.slice(0, digits)}${precision === 'micros' ? String(micros).padStart(3, '0') : ''}${offset}`;
};

const EDGES = [
  '1970-01-01T00:00:00Z',
  '1970-01-01T00:00:00.000Z',
  '1970-01-01T08:00:00+08:00',
  '1969-12-31T23:59:59.999Z',
  '1970-01-01T00:00:00.001Z',
  '1970-01-01T00:00:00.000999Z',
  '1960-06-15T12:34:56.789-03:30',
  '2024-02-29T23:59:59.999+14:00',
  '2000-02-29T00:00:00Z',
  '1900-02-28T23:59:59.999Z',
  '1900-03-01T00:00:00-03:30',
  '2025-12-31T23:59:59.999Z',
  '2026-01-01T07:59:59.999+08:00',
  '2026-11-23T10:15:00.123456+08:00',
  '0001-01-01T00:00:00Z',
  '0001-01-01T00:00:00+08:00',
  '0000-01-01T00:00:00+18:00',
  '9999-12-31T23:59:59.999Z',
  '9999-12-31T23:59:59.999-18:00',
];

describe('event hash: the append (JavaScript) and the audit (PostgreSQL) agree on every stored row', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let store: LedgerStore;
  let recordedAt = new Date();

  beforeAll(async () => {
    db = await createTestDatabase('event_hash', migrateLedger);
    dataSource = await new DataSource(ledgerDataSourceOptions(db.url, 4)).initialize();
    store = new LedgerStore(dataSource, { clock: () => recordedAt, newEventId: randomUUID });
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  interface Stored {
    member_id: string;
    event_id: string;
    causation_id: string;
    data_text: string;
    occurred_micros: string;
    sql_text: string;
    intact: boolean;
  }

  /**
   * Appends an event for each instant (one member each, its first event) at the append time given,
   * and reads back each row's stored instant, PostgreSQL's hashed text, and whether the stored
   * hash is PostgreSQL's hash of the row.
   */
  const appendAt = async (occurredAts: readonly string[], appendedAt: Date): Promise<Stored[]> => {
    recordedAt = appendedAt;
    const members = occurredAts.map(() => `m-${randomUUID()}`);
    const results = await store.execute(
      occurredAts.map((occurredAt, i) => ({
        scope: 'hash-test',
        causationId: `c-${members[i]}`,
        memberIds: [members[i]],
        decide: () => ({ kind: 'append' as const, events: [earnedEvent(members[i], 10, occurredAt)], result: null }),
      })),
    );
    expect(results.map((r) => r.status)).toEqual(occurredAts.map(() => 'appended'));
    const rows: Stored[] = await dataSource.query(
      `SELECT e.member_id, e.event_id, e.causation_id, e.data::text AS data_text,
              (extract(epoch FROM e.occurred_at) * 1000000)::bigint::text AS occurred_micros,
              ${STORED_HASHED_TEXT_SQL} AS sql_text, e.hash = ${storedHashSql(`'\\x${GENESIS_HASH}'::bytea`)} AS intact
         FROM ledger_events e WHERE e.member_id = ANY($1)`,
      [members],
    );
    const byMember = new Map(rows.map((row) => [row.member_id, row]));
    return members.map((memberId) => byMember.get(memberId) as Stored);
  };

  /** The text the append hashed, as JavaScript builds it from the instant the producer wrote. */
  const jsText = (row: Stored, occurredAt: string, appendedAt: Date): string =>
    hashedText({
      memberId: row.member_id,
      version: 1,
      eventId: row.event_id,
      type: 'points.earned',
      occurredAt,
      recordedAt: appendedAt.toISOString(),
      causationId: row.causation_id,
      dataText: row.data_text,
    });

  const expectAgreement = (rows: Stored[], occurredAts: readonly string[], appendedAt: Date) => {
    rows.forEach((row, i) => {
      expect({ occurredAt: occurredAts[i], text: row.sql_text }).toEqual({ occurredAt: occurredAts[i], text: jsText(row, occurredAts[i], appendedAt) });
      expect({ occurredAt: occurredAts[i], intact: row.intact }).toEqual({ occurredAt: occurredAts[i], intact: true });
      // The ledger keeps the instant the producer named, to the millisecond (digits beyond are dropped, as Date.parse drops them).
      expect({ occurredAt: occurredAts[i], micros: row.occurred_micros }).toEqual({
        occurredAt: occurredAts[i],
        micros: String(BigInt(Date.parse(occurredAts[i])) * 1000n),
      });
    });
  };

  it('at the epoch, before it, on leap days, at the ends of years, in any offset and precision, and at the ends of the contract', async () => {
    for (const text of EDGES) expect({ text, valid: isCalendarTime(text) }).toEqual({ text, valid: true });
    for (const appendedAt of [new Date(0), new Date('1969-12-31T23:59:59.999Z'), new Date('2026-11-23T02:15:00.123Z')]) {
      expectAgreement(await appendAt(EDGES, appendedAt), EDGES, appendedAt);
    }
  });

  it('keeps millisecond precision: an input to the microsecond is stored and hashed to its millisecond', async () => {
    const [row] = await appendAt(['1970-01-01T00:00:00.123456Z'], new Date('2026-01-01T00:00:00Z'));
    expect(row.occurred_micros).toBe('123000');
    expect(row.intact).toBe(true);
  });

  it('stores instants as text PostgreSQL reads as the same instant, from its first (4714 BC) to the last JavaScript has', async () => {
    const instant = fc.integer({ min: Date.parse('-004713-11-24T00:00:00Z'), max: 8_640_000_000_000_000 });
    await fc.assert(
      fc.asyncProperty(fc.array(instant, { minLength: 1, maxLength: 200 }), async (instants) => {
        const rows: { ms: string }[] = await dataSource.query(
          `SELECT (extract(epoch FROM t::timestamptz) * 1000)::bigint::text AS ms FROM unnest($1::text[]) WITH ORDINALITY AS x(t, i) ORDER BY i`,
          [instants.map(timestamptzText)],
        );
        expect(rows.map((row) => row.ms)).toEqual(instants.map(String));
      }),
      { seed: 20_211_764, numRuns: 50 },
    );
  });

  it('for instants over the whole range the contract accepts (property, fixed seed)', async () => {
    const instant = fc.oneof(
      fc.integer({ min: EARLIEST_MS, max: LATEST_MS }),
      // Near the epoch, where the digits of a time are fewest and their sign changes.
      fc.integer({ min: -86_400_000, max: 86_400_000 }),
    );
    const offsetMinutes = fc.oneof(fc.constantFrom(0, 480, -210, 840, 1080, -1080, 345), fc.integer({ min: -1080, max: 1080 }));
    const producerText = fc
      .tuple(instant, offsetMinutes, fc.constantFrom<Precision>('minutes', 'seconds', 'millis', 'micros'), fc.integer({ min: 0, max: 999 }))
      .map(([ms, offset, precision, micros]) => written(ms, offset, precision, micros))
      .filter((text): text is string => text !== undefined && isCalendarTime(text));
    const appendTime = fc.integer({ min: EARLIEST_MS, max: LATEST_MS }).map((ms) => new Date(ms));
    await fc.assert(
      fc.asyncProperty(fc.array(producerText, { minLength: 1, maxLength: 25 }), appendTime, async (texts, appendedAt) => {
        expectAgreement(await appendAt(texts, appendedAt), texts, appendedAt);
      }),
      { seed: 20_211_764, numRuns: 100 },
    );
  });
});
