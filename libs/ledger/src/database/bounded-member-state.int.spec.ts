import { randomUUID } from 'node:crypto';
import { LotPortion, NewLedgerEvent } from '@tally/contracts';
import { TestDatabase, createTestDatabase } from '@tally/testing';
import { DataSource } from 'typeorm';
import { LedgerStore } from '../append/ledger.store';
import { LedgerReplay } from '../replay/ledger.replay';
import { ledgerDataSourceOptions, migrateLedger } from './data-source';
import { BoundedMemberState1763900000004 } from './migrations/1763900000004-bounded-member-state';

const MEMBER = 'm-legacy';
const AT = '2026-01-10T08:00:00.000Z';
const EXPIRES = '2027-01-01T00:00:00.000Z';
const HOLD_EXPIRES = '2026-01-10T08:15:00.000Z';
const lot = (points: number): LotPortion[] => [{ lotId: 'lot-1', points, expiresAt: EXPIRES }];
const event = (type: NewLedgerEvent['type'], data: object): NewLedgerEvent => ({ type, memberId: MEMBER, occurredAt: AT, data }) as NewLedgerEvent;

describe('migration: member states keep no redemptions and no resolved holds', () => {
  let db: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('bounded_state', migrateLedger);
    dataSource = await new DataSource(ledgerDataSourceOptions(db.url, 2)).initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('cuts a state written by the earlier fold to what the fold makes of the same events now', async () => {
    const store = new LedgerStore(dataSource, { clock: () => new Date(), newEventId: randomUUID });
    const events = [
      event('points.earned', { points: 1000, lotId: 'lot-1', expiresAt: EXPIRES, reason: 'purchase', tier: 'member', multiplier: 1, ruleIds: [] }),
      event('points.redeemed', { points: 100, redemptionId: 'rd-1', storeId: 'sh-07', fromLots: lot(100) }),
      event('points.held', { holdId: 'h-open', points: 50, storeId: 'sh-07', fromLots: lot(50), expiresAt: HOLD_EXPIRES }),
      event('points.held', { holdId: 'h-captured', points: 60, storeId: 'sh-07', fromLots: lot(60), expiresAt: HOLD_EXPIRES }),
      event('hold.captured', { holdId: 'h-captured', points: 60, fromLots: lot(60) }),
    ];
    const result = await store.executeOne({ scope: 'seed', causationId: 'seed', memberIds: [MEMBER], decide: () => ({ kind: 'append', events, result: null }) });
    expect(result.status).toBe('appended');

    // The state as the earlier fold wrote it: every redemption, every hold with its status and captured points.
    const [{ state }] = await dataSource.query(`SELECT state::jsonb AS state FROM member_state WHERE member_id = $1`, [MEMBER]);
    const hold = (points: number, status: string, capturedPoints: number) => ({
      points,
      storeId: 'sh-07',
      fromLots: lot(points),
      expiresAt: HOLD_EXPIRES,
      status,
      capturedPoints,
    });
    const legacy = {
      ...state,
      redemptions: { 'rd-1': { points: 100, storeId: 'sh-07', fromLots: lot(100), reversed: false } },
      holds: { 'h-open': hold(50, 'open', 0), 'h-captured': hold(60, 'captured', 60) },
    };
    await dataSource.query(`UPDATE member_state SET state = $2::json WHERE member_id = $1`, [MEMBER, JSON.stringify(legacy)]);
    expect((await new LedgerReplay(dataSource).run({ swap: false })).identical).toBe(false);

    const runner = dataSource.createQueryRunner();
    try {
      await new BoundedMemberState1763900000004().up(runner);
    } finally {
      await runner.release();
    }
    const [{ state: migrated }] = await dataSource.query(`SELECT state::jsonb AS state FROM member_state WHERE member_id = $1`, [MEMBER]);
    expect(migrated).not.toHaveProperty('redemptions');
    expect(Object.keys(migrated.holds)).toEqual(['h-open']);
    expect(await new LedgerReplay(dataSource).run({ swap: false })).toMatchObject({ identical: true, differences: [] });
  });
});
