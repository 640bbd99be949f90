import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { testKafkaBrokers } from '@tally/testing';
import { Client } from 'pg';
import { Browser, Page, chromium } from 'playwright-core';

// The console in a real browser (Debian's headless Chromium) against the stack `npm start` runs,
// with its demo stream. Screenshots of every page go to test-output/console/.
const root = join(__dirname, '../..');
const shots = join(root, 'test-output/console');
const portBase = Number(process.env.TALLY_BROWSER_PORT_BASE ?? 3550);
const consoleUrl = `http://127.0.0.1:${portBase}/console/`;
const OPS = 'browser-ops';
const STORE = 'browser-sh07';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** A browser on a loaded two-core machine renders slowly: each test's own time limit. */
const PAGE_TEST_MS = 240_000;
const database = `tally_browser_${Date.now()}`;
const databaseUrl = (name: string): string => {
  const url = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  url.pathname = `/${name}`;
  return url.toString();
};

const dropDatabase = async () => {
  const client = new Client({ connectionString: databaseUrl('postgres') });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  await client.end();
};

const startStack = (): Promise<ChildProcess> =>
  new Promise((resolve, reject) => {
    const stack = spawn('node', ['tools/start/start.mjs'], {
      cwd: root,
      env: {
        ...process.env,
        TALLY_PORT_BASE: String(portBase),
        TALLY_TOPIC_NAMESPACE: `browser-${Date.now()}.`,
        DATABASE_URL: databaseUrl(database),
        KAFKA_BROKERS: testKafkaBrokers().join(','),
        TALLY_API_TOKENS: `${OPS}=ops,browser-read=read,${STORE}=store:sh-07`,
        TALLY_START_HEALTH_SECONDS: '300',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Running. Press Ctrl-C')) resolve(stack);
    };
    stack.stdout?.on('data', collect);
    stack.stderr?.on('data', collect);
    stack.on('exit', (code) => reject(new Error(`npm start exited (${code}) before it was running:\n${output.slice(-3000)}`)));
  });

/** Pixels of a chart's canvas that something was drawn on. */
const drawnPixels = (page: Page, testId: string) =>
  page.$eval(`[data-testid="${testId}"] canvas`, (canvas) => {
    const c = canvas as HTMLCanvasElement;
    const data = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
    let drawn = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) drawn++;
    return drawn;
  });

describe('the ops console in Chromium', () => {
  let stack: ChildProcess;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    stack = await startStack();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    if (stack && stack.exitCode === null) {
      const exited = new Promise((resolve) => stack.once('exit', resolve));
      stack.kill('SIGTERM');
      await exited;
    }
    await dropDatabase();
  }, 60_000);

  const logIn = async (token: string, lang: 'zh-CN' | 'en') => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(consoleUrl);
    await page.selectOption('[data-testid="lang"]', lang);
    await page.fill('#token', token);
    await page.click('[data-testid="login"] button');
    await page.waitForSelector('main[data-ready="overview"]');
    return { page, errors };
  };

  const open = async (page: Page, name: string) => {
    await page.click(`[data-testid="nav-${name}"]`);
    await page.waitForSelector(`main[data-ready="${name}"]`);
  };

  it(
    'shows the overview with charts of the demo stream, in Chinese and in English',
    async () => {
      const { page, errors } = await logIn(OPS, 'zh-CN');
      await page.waitForFunction(() => document.querySelector('[data-testid="kpi-earned"] .value')?.textContent !== '0');
      expect(await page.textContent('[data-testid="kpi-liability"] .label')).toBe('未兑付积分');
      expect(await page.textContent('[data-testid="kpi-cash"] .value')).toMatch(/¥/);
      expect(await drawnPixels(page, 'chart-earn-burn')).toBeGreaterThan(1000);
      expect(await drawnPixels(page, 'chart-tier-mix')).toBeGreaterThan(1000);
      await page.screenshot({ path: join(shots, 'overview-zh-CN.png'), fullPage: true });
      await page.selectOption('[data-testid="lang"]', 'en');
      await page.waitForSelector('main[data-ready="overview"]');
      await page.waitForFunction(() => document.querySelector('[data-testid="kpi-liability"] .label')?.textContent === 'Outstanding points');
      expect(await page.textContent('[data-testid="kpi-cash"] .value')).toMatch(/CNY/);
      await page.screenshot({ path: join(shots, 'overview-en.png'), fullPage: true });
      expect(errors).toEqual([]);
      await page.close();
    },
    PAGE_TEST_MS,
  );

  it(
    'compares stores, ranks members, and finds a member with a linked hash chain',
    async () => {
      const { page, errors } = await logIn(OPS, 'zh-CN');
      await open(page, 'stores');
      expect(await page.textContent('[data-testid="stores-table"]')).toContain('sh-07');
      expect(await drawnPixels(page, 'chart-stores')).toBeGreaterThan(1000);
      await page.screenshot({ path: join(shots, 'stores.png'), fullPage: true });
      await open(page, 'leaderboards');
      expect(await page.$$eval('[data-testid="board-table"] tbody tr', (rows) => rows.length)).toBeGreaterThanOrEqual(5);
      expect(await drawnPixels(page, 'chart-board')).toBeGreaterThan(1000);
      await page.screenshot({ path: join(shots, 'leaderboards.png'), fullPage: true });
      await open(page, 'member');
      await page.fill('[data-testid="member-id"]', 'm-1003');
      await page.click('[data-testid="member-search"]');
      await page.waitForSelector('[data-testid="member-balance"]');
      expect(Number((await page.textContent('[data-testid="balance-available"]'))?.replace(/[^0-9]/g, ''))).toBeGreaterThan(0);
      expect(await page.textContent('[data-testid="chain-status"]')).toBe('连续');
      expect(await page.$$eval('[data-testid="history-table"] tbody tr', (rows) => rows.length)).toBeGreaterThan(1);
      expect(await page.$$eval('[data-testid="lots-table"] tbody tr', (rows) => rows.length)).toBeGreaterThan(0);
      await page.screenshot({ path: join(shots, 'member.png'), fullPage: true });
      await page.fill('[data-testid="member-id"]', 'm-nobody');
      await page.click('[data-testid="member-search"]');
      await page.waitForSelector('[data-testid="member-result"] [data-testid="error"]');
      await open(page, 'ops');
      expect(await page.textContent('[data-testid="dead-letters"]')).toContain('invalid_json');
      await page.click('[data-testid="run-audit"]');
      await page.waitForSelector('[data-testid="job-report"]', { timeout: 60_000 });
      expect(await page.textContent('[data-testid="job-report"]')).toContain('"ok":true');
      await page.screenshot({ path: join(shots, 'ops.png'), fullPage: true });
      expect(errors).toEqual([]);
      await page.close();
    },
    PAGE_TEST_MS,
  );

  it(
    'shows a store token its own store only, and no ops page',
    async () => {
      const { page, errors } = await logIn(STORE, 'en');
      expect(await page.textContent('[data-testid="who"]')).toContain('store:sh-07');
      expect(await page.$('[data-testid="kpi-liability"]')).toBeNull();
      expect(await page.$('[data-testid="nav-ops"]')).toBeNull();
      await open(page, 'stores');
      const stores = await page.$$eval('[data-testid="stores-table"] tbody tr td:first-child', (cells) => cells.map((c) => c.textContent));
      expect(stores).toEqual(['sh-07']);
      await page.screenshot({ path: join(shots, 'store-token-stores.png'), fullPage: true });
      const other = await page.evaluate(async () => {
        const response = await fetch('/analytics/stores?storeId=bj-02', { headers: { Authorization: `Bearer ${sessionStorage.getItem('tally.token')}` } });
        return response.status;
      });
      expect(other).toBe(403);
      await page.goto(`${consoleUrl}#/ops`);
      await page.waitForSelector('main[data-ready="overview"]');
      expect(errors).toEqual([]);
      await page.close();
    },
    PAGE_TEST_MS,
  );
});
