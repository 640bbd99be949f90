import { randomUUID } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { NewLedgerEvent } from '@tally/contracts';
import { AuditReport, LedgerStore, ledgerDataSourceOptions } from '@tally/ledger';
import { TestDatabase, assertErrorContract, errorContractProblem, rawHttp } from '@tally/testing';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { earnCommand as earnTen } from '@tally/ledger/testing';
import { RunningLedgerApp, startLedgerApp } from './testing/ledger-app';

const OPS = 'ledger-ops';
const READ = 'ledger-read';
const STORE = 'ledger-store';

const earnCommand = (memberId: string) => earnTen('app-test', memberId, `c-${memberId}`);

// The platform's behaviour (auth, errors, Kafka or PostgreSQL down) is covered in
// libs/platform/src/platform.int.spec.ts; this proves the ledger app itself boots and serves it.
describe('ledger app', () => {
  let ledger: RunningLedgerApp;
  let app: INestApplication;
  let db: TestDatabase;
  let url: string;

  beforeAll(async () => {
    ledger = await startLedgerApp('ledger_app', OPS, `int-ledger-app-${Date.now()}.`, { [READ]: 'read', [STORE]: 'store:sh-07' });
    ({ app, db, url } = ledger);
    const earned = { points: 50, lotId: 'l-page', expiresAt: '2099-01-01T00:00:00Z', reason: 'purchase', tier: 'member', multiplier: 1, ruleIds: [] };
    const events: NewLedgerEvent[] = [{ type: 'points.earned', memberId: 'm-page', occurredAt: new Date().toISOString(), data: earned } as NewLedgerEvent];
    await app
      .get(LedgerStore)
      .executeOne({ scope: 'test-seed', causationId: 'seed', memberIds: ['m-page'], decide: () => ({ kind: 'append', result: null, events }) });
  });

  afterAll(async () => {
    await ledger?.stop();
  });

  const get = async (path: string) => {
    const response = await fetch(`${url}${path}`, { headers: { Authorization: `Bearer ${OPS}` } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('is ready when PostgreSQL, Kafka and its analytics consumer answer', async () => {
    const response = await fetch(`${url}/health`);
    expect(await response.json()).toEqual({ status: 'ok', checks: { postgres: { status: 'up' }, kafka: { status: 'up' }, consumer: { status: 'up' } } });
    expect(response.status).toBe(200);
  });

  it('is live', async () => {
    expect((await fetch(`${url}/health/live`)).status).toBe(200);
  });

  it('serves Prometheus metrics labelled ledger', async () => {
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('process_cpu_user_seconds_total{service="ledger"}');
  });

  it('serves its OpenAPI document and UI', async () => {
    const response = await fetch(`${url}/docs-json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as { info: { title: string }; paths: Record<string, unknown> };
    expect(document.info.title).toBe('Tally ledger');
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/health', '/health/live']));
    expect((await fetch(`${url}/docs`)).status).toBe(200);
  });

  it('refuses a cursor, limit or asOf it cannot use with 400 invalid_request naming the parameter', async () => {
    const refusedField = async (path: string) => {
      const { status, body } = await get(path);
      expect({ path, status, error: body.error }).toEqual({ path, status: 400, error: 'invalid_request' });
      return (body.fields as { field: string }[]).map((f) => f.field);
    };
    for (const list of ['/members/m-page/events', '/ops/rejections', '/ops/dead-letters']) {
      // Above PostgreSQL's bigint, negative, not a number, empty, repeated.
      for (const after of ['9223372036854775808', '9999999999999999999', '99999999999999999999', '-1', '1.5', 'abc', '', '1&after=2']) {
        expect(await refusedField(`${list}?after=${after}`)).toEqual(['after']);
      }
      for (const limit of ['0', '501', '-1', '1e2', '0x10', 'abc', '', '1&limit=2', '99999999999999999999']) {
        expect(await refusedField(`${list}?limit=${limit}`)).toEqual(['limit']);
      }
      expect(await get(`${list}?after=9223372036854775807&limit=500`)).toMatchObject({ status: 200 });
    }
    expect(await refusedField('/ops/parked?limit=1e2')).toEqual(['limit']);
    // ISO-8601 forms Date cannot read (a week date, a decimal comma) as well as non-dates.
    for (const asOf of ['2026-W01', '2026-01-01T00:00:00,5Z', '2026-02-30T00:00:00Z', 'yesterday', '', 'a&asOf=b']) {
      expect(await refusedField(`/members/m-page/balance?asOf=${asOf}`)).toEqual(['asOf']);
    }
    expect(await get('/members/m-page/balance?asOf=2099-01-01T00:00:00Z')).toMatchObject({ status: 200, body: { available: 50 } });
    expect(await refusedField(`/members/${'m'.repeat(65)}/lots`)).toEqual(['memberId']);
  });

  it('refuses a replay asked with swap null: absent means no swap, null is no answer', async () => {
    const response = await fetch(`${url}/ops/replay`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${OPS}` },
      body: '{"swap":null}',
    });
    expect({ status: response.status, body: await response.json() }).toMatchObject({
      status: 400,
      body: { error: 'invalid_request', fields: [{ field: 'swap' }] },
    });
  });

  it("answers what Node's parser and Fastify's router refuse in the API's error shape, echoing neither URL nor internal codes", async () => {
    const secret = 'pssst-s3cret';
    const send = async (head: string, body = '') => {
      const response = await rawHttp(url, `${head}\r\nHost: x\r\nAuthorization: Bearer ${OPS}\r\nConnection: close\r\n\r\n${body}`);
      expect(errorContractProblem(response.status, response.body)).toBeUndefined();
      expect(response.body).not.toContain(secret);
      expect(response.body).not.toContain('FST_');
      return { status: response.status, error: (JSON.parse(response.body) as { error: string }).error };
    };
    const post = (headers: string, body: string) => send(`POST /ops/replay HTTP/1.1\r\n${headers}`, body);
    // The router: a parameter over its length limit, a malformed percent-encoding.
    expect(await send(`GET /members/${secret}${'a'.repeat(200)}/balance HTTP/1.1`)).toEqual({ status: 414, error: 'uri_too_long' });
    expect(await send(`GET /members/%zz${secret}/balance HTTP/1.1`)).toEqual({ status: 400, error: 'invalid_request' });
    // Node's parser: headers or a request line over its limit, something that is not HTTP, an unknown method.
    expect(await send(`GET /health HTTP/1.1\r\nX-Big: ${secret}${'a'.repeat(20_000)}`)).toEqual({ status: 431, error: 'headers_too_large' });
    expect(await send(`GET /${secret}${'a'.repeat(20_000)} HTTP/1.1`)).toEqual({ status: 431, error: 'headers_too_large' });
    expect(await send(`${secret} nonsense`)).toEqual({ status: 400, error: 'invalid_request' });
    expect(await send(`BREW /health HTTP/1.1`)).toEqual({ status: 400, error: 'invalid_request' });
    expect(await send(`GET /health HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3`)).toEqual({ status: 400, error: 'invalid_request' });
    expect(await send(`GET /health HTTP/1.1\r\nExpect: ${secret}`)).toEqual({ status: 417, error: 'expectation_failed' });
    // Fastify's body parsing.
    expect(await post('Content-Type: application/json\r\nContent-Length: 1', '{}')).toEqual({ status: 400, error: 'invalid_request' });
    expect(await post('Content-Type: application/json\r\nContent-Length: 11', `{${secret}}`)).toEqual({ status: 400, error: 'invalid_request' });
    expect(await post(`Content-Type: ;${secret};\r\nContent-Length: 2`, '{}')).toEqual({ status: 415, error: 'unsupported_media_type' });
    const tooLarge = JSON.stringify({ swap: false, pad: 'x'.repeat(200 * 1024) });
    expect(await post(`Content-Type: application/json\r\nContent-Length: ${tooLarge.length}`, tooLarge)).toEqual({ status: 413, error: 'payload_too_large' });
    // No route: an unknown path, a known path with another method.
    expect(await send(`GET /${secret} HTTP/1.1`)).toEqual({ status: 404, error: 'not_found' });
    expect(await send(`DELETE /ops/audit?${secret} HTTP/1.1`)).toEqual({ status: 404, error: 'not_found' });
  });

  it('never answers 5xx, and answers every 4xx in the API error shape, whatever the request (property)', async () => {
    await assertErrorContract((request) => (app as NestFastifyApplication).inject(request), {
      routes: [
        'GET /members/:memberId/balance',
        'GET /members/:memberId/events',
        'GET /members/:memberId/lots',
        'GET /ops/audit',
        'GET /ops/rejections',
        'GET /ops/dead-letters',
        'GET /ops/parked',
        'POST /ops/replay',
        'GET /health/live',
        'GET /docs-json',
      ],
      tokens: [OPS, READ, STORE, 'not-a-token'],
      fields: ['after', 'limit', 'asOf', 'memberId', 'swap'],
    });
  });

  describe('GET /ops/audit', () => {
    const audit = async (query = '') => {
      const response = await fetch(`${url}/ops/audit${query}`, { headers: { authorization: `Bearer ${OPS}` } });
      return { status: response.status, body: (await response.json()) as AuditReport & { error?: string; message?: string } };
    };

    beforeAll(async () => {
      // Three members' events beside the seeded one, two of them then altered by a superuser with the log's triggers off.
      const dataSource = await new DataSource(ledgerDataSourceOptions(db.url, 2)).initialize();
      await new LedgerStore(dataSource, { clock: () => new Date(), newEventId: randomUUID }).execute(['m-a', 'm-b', 'm-c'].map(earnCommand));
      await dataSource.destroy();
      const superuser = new Client({ connectionString: db.url });
      await superuser.connect();
      await superuser.query('ALTER TABLE ledger_events DISABLE TRIGGER USER');
      await superuser.query(`UPDATE ledger_events SET data = '[1]' WHERE member_id IN ('m-a', 'm-c')`);
      await superuser.query('ALTER TABLE ledger_events ENABLE TRIGGER USER');
      await superuser.end();
    });

    it('counts every violation and lists them, at most `limit`', async () => {
      const all = await audit();
      expect(all).toMatchObject({ status: 200, body: { ok: false, eventsChecked: 4, members: 4, violationCount: 2 } });
      expect(all.body.violations.map((v) => [v.kind, v.memberId])).toEqual([
        ['hash_mismatch', 'm-a'],
        ['hash_mismatch', 'm-c'],
      ]);
      expect(all.body.firstViolation).toEqual(all.body.violations[0]);
      const one = await audit('?limit=1');
      expect(one).toMatchObject({ status: 200, body: { ok: false, violationCount: 2, violations: [all.body.violations[0]] } });
    });

    it.each(['0', '1001', 'ten', '2.5', '-1'])('refuses limit=%s in the error shape', async (limit) => {
      const { status, body } = await audit(`?limit=${limit}`);
      expect(status).toBe(400);
      expect(body).toMatchObject({ error: 'invalid_request', message: expect.stringContaining('limit') });
    });
  });
});
