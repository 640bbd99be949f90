import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Topics } from '@tally/contracts';
import { EarnHarness, eventually } from './testing/earn-harness';

const PROGRAM = { abuse: { rules: [{ id: 'store-burst', input: 'store-points', max: 1000 }] } };

/** A purchase of 600 points through `storeId`, now. */
const purchase = (eventId: string, memberId: string, storeId: string) => ({
  eventId,
  type: 'purchase.completed',
  occurredAt: new Date().toISOString(),
  memberId,
  storeId,
  channel: 'store',
  orderId: `o-${eventId}`,
  amountMinor: 60_000,
  currency: 'CNY',
});

/**
 * A trigger that fails the first write into `table` once (a sequence is not rolled back with the
 * statement it failed): the failure between the append and its count, or its flag, as a
 * test can make it happen.
 */
const failFirstWrite = (table: string, errcode: string) => `
  CREATE SEQUENCE ${table}_failures;
  CREATE FUNCTION ${table}_fail_once() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF nextval('${table}_failures') = 1 THEN RAISE EXCEPTION 'injected: writing ${table} failed' USING ERRCODE = '${errcode}'; END IF;
    RETURN NEW;
  END $$;
  CREATE TRIGGER ${table}_fail_once BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION ${table}_fail_once();`;

describe("the store-points rule counts a store's points in the append that grants them", () => {
  const h = new EarnHarness();
  let program: string;

  beforeAll(async () => {
    await h.start('store-counts');
    program = join(mkdtempSync(join(tmpdir(), 'tally-sc-')), 'program.json');
    writeFileSync(program, JSON.stringify(PROGRAM));
    await h.startEarn('tally-earn', { TALLY_PROGRAM: program });
  });
  afterAll(() => h.stop());

  const storePoints = async (storeId: string) => {
    const { rows } = await h.sql.query<{ points: string }>('SELECT coalesce(sum(points), 0) AS points FROM store_hour_points WHERE store_id = $1', [storeId]);
    return Number(rows[0].points);
  };
  const storeFlags = async (storeId: string) =>
    (await h.sql.query<{ rule_id: string; evidence: { points: number } }>('SELECT rule_id, evidence FROM store_flags WHERE store_id = $1', [storeId])).rows;
  const caughtUp = () => eventually(async () => ((await h.caughtUp('tally-earn')) ? true : undefined), 60_000, 'caught up');

  it('a failed count fails the append with it: nothing applied is left uncounted or dead-lettered, and the store is flagged when it crosses the maximum', async () => {
    await h.sql.query(failFirstWrite('store_hour_points', 'P0001'));
    await h.publish(Topics.purchases.name, [{ key: 'm-sc-1', value: purchase('pos-sc-1', 'm-sc-1', 'sh-41') }]);
    await eventually(async () => ((await h.balances())['m-sc-1'] === 600 ? true : undefined), 60_000, 'the first purchase applied');
    await caughtUp();
    expect(await storePoints('sh-41')).toBe(600);
    expect(await h.count('SELECT count(*) FROM dead_letters')).toBe(0);

    await h.publish(Topics.purchases.name, [{ key: 'm-sc-2', value: purchase('pos-sc-2', 'm-sc-2', 'sh-41') }]);
    await eventually(async () => ((await h.balances())['m-sc-2'] === 600 ? true : undefined), 60_000, 'the second purchase applied');
    await caughtUp();
    expect(await storePoints('sh-41')).toBe(1200);
    expect(await storeFlags('sh-41')).toEqual([
      { rule_id: 'store-burst', evidence: expect.objectContaining({ points: 1200, max: 1000, eventId: 'pos-sc-2' }) },
    ]);
    expect(await h.count('SELECT count(*) FROM dead_letters')).toBe(0);
  });

  it('a flag lost between the commit and its record is found again when the batch comes back as duplicates', async () => {
    // A cancelled statement is infrastructure: the consumer redelivers the batch, whose append committed.
    await h.sql.query(failFirstWrite('store_flags', '57014'));
    await h.publish(Topics.purchases.name, [{ key: 'm-sc-3', value: purchase('pos-sc-3', 'm-sc-3', 'sh-42') }]);
    await eventually(async () => ((await h.balances())['m-sc-3'] === 600 ? true : undefined), 60_000, 'the first purchase applied');
    await h.publish(Topics.purchases.name, [{ key: 'm-sc-4', value: purchase('pos-sc-4', 'm-sc-4', 'sh-42') }]);
    const flags = await eventually(
      async () => {
        const found = await storeFlags('sh-42');
        return found.length > 0 ? found : undefined;
      },
      60_000,
      'the store flagged',
    );
    expect(flags).toEqual([{ rule_id: 'store-burst', evidence: expect.objectContaining({ points: 1200, max: 1000, eventId: 'pos-sc-4' }) }]);
    await caughtUp();
    expect(await storePoints('sh-42')).toBe(1200);
    expect((await h.balances())['m-sc-4']).toBe(600);
    expect(await h.count('SELECT count(*) FROM dead_letters')).toBe(0);
  });
});
