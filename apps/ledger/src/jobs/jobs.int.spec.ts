import { randomUUID } from 'node:crypto';
import { NewLedgerEvent } from '@tally/contracts';
import { LedgerStore, OpsJobs, queryOf } from '@tally/ledger';
import { eventually } from '@tally/testing';
import { DataSource } from 'typeorm';
import { RunningLedgerApp, startLedgerApp } from '../testing/ledger-app';
import { JobsRunner } from './jobs.runner';

const OPS = 'jobs-ops';

describe('ops jobs', () => {
  let ledger: RunningLedgerApp;
  let url: string;
  let dataSource: DataSource;

  beforeAll(async () => {
    ledger = await startLedgerApp('ledger_jobs', OPS, `int-jobs-${Date.now()}.`);
    const { app } = ledger;
    url = ledger.url;
    dataSource = app.get(DataSource);
    const store = app.get(LedgerStore);
    for (let i = 0; i < 20; i++) {
      const memberId = `m-${i % 4}`;
      const event: NewLedgerEvent = {
        type: 'points.earned',
        memberId,
        occurredAt: new Date().toISOString(),
        data: { points: 10, lotId: randomUUID(), expiresAt: '2099-01-01T00:00:00.000Z', reason: 'purchase', tier: 'member', multiplier: 1, ruleIds: [] },
      };
      await store.executeOne({
        scope: 'jobs-seed',
        causationId: `s-${i}`,
        memberIds: [memberId],
        decide: () => ({ kind: 'append', result: null, events: [event] }),
      });
    }
  });

  afterAll(async () => {
    await ledger?.stop();
  });

  const call = async (method: string, path: string, body?: object) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${OPS}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };

  it('runs an audit as a job: 202 with an id, then done with progress and the report', async () => {
    const created = await call('POST', '/ops/jobs', { kind: 'audit', scope: { from: '2020-01-01T00:00:00Z' } });
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({ kind: 'audit', state: 'queued' });
    const done = await eventually(async () => {
      const job = await call('GET', `/ops/jobs/${created.body.id}`);
      expect(job.body.state).toBe('done');
      return job.body;
    });
    // Progress counts members: 4 of them, 20 events.
    expect(done.progress).toMatchObject({ done: 4, total: 4 });
    expect(done.result).toMatchObject({ ok: true, eventsChecked: 20, members: 4 });
    expect((await call('GET', '/ops/jobs')).body.jobs.map((j: { id: string }) => j.id)).toContain(created.body.id);
  });

  it('runs a replay as a job', async () => {
    const created = await call('POST', '/ops/jobs', { kind: 'replay' });
    const done = await eventually(async () => {
      const job = await call('GET', `/ops/jobs/${created.body.id}`);
      expect(job.body.state).toBe('done');
      return job.body;
    });
    expect(done.result).toMatchObject({ identical: true, eventsReplayed: 20 });
  });

  const finished = async (id: string) =>
    eventually(async () => {
      const job = await call('GET', `/ops/jobs/${id}`);
      expect(['done', 'failed']).toContain(job.body.state);
      return job.body;
    });

  it('audits only its scope: a broken member inside it is found, one outside is not', async () => {
    // A balance that no longer adds up to its lots, as a hand-edited row would.
    await dataSource.query(`UPDATE member_state SET available = available + 7 WHERE member_id = 'm-1'`);
    try {
      const inside = await call('POST', '/ops/jobs', { kind: 'audit', scope: { memberIds: ['m-1', 'm-2'] } });
      const outside = await call('POST', '/ops/jobs', { kind: 'audit', scope: { memberRange: { from: 'm-2', to: 'm-3' } } });
      const found = await finished(inside.body.id);
      expect(found).toMatchObject({ state: 'done', progress: { done: 2, total: 2 }, result: { ok: false, members: 2, eventsChecked: 10 } });
      expect(found.result.violations).toEqual([expect.objectContaining({ kind: 'projection_mismatch', memberId: 'm-1' })]);
      expect(await finished(outside.body.id)).toMatchObject({ state: 'done', result: { ok: true, members: 2 } });
    } finally {
      await dataSource.query(`UPDATE member_state SET available = available - 7 WHERE member_id = 'm-1'`);
    }
  });

  it('replays only its scope', async () => {
    const created = await call('POST', '/ops/jobs', { kind: 'replay', scope: { memberIds: ['m-3'] } });
    expect(await finished(created.body.id)).toMatchObject({
      state: 'done',
      progress: { done: 1, total: 1 },
      result: { identical: true, members: 1, eventsReplayed: 5 },
    });
  });

  it('writes the progress of an audit as it goes: a poll can see it part done', async () => {
    const runner = ledger.app.get(JobsRunner);
    const written: [string, number, number | null][] = [];
    const beat = jest.spyOn(runner.jobs, 'beat').mockImplementation(function (this: OpsJobs, job, done, total) {
      written.push([job.id, done, total]);
      return OpsJobs.prototype.beat.call(this, job, done, total);
    });
    try {
      const created = await call('POST', '/ops/jobs', { kind: 'audit', scope: { to: '2100-01-01T00:00:00Z' } });
      expect(await finished(created.body.id)).toMatchObject({ state: 'done', progress: { done: 4, total: 4 } });
      const steps = written.filter(([id]) => id === created.body.id).map(([, done, total]) => [done, total]);
      expect(steps).toContainEqual([expect.any(Number), 4]);
      expect(steps.some(([done, total]) => total === 4 && (done as number) > 0 && (done as number) < 4)).toBe(true);
    } finally {
      beat.mockRestore();
    }
  });

  it('refuses a scope it cannot run as asked: 400 invalid_scope', async () => {
    const refused = async (body: object) => {
      const answer = await call('POST', '/ops/jobs', body);
      expect(answer.status).toBe(400);
      return answer.body.error;
    };
    expect(await refused({ kind: 'audit', scope: { memberRange: { from: 'm-3', to: 'm-1' } } })).toBe('invalid_scope');
    expect(await refused({ kind: 'audit', scope: { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' } })).toBe('invalid_scope');
    expect(await refused({ kind: 'audit', scope: { memberID: ['m-1'] } })).toBe('invalid_scope');
    expect(await refused({ kind: 'replay', swap: true, scope: { memberIds: ['m-1'] } })).toBe('invalid_scope');
    expect(await refused({ kind: 'audit', scope: { memberIds: [] } })).toBe('invalid_request');
    expect(await refused({ kind: 'audit', scope: { memberIds: 'm-1' } })).toBe('invalid_request');
  });

  it('joins a second audit of the same scope instead of doing the work twice', async () => {
    // Straight on the table, no runner between the two: the second asks while the first is queued.
    const jobs = new OpsJobs(queryOf(dataSource));
    const scope = { memberIds: ['m-1', 'm-2'] };
    const [first, second] = await Promise.all([jobs.create(randomUUID(), 'audit', scope, {}), jobs.create(randomUUID(), 'audit', { ...scope }, {})]);
    expect(second.job.id).toBe(first.job.id);
    expect([first.joined, second.joined].sort()).toEqual([false, true]);
    const other = await jobs.create(randomUUID(), 'audit', { memberIds: ['m-3'] }, {});
    expect(other.job.id).not.toBe(first.job.id);
  });

  it('resumes a job whose process stopped, and reports failed one that stopped too often', async () => {
    const resumed = randomUUID();
    const given = randomUUID();
    await dataSource.query(
      `INSERT INTO ops_jobs (id, kind, scope, scope_key, state, attempts, heartbeat_at, started_at)
       VALUES ($1, 'audit', '{"r":1}', '{"r":1}', 'running', 1, now() - interval '1 hour', now() - interval '1 hour'),
              ($2, 'audit', '{"r":2}', '{"r":2}', 'running', 3, now() - interval '1 hour', now() - interval '1 hour')`,
      [resumed, given],
    );
    const again = await eventually(async () => {
      const job = await call('GET', `/ops/jobs/${resumed}`);
      expect(job.body.state).toBe('done');
      return job.body;
    });
    expect(again).toMatchObject({ attempts: 2, result: { ok: true } });
    const failed = await call('GET', `/ops/jobs/${given}`);
    expect(failed.body).toMatchObject({ state: 'failed', error: expect.stringContaining('stopped 3 times') });
  });

  it('exposes jobs by state, outbox lag and dead letters by reason on /metrics', async () => {
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toMatch(/tally_jobs\{[^}]*kind="audit"[^}]*state="done"[^}]*\} [1-9]/);
    expect(text).toMatch(/tally_outbox_lag_seconds\{[^}]*\} [0-9.e+-]+/);
    expect(text).toContain('# TYPE tally_dead_letters gauge');
  });

  it('answers 404 for an unknown job and 422 for an import job', async () => {
    expect((await call('GET', `/ops/jobs/${randomUUID()}`)).body.error).toBe('job_not_found');
    expect((await call('GET', '/ops/jobs/not-a-uuid')).status).toBe(404);
    expect((await call('POST', '/ops/jobs', { kind: 'import' })).status).toBe(422);
    expect((await call('POST', '/ops/jobs', { kind: 'nope' })).status).toBe(400);
  });
});
