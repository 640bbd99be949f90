import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { eventually } from '@tally/testing';
import { DataSource } from 'typeorm';
import { RunningLedgerApp, startLedgerApp } from '../testing/ledger-app';
import { JobsRunner } from '../jobs/jobs.runner';
import { ImportRetention } from './import-retention';
import { ImportsService } from './imports.service';

const OPS = 'imports-ops';

const FILE = [
  'memberId,points,lots,tier,rowId',
  'm-1,800,500@2027-06-30;300@2027-12-31T00:00:00+08:00,gold,',
  'm-2,40,40@2027-01-01,,',
  '',
  'bad id,10,10@2027-01-01,,',
  'm-3,10,4@2027-01-01;5@2027-01-01,,',
  'm-4,10,10@2020-01-01,,',
  'm-5,10,10@2027-01-01,platinum,',
  'm-6,0,,silver,',
  'm-2,40,40@2027-01-01,,',
  'm-2,41,41@2027-01-01,,',
  'm-2,7,7@2028-03-01,,legacy-2b',
].join('\n');

describe('opening-balance imports', () => {
  let ledger: RunningLedgerApp;
  let url: string;
  let dataSource: DataSource;

  beforeAll(async () => {
    ledger = await startLedgerApp('ledger_imports', OPS);
    url = ledger.url;
    dataSource = ledger.app.get(DataSource);
  });

  afterAll(() => ledger?.stop());

  const call = async (method: string, path: string, body?: object | string, contentType = 'application/json') => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${OPS}`, ...(body !== undefined ? { 'content-type': contentType } : {}) },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const finished = (id: string) =>
    eventually(async () => {
      const job = await call('GET', `/ops/jobs/${id}`);
      expect(job.body.state).toBe('done');
      return job.body;
    });
  const eventCount = async () => Number(((await dataSource.query(`SELECT count(*) AS n FROM ledger_events`)) as { n: string }[])[0].n);

  it('imports a streamed CSV file as a job: a result per row, lots keeping their expiry, the tier as a floor', async () => {
    const created = await call('POST', '/ops/imports', FILE, 'text/csv');
    expect(created).toMatchObject({ status: 202, body: { kind: 'import', state: 'queued', rows: 10 } });
    const job = await finished(created.body.id);
    expect(job.progress).toMatchObject({ done: 10, total: 10 });
    expect(job.result).toEqual({
      jobId: created.body.id,
      rows: 10,
      applied: 4,
      duplicate: 1,
      refused: 5,
      refusedBy: { INVALID_MEMBER_ID: 1, LOTS_DO_NOT_ADD_UP: 1, LOT_ALREADY_EXPIRED: 1, UNKNOWN_TIER: 1, CHANGED_SINCE_APPLIED: 1 },
    });
    const { body } = await call('GET', `/ops/jobs/${created.body.id}/results`);
    expect(body.results.map((r: { line: number; status: string; code?: string }) => [r.line, r.status, r.code ?? ''])).toEqual([
      [2, 'applied', ''],
      [3, 'applied', ''],
      [5, 'refused', 'INVALID_MEMBER_ID'],
      [6, 'refused', 'LOTS_DO_NOT_ADD_UP'],
      [7, 'refused', 'LOT_ALREADY_EXPIRED'],
      [8, 'refused', 'UNKNOWN_TIER'],
      [9, 'applied', ''],
      [10, 'duplicate', ''],
      [11, 'refused', 'CHANGED_SINCE_APPLIED'],
      [12, 'applied', ''],
    ]);
    expect(body.next).toBeNull();

    expect((await call('GET', '/members/m-1/balance')).body).toMatchObject({ available: 800, tier: 'gold' });
    expect((await call('GET', '/members/m-2/balance')).body).toMatchObject({ available: 47 });
    expect((await call('GET', '/members/m-6/balance')).body).toMatchObject({ available: 0, tier: 'silver' });
    const lots = (await call('GET', '/members/m-1/lots')).body as unknown as { remaining: number; expiresAt: string }[];
    expect(lots.map((l) => [l.remaining, l.expiresAt])).toEqual([
      [500, '2027-06-30T00:00:00.000Z'],
      [300, '2027-12-30T16:00:00.000Z'],
    ]);
    const history = (await call('GET', '/members/m-1/events')).body.events as { type: string; data: Record<string, unknown> }[];
    expect(history.map((e) => e.type)).toEqual(['points.adjusted', 'points.adjusted', 'tier.changed']);
    expect(history[0].data).toMatchObject({ reason: 'opening-balance', adjustmentId: 'm-1', note: `import ${created.body.id}` });
  });

  it('changes nothing when the same file is imported again: every applied row is a duplicate', async () => {
    const before = await eventCount();
    const created = await call('POST', '/ops/imports?format=csv', FILE, 'text/csv');
    const job = await finished(created.body.id);
    expect(job.result).toMatchObject({ applied: 0, duplicate: 5, refused: 5 });
    expect(await eventCount()).toBe(before);
  });

  it('shows rows by result, append latency and the state cache on /metrics', async () => {
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toMatch(/tally_import_rows_total\{[^}]*status="duplicate"[^}]*\} 6\n/);
    expect(text).toMatch(/tally_ledger_append_seconds_count\{[^}]*outcome="ok"[^}]*\} [1-9]/);
    expect(text).toMatch(/tally_state_cache_lookups_total\{[^}]*result="hit"[^}]*\} [1-9]/);
    expect(text).toMatch(/tally_state_cache_lookups_total\{[^}]*result="miss"[^}]*\} [1-9]/);
  });

  it('takes rows inline as an import job, and the audit and replay of the imported ledger agree', async () => {
    const created = await call('POST', '/ops/jobs', {
      kind: 'import',
      rows: [
        { memberId: 'm-9', points: 30, lots: [{ points: 30, expiresAt: '2027-05-01' }], tier: 'member' },
        { memberId: 'm-1', points: 800 },
      ],
    });
    expect(created.status).toBe(202);
    const job = await finished(created.body.id);
    expect(job.result).toMatchObject({ rows: 2, applied: 1, refused: 1, refusedBy: { INVALID_LOT: 1 } });
    expect((await call('POST', '/ops/jobs', { kind: 'import' })).body.error).toBe('import_rows_required');
    expect((await call('POST', '/ops/imports?format=xml', 'x', 'text/csv')).status).toBe(400);

    const audit = await finished((await call('POST', '/ops/jobs', { kind: 'audit' })).body.id);
    expect(audit.result).toMatchObject({ ok: true });
    const replay = await finished((await call('POST', '/ops/jobs', { kind: 'replay' })).body.id);
    expect(replay.result).toMatchObject({ identical: true });
  });

  it('removes the staged rows and results of imports finished longer ago than the retention, and says so when asked for them', async () => {
    const rowsOf = async (id: string) =>
      (
        (await dataSource.query(
          `SELECT (SELECT count(*) FROM ops_import_rows WHERE job_id = $1)::int AS staged, (SELECT count(*) FROM ops_import_results WHERE job_id = $1)::int AS results`,
          [id],
        )) as { staged: number; results: number }[]
      )[0];
    const old = await call('POST', '/ops/imports', 'memberId,points,lots\nm-old,5,5@2099-01-01\n', 'text/csv');
    const recent = await call('POST', '/ops/imports', 'memberId,points,lots\nm-new,5,5@2099-01-01\n', 'text/csv');
    await finished(old.body.id);
    await finished(recent.body.id);
    const retention = ledger.app.get(ImportRetention);
    expect(retention.days).toBe(30);
    // Just inside the retention: kept.
    await dataSource.query(`UPDATE ops_jobs SET finished_at = now() - interval '29 days 23 hours' WHERE id = $1`, [old.body.id]);
    expect(await retention.sweep()).not.toContain(old.body.id);
    expect((await call('GET', `/ops/jobs/${old.body.id}/results`)).body.results).toHaveLength(1);

    await dataSource.query(`UPDATE ops_jobs SET finished_at = now() - interval '30 days 1 hour' WHERE id = $1`, [old.body.id]);
    expect(await retention.sweep()).toEqual([old.body.id]);
    expect(await rowsOf(old.body.id)).toEqual({ staged: 0, results: 0 });
    expect(await rowsOf(recent.body.id)).toEqual({ staged: 1, results: 1 });
    const gone = await call('GET', `/ops/jobs/${old.body.id}/results`);
    expect(gone).toMatchObject({ status: 410, body: { error: 'import_results_expired' } });
    // The job and its summary stay.
    expect((await call('GET', `/ops/jobs/${old.body.id}`)).body).toMatchObject({ state: 'done', result: { applied: 1 } });
    expect(await retention.sweep()).toEqual([]);
  });

  it('leaves no staged rows behind when an upload breaks off', async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `cut-${i},5,5@2099-01-01`);
    const zipped = gzipSync(['memberId,points,lots', ...lines].join('\n'));
    const before = (await dataSource.query(`SELECT count(*)::int AS n FROM ops_import_rows`))[0].n;
    const response = await fetch(`${url}/ops/imports`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${OPS}`, 'content-type': 'text/csv', 'content-encoding': 'gzip' },
      // The gzip trailer cut off: every row decodes, then the stream fails.
      body: zipped.subarray(0, zipped.length - 6),
    });
    expect(response.status).toBe(400);
    expect((await dataSource.query(`SELECT count(*)::int AS n FROM ops_import_rows`))[0].n).toBe(before);
  });

  it('reads CSV records whose quoted fields hold commas, quotes and line breaks; results name the line a record starts on', async () => {
    const file = [
      'memberId,points,lots,note',
      'q-1,5,5@2099-01-01,"moved, from ""old"""',
      'q-2,6,6@2099-01-01,"two',
      'lines"',
      '"q-3",7,"3@2099-01-01;4@2099-02-01",plain',
      'q-4,8,8@2099-01-01,say "hi" twice',
      '"q',
      '8",8,8@2099-01-01,a member id with a line break',
      'q-5,"9","9@2099-01-01","a',
      '',
      'b"',
    ].join('\n');
    const created = await call('POST', '/ops/imports', file, 'text/csv');
    expect(created).toMatchObject({ status: 202, body: { rows: 6 } });
    const job = await finished(created.body.id);
    expect(job.result).toMatchObject({ rows: 6, applied: 5, refused: 1, refusedBy: { INVALID_MEMBER_ID: 1 } });
    const { body } = await call('GET', `/ops/jobs/${created.body.id}/results`);
    expect(body.results.map((r: { line: number; status: string; memberId?: string }) => [r.line, r.status, r.memberId ?? ''])).toEqual([
      [2, 'applied', 'q-1'],
      [3, 'applied', 'q-2'],
      [5, 'applied', 'q-3'],
      [6, 'applied', 'q-4'],
      [7, 'refused', ''],
      [9, 'applied', 'q-5'],
    ]);
    expect((await call('GET', '/members/q-3/balance')).body).toMatchObject({ available: 7 });

    const before = (await dataSource.query(`SELECT count(*)::int AS n FROM ops_import_rows`))[0].n;
    const unclosed = await call('POST', '/ops/imports', 'memberId,points,lots\nq-6,1,1@2099-01-01\nq-7,1,"1@2099-01-01\n', 'text/csv');
    expect(unclosed).toMatchObject({ status: 400, body: { error: 'invalid_csv', message: expect.stringContaining('line 3') } });
    expect((await dataSource.query(`SELECT count(*)::int AS n FROM ops_import_rows`))[0].n).toBe(before);
  });

  it('resumes a job after the last row it answered, deciding none of the answered rows again', async () => {
    const imports = ledger.app.get(ImportsService);
    const runner = ledger.app.get(JobsRunner);
    const id = randomUUID();
    const rows = ['r-1', 'r-2', 'r-3', 'r-4'].map((memberId) => ({ memberId, points: 3, lots: [{ points: 3, expiresAt: '2099-01-01' }] }));
    await imports.stageRecords(id, rows);
    // What a process that stopped after its first batch left: the first two rows answered.
    await imports.rows.record(id, [
      { line: 1, key: 'r-1', memberId: 'r-1', status: 'refused', code: 'STOPPED_HERE', message: 'answered before the stop' },
      { line: 2, key: 'r-2', memberId: 'r-2', status: 'refused', code: 'STOPPED_HERE', message: 'answered before the stop' },
    ]);
    await runner.startImport(id, { format: 'jsonl', header: [], rows: 4, actor: 'ops' });
    const job = await finished(id);
    expect(job.result).toMatchObject({ rows: 4, applied: 2, refusedBy: { STOPPED_HERE: 2 } });
    expect((await call('GET', '/members/r-1/balance')).status).toBe(404);
    expect((await call('GET', '/members/r-3/balance')).body).toMatchObject({ available: 3 });
  });

  it('appends batches side by side yet decides the rows of a member in file order, whichever batch they are in', async () => {
    const row = (memberId: string, points: number) => ({ memberId, points, lots: [{ points, expiresAt: '2099-01-01' }] });
    // 2,500 rows: three batches; b-7 again in the second (other points) and third (same points).
    const rows = Array.from({ length: 2500 }, (_, i) => row(`b-${i}`, 1 + (i % 50)));
    rows[1500] = row('b-7', 99);
    rows[2400] = row('b-7', 8);
    const created = await call('POST', '/ops/jobs', { kind: 'import', rows });
    const job = await finished(created.body.id);
    expect(job.result).toMatchObject({ rows: 2500, applied: 2498, duplicate: 1, refusedBy: { CHANGED_SINCE_APPLIED: 1 } });
    const page = await call('GET', `/ops/jobs/${created.body.id}/results?limit=10000`);
    const results = page.body.results as { line: number; status: string; code?: string }[];
    expect(results.map((r) => r.line)).toEqual(Array.from({ length: 2500 }, (_, i) => i + 1));
    expect([results[7].status, results[1500].code, results[2400].status]).toEqual(['applied', 'CHANGED_SINCE_APPLIED', 'duplicate']);
    expect((await call('GET', '/members/b-7/balance')).body).toMatchObject({ available: 8 });
  });
});
