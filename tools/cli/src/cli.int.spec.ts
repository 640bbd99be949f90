import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { NewLedgerEvent } from '@tally/contracts';
import { LedgerStore } from '@tally/ledger';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the CLI is tested against the ledger app itself
import { RunningLedgerApp, startLedgerApp } from '../../../apps/ledger/src/testing/ledger-app';

// Each run of the CLI compiles its TypeScript sources on start: seconds each on a busy host.
jest.setTimeout(300_000);

const OPS = 'cli-ops';
const BIN = join(__dirname, '..', 'bin', 'tally.cjs');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const earned = (memberId: string, lotId: string, points: number, storeId: string): NewLedgerEvent => ({
  type: 'points.earned',
  memberId,
  occurredAt: new Date().toISOString(),
  data: { points, lotId, expiresAt: '2099-01-01T00:00:00.000Z', reason: 'purchase', tier: 'member', multiplier: 1, ruleIds: [], storeId },
});

// The CLI as a script would run it: a child process against the ledger app over HTTP.
describe('tally CLI against the ledger app', () => {
  let ledger: RunningLedgerApp;
  let app: INestApplication;
  let url: string;
  let dir: string;
  let seededAt: string;

  const tally = (args: string[], env: Record<string, string> = {}): Promise<Run> =>
    new Promise((resolve) => {
      execFile(process.execPath, [BIN, ...args], { env: { ...process.env, TALLY_URL: url, TALLY_TOKEN: OPS, ...env } }, (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  const json = async (args: string[]) => {
    const run = await tally(['--json', ...args]);
    return { ...run, body: JSON.parse(run.stdout) as Record<string, unknown> };
  };

  beforeAll(async () => {
    ledger = await startLedgerApp('cli_stack', OPS, `int-cli-${Date.now()}.`, { 'cli-read': 'read' });
    ({ app, url } = ledger);
    const store = app.get(LedgerStore);
    for (const [i, memberId] of ['m-a', 'm-b', 'm-a', 'm-c', 'm-a'].entries()) {
      const event = earned(memberId, `l-${i}`, 10 * (i + 1), i % 2 === 0 ? 'sh-07' : 'bj-01');
      await store.executeOne({
        scope: 'cli-seed',
        causationId: `s-${i}`,
        memberIds: [memberId],
        decide: () => ({ kind: 'append', result: null, events: [event] }),
      });
    }
    seededAt = new Date().toISOString();
    dir = await mkdtemp(join(tmpdir(), 'tally-cli-'));
  });

  afterAll(async () => {
    await ledger?.stop();
  });

  it('prints help and exits 0; a wrong command line exits 2', async () => {
    const help = await tally(['export', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--format');
    expect((await tally(['member', 'show'])).code).toBe(2);
    expect((await tally(['balance', 'm-a', '--as-of', 'yesterday'])).code).toBe(2);
    expect((await tally(['audit'], { TALLY_TOKEN: '' })).code).toBe(2);
    expect(await json(['adjust', 'm-a', '0', '--reason', 'r'])).toMatchObject({ code: 2, body: { error: 'usage' } });
  });

  it('shows a member, its history and its balance as of an instant', async () => {
    const member = await json(['member', 'show', 'm-a']);
    expect(member.code).toBe(0);
    expect(member.body.balance).toMatchObject({ memberId: 'm-a', available: 90 });
    const table = await tally(['member', 'show', 'm-a']);
    expect(table.stdout).toContain('available');
    expect(table.stdout).toContain('90');
    const history = await json(['member', 'history', 'm-a']);
    expect((history.body.events as unknown[]).length).toBe(3);
    const early = await json(['member', 'history', 'm-a', '--as-of', '2020-01-01T00:00:00Z']);
    expect(early.body.events).toEqual([]);
    const balance = await json(['balance', 'm-a', '--as-of', seededAt]);
    expect(balance.body).toMatchObject({ available: 90 });
  });

  it('adjusts, and a refusal exits 1 with the API error', async () => {
    const added = await json(['adjust', 'm-b', '5', '--reason', 'goodwill', '--id', 'cli-adj-1']);
    expect(added.code).toBe(0);
    expect(added.body).toMatchObject({ points: 5, available: 25 });
    const refused = await json(['adjust', 'm-b', '--reason', 'fraud', '--', '-500']);
    expect(refused.code).toBe(1);
    expect(refused.body.response).toMatchObject({ error: 'insufficient_points', available: 25 });
  });

  it('audits and replays with exit 0 on a clean ledger; lists dead letters, rejections and parked inputs', async () => {
    const audit = await json(['audit']);
    expect(audit).toMatchObject({ code: 0, body: { ok: true, violationCount: 0 } });
    const replay = await json(['replay']);
    expect(replay).toMatchObject({ code: 0, body: { identical: true } });
    expect((await json(['dead-letters'])).body).toMatchObject({ deadLetters: [] });
    expect((await json(['rejections', '--member', 'm-b'])).body).toHaveProperty('rejections');
    expect((await json(['parked'])).body).toMatchObject({ parked: [], total: 0 });
    const lag = await json(['lag']);
    expect(lag).toMatchObject({ code: 0, body: { outbox: { pendingTransactions: expect.any(Number) }, totalLag: expect.any(Number) } });
  });

  it('starts an audit job, follows it to the end, and lists it', async () => {
    const job = await json(['jobs', 'start', '--kind', 'audit', '--wait']);
    expect(job).toMatchObject({ code: 0, body: { state: 'done', result: { ok: true } } });
    const list = await json(['jobs']);
    expect((list.body.jobs as { id: string }[]).map((j) => j.id)).toContain(job.body.id);
    expect((await json(['jobs', 'show', String(job.body.id)])).code).toBe(0);
  });

  it('starts audit and replay jobs over a scope of members; a scope the API refuses exits 1 with its error', async () => {
    const listed = await json(['jobs', 'start', '--kind', 'audit', '--members', 'm-b,m-c', '--wait']);
    expect(listed).toMatchObject({ code: 0, body: { state: 'done', progress: { done: 2, total: 2 }, result: { ok: true, members: 2 } } });
    const ranged = await json(['jobs', 'start', '--kind', 'replay', '--members-from', 'm-a', '--members-to', 'm-a', '--wait']);
    expect(ranged).toMatchObject({ code: 0, body: { state: 'done', result: { identical: true, members: 1, eventsReplayed: 3 } } });
    expect((await tally(['jobs', 'start', '--kind', 'audit', '--members-from', 'm-a'])).code).toBe(2);
    const backwards = await json(['jobs', 'start', '--kind', 'audit', '--members-from', 'm-c', '--members-to', 'm-a']);
    expect(backwards).toMatchObject({ code: 1, body: { response: { error: 'invalid_scope' } } });
  });

  it('exports a store, a member and the whole ledger with manifests that verify offline', async () => {
    const whole = await json(['export', '--out', join(dir, 'all')]);
    expect(whole.body).toMatchObject({ events: 6, members: 3, chainBreaks: 0 });
    const manifest = JSON.parse(await readFile(join(dir, 'all', 'manifest.json'), 'utf8')) as { chainHeads: Record<string, { version: number }> };
    expect(manifest.chainHeads['m-a'].version).toBe(3);
    const store = await json(['export', '--store', 'sh-07', '--format', 'csv', '--out', join(dir, 'store')]);
    expect(store.body).toMatchObject({ events: 3, members: 1 });
    const member = await json(['export', '--member', 'm-b', '--out', join(dir, 'member')]);
    expect(member.body).toMatchObject({ events: 2 });
    for (const file of [join(dir, 'all', 'events.jsonl'), join(dir, 'store', 'events.csv'), join(dir, 'member', 'events.jsonl')]) {
      const verified = await json(['verify', file]);
      expect(verified).toMatchObject({ code: 0, body: { ok: true, breakCount: 0, manifest: { sha256Matches: true, headsMatch: true } } });
    }
  });

  it('names the line whose byte was changed, and exits 1', async () => {
    const file = join(dir, 'all', 'events.jsonl');
    const lines = (await readFile(file, 'utf8')).split('\n');
    lines[3] = lines[3].replace('"points":40', '"points":41').replace('[40,', '[41,');
    await writeFile(join(dir, 'tampered.jsonl'), lines.join('\n'));
    const verified = await json(['verify', join(dir, 'tampered.jsonl')]);
    expect(verified.code).toBe(1);
    expect(verified.body.breaks).toEqual([expect.objectContaining({ line: 4, reason: 'hash-mismatch', memberId: 'm-c' })]);
    const csv = join(dir, 'store', 'events.csv');
    const text = await readFile(csv, 'utf8');
    const at = text.indexOf('bj-01') >= 0 ? text.indexOf('bj-01') : text.lastIndexOf('sh-07');
    await writeFile(csv, `${text.slice(0, at)}X${text.slice(at + 1)}`);
    const human = await tally(['verify', csv]);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/line \d/);
  });

  it('imports opening balances with a result per row; the same file again changes nothing', async () => {
    const file = join(dir, 'opening.csv');
    await writeFile(
      file,
      ['memberId,points,lots,tier', 'm-imp-1,800,500@2099-06-30;300@2099-12-31,gold', 'm-imp-2,40,40@2099-01-01,', 'm-imp-3,10,10@2001-01-01,'].join('\n'),
    );
    const first = await json(['import', file]);
    expect(first).toMatchObject({ code: 1, body: { state: 'done', rows: 3, applied: 2, refused: 1, refusedBy: { LOT_ALREADY_EXPIRED: 1 } } });
    const results = (await readFile(`${file}.results.jsonl`, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { line: number; status: string });
    expect(results.map((r) => [r.line, r.status])).toEqual([
      [2, 'applied'],
      [3, 'applied'],
      [4, 'refused'],
    ]);
    const again = await json(['import', file, '--results', join(dir, 'again.jsonl')]);
    expect(again.body).toMatchObject({ applied: 0, duplicate: 2, refused: 1 });
    expect((await json(['balance', 'm-imp-1'])).body).toMatchObject({ available: 800, tier: 'gold' });
  });
});
