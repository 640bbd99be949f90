import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { INestApplication } from '@nestjs/common';
import { Topics } from '@tally/contracts';
import { listeningUrl } from '@tally/platform';
import { EarnHarness, eventually, purchase } from '../testing/earn-harness';

const STORE = 'ingest-store-sh07';
const OTHER_STORE = 'ingest-store-bj01';
const tokens = `${STORE}=store:sh-07,${OTHER_STORE}=store:bj-01`;

interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are asserted field by field
  body: any;
}

const post = async (url: string, body: Buffer | string, headers: Record<string, string> = {}, token = STORE): Promise<Answer> => {
  const res = await fetch(`${url}/ingest/batch`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
  });
  return { status: res.status, body: await res.json() };
};

/**
 * Sends the head of an upload and then cuts the connection: `sendAll` sends every byte first and
 * cuts before the answer, as a branch whose link drops while the server works.
 */
const cutUpload = (url: string, body: Buffer, sendAll: boolean): Promise<void> =>
  new Promise((resolve) => {
    const { hostname, port } = new URL(url);
    const req = httpRequest({
      hostname,
      port,
      method: 'POST',
      path: '/ingest/batch',
      headers: { 'content-type': 'application/json', 'content-length': body.length, authorization: `Bearer ${STORE}` },
    });
    req.on('error', () => resolve());
    req.on('close', () => resolve());
    req.write(sendAll ? body : body.subarray(0, Math.floor(body.length / 2)), () => setTimeout(() => req.destroy(), sendAll ? 5 : 50));
  });

describe('earn app: branch sync over POST /ingest/batch', () => {
  const harness = new EarnHarness();
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    await harness.start('ingest');
    app = await harness.startEarn('tally-earn', { TALLY_API_TOKENS: tokens });
    url = listeningUrl(app);
  });

  afterAll(() => harness.stop());

  it('answers each input: accepted, duplicate, invalid with field errors, or refused for another store', async () => {
    // given an upload with a good purchase, the same again, a broken one and one of another branch
    const good = purchase(1, 'm-a');
    const inputs = [good, good, { ...purchase(2, 'm-a'), amountMinor: -5, currency: 'cny' }, { ...purchase(3, 'm-a'), storeId: 'bj-01' }, { type: 'nope' }];
    // when the sh-07 branch uploads it
    const { status, body } = await post(url, JSON.stringify({ inputs }));
    // then each input has its own answer
    expect(status).toBe(200);
    expect(body.results.map((r: { status: string }) => r.status)).toEqual(['accepted', 'duplicate', 'invalid', 'invalid', 'invalid']);
    expect(body.results[2].errors.map((e: { field: string }) => e.field).sort()).toEqual(['amountMinor', 'currency']);
    expect(body.results[3]).toMatchObject({ reason: 'forbidden_store', errors: [{ field: 'storeId' }] });
    expect(body.results[4]).toMatchObject({ index: 4, eventId: null, reason: 'unknown_type' });
    // and the accepted purchase earns once
    await eventually(async () => ((await harness.balances())['m-a'] === 100 ? true : undefined), 30_000, 'm-a earned');
    // and uploaded again once applied, it is a duplicate and earns nothing more
    const again = await post(url, JSON.stringify({ inputs: [good] }));
    expect(again.body.results[0].status).toBe('duplicate');
    expect(await harness.count(`SELECT count(*) FROM ledger_events WHERE member_id = 'm-a'`)).toBe(1);
  });

  it('counts once an eventId sent both over Kafka and over HTTP, and takes gzip bodies', async () => {
    const input = purchase(10, 'm-b');
    await harness.publish(Topics.purchases.name, [{ key: 'm-b', value: input }]);
    const { status, body } = await post(url, gzipSync(JSON.stringify({ inputs: [input] })), { 'content-encoding': 'gzip' });
    expect(status).toBe(200);
    expect(['accepted', 'duplicate']).toContain(body.results[0].status);
    await eventually(async () => ((await harness.balances())['m-b'] === 100 ? true : undefined), 30_000, 'm-b earned');
    await harness.publish(Topics.purchases.name, [{ key: 'm-b', value: input }]);
    await eventually(() => harness.caughtUp('tally-earn').then((ok) => ok || undefined), 30_000, 'caught up');
    expect(await harness.count(`SELECT count(*) FROM ledger_events WHERE member_id = 'm-b'`)).toBe(1);
  });

  it('refuses a body that is not gzip, a gzip bomb, an unknown encoding, an unknown token, and an upload over 10,000 inputs', async () => {
    expect(await post(url, Buffer.from('not gzip'), { 'content-encoding': 'gzip' })).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    const bomb = gzipSync(Buffer.from(`{"inputs":[${' '.repeat(40 * 1024 * 1024)}]}`));
    expect(bomb.length).toBeLessThan(1024 * 1024);
    expect((await post(url, bomb, { 'content-encoding': 'gzip' })).status).toBe(413);
    expect((await post(url, Buffer.from('{}'), { 'content-encoding': 'br' })).status).toBe(415);
    expect((await post(url, JSON.stringify({ inputs: [] }))).status).toBe(400);
    const tooMany = await post(url, JSON.stringify({ inputs: Array.from({ length: 10_001 }, (_, i) => purchase(i, 'm-x')) }));
    expect(tooMany).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect((await post(url, JSON.stringify({ inputs: [purchase(1, 'm-a')] }), {}, 'no-such-token')).status).toBe(401);
  });

  it('applies each of 10,000 uploaded inputs once, though the upload was cut halfway and cut again before its answer', async () => {
    // given 10,000 purchases of 100 points for 500 members
    const inputs = Array.from({ length: 10_000 }, (_, i) => ({ ...purchase(100_000 + i, `m-bulk-${i % 500}`), storeId: 'sh-07' }));
    const body = Buffer.from(JSON.stringify({ inputs }));
    // when the upload is cut after half its bytes, then cut after all of them but before the answer
    await cutUpload(url, body, false);
    await cutUpload(url, body, true);
    // and the branch sends the same batch again
    const retried = await post(url, body);
    // then every input is accepted or a duplicate, none invalid
    expect(retried.status).toBe(200);
    expect(retried.body.results.filter((r: { status: string }) => r.status === 'invalid')).toEqual([]);
    expect(retried.body.results).toHaveLength(10_000);
    // and once the earn consumer has caught up, each purchase earned once
    await eventually(
      async () => ((await harness.count(`SELECT count(*) FROM ledger_events WHERE member_id LIKE 'm-bulk-%'`)) >= 10_000 ? true : undefined),
      180_000,
      '10,000 earnings',
    );
    await eventually(() => harness.caughtUp('tally-earn').then((ok) => ok || undefined), 60_000, 'caught up');
    expect(await harness.count(`SELECT count(*) FROM ledger_events WHERE member_id LIKE 'm-bulk-%'`)).toBe(10_000);
    const balances = await harness.balances();
    const bulk = Object.entries(balances).filter(([member]) => member.startsWith('m-bulk-'));
    expect(bulk).toHaveLength(500);
    expect(bulk.every(([, available]) => available === 2_000)).toBe(true);
  }, 300_000);
});
