import { LedgerEventMessage, NewLedgerEvent } from '@tally/contracts';
import { LedgerCommand, LedgerStore, StoredEventRow, ledgerAppendPool, ledgerDataSourceOptions, migrateLedger, toLedgerEvent } from '@tally/ledger';
import { randomId, randomUuid } from '@tally/platform';
import { DEFAULT_PROGRAM, businessDay } from '@tally/program';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
// The read model's writer and the dashboard's queries are the ledger app's own; the bench times
// exactly them, without HTTP, so it reaches into the app (no library exports them).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { AnalyticsQueries, breakageRate } from '../../apps/ledger/src/analytics/read/analytics.queries';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { LeaderboardQueries } from '../../apps/ledger/src/analytics/read/leaderboard.queries';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { applyToReadModel } from '../../apps/ledger/src/analytics/store/analytics.writer';
import { benchDatabaseUrl, log, machine, percentile, recreateDatabase, writeResults } from './bench-support';

// Analytics: the dashboard's queries over a ledger of EVENTS events and MEMBERS members, and how
// fast the read model applies the log (compared with earn's rate). Smaller runs:
// ANALYTICS_BENCH_EVENTS=100000 ANALYTICS_BENCH_MEMBERS=10000 npm run bench:analytics
const EVENTS = Number(process.env.ANALYTICS_BENCH_EVENTS ?? 1_000_000);
const MEMBERS = Number(process.env.ANALYTICS_BENCH_MEMBERS ?? 100_000);
const QUERY_RUNS = Number(process.env.ANALYTICS_BENCH_QUERY_RUNS ?? 300);
const STORES = 50;
const DAYS = 60;
/** Messages per handler call of the ledger app's consumer (the batch consumer joins up to 2,000). */
const APPLY_BATCH = 2_000;
/** Calls in flight at once: the consumer's coalescer runs two (1 gives one connection's rate). */
const APPLIERS = Number(process.env.ANALYTICS_BENCH_APPLIERS ?? 2);
const EARN_TARGET_PER_SECOND = 20_000;

const now = Date.now();
const versions = new Map<string, number>();

/** A mix like a programme's: mostly earnings in stores and online, some redemptions, expiries and tier moves. */
const eventFor = (i: number): NewLedgerEvent => {
  const memberId = `m-${(i * 7919) % MEMBERS}`;
  const occurredAt = new Date(now - ((i * 104_729) % (DAYS * 86_400_000))).toISOString();
  const storeId = `s-${i % STORES}`;
  const kind = i % 100;
  if (kind < 10)
    return {
      type: 'points.redeemed',
      memberId,
      occurredAt,
      data: { points: 50, redemptionId: `r-${i}`, storeId, rewardId: `reward-${i % 12}`, fromLots: [] },
    } as unknown as NewLedgerEvent;
  if (kind < 13) return { type: 'points.expired', memberId, occurredAt, data: { lotId: randomId(), points: 20 } } as NewLedgerEvent;
  if (kind < 14)
    return {
      type: 'tier.changed',
      memberId,
      occurredAt,
      data: { from: 'member', to: 'silver', qualifyingPoints: 1000, reason: 'threshold-reached' },
    } as NewLedgerEvent;
  return {
    type: 'points.earned',
    memberId,
    occurredAt,
    data: {
      points: 10 + (i % 500),
      lotId: randomId(),
      expiresAt: new Date(now + 365 * 86_400_000).toISOString(),
      reason: 'purchase',
      ...(kind < 90 ? { storeId } : {}),
      orderId: `o-${i}`,
      tier: 'member',
      multiplier: 1,
      ruleIds: ['purchase.base'],
    },
  } as NewLedgerEvent;
};

const generate = async (store: LedgerStore) => {
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < EVENTS) {
      const from = next;
      next = Math.min(EVENTS, next + 1_000);
      const commands: LedgerCommand<null>[] = [];
      for (let i = from; i < next; i++) {
        const event = eventFor(i);
        versions.set(event.memberId, (versions.get(event.memberId) ?? 0) + 1);
        commands.push({
          scope: 'bench',
          causationId: `b-${i}`,
          memberIds: [event.memberId],
          decide: () => ({ kind: 'append', events: [event], result: null }),
        });
      }
      await store.execute(commands);
      if (next % 100_000 < 1_000) log(`  ${next} events appended`);
    }
  };
  await Promise.all([worker(), worker()]);
  return (performance.now() - started) / 1000;
};

/** A member's partition among `count`, as the topic's key hashing keeps each member on one. */
const partitionOf = (memberId: string, count: number): number => {
  let hash = 0;
  for (let i = 0; i < memberId.length; i++) hash = (hash * 31 + memberId.charCodeAt(i)) | 0;
  return Math.abs(hash) % count;
};

/**
 * The log applied to the read model as the ledger app's consumer does: calls of up to 2,000
 * messages, APPLIERS of them at once (its coalescer runs two; each call is one transaction on its
 * own connection, and a member's events are in one partition, so in one call). The next page of
 * the log is read while the calls run; the time counted is the calls'.
 */
const applyLog = async (url: string) => {
  // Without JIT, as the ledger app's connections are (ledgerDataSourceOptions).
  const connect = async () => {
    const client = new Client({ connectionString: url, options: '-c jit=off' });
    await client.connect();
    return client;
  };
  const reader = await connect();
  const appliers = await Promise.all(Array.from({ length: APPLIERS }, connect));
  const context = { dayOf: (iso: string) => businessDay(DEFAULT_PROGRAM, iso), campaigns: [], baseTier: 'member' };
  // Where a call's time goes: each statement by the table it writes or reads, the rest is the fold's.
  const statementMs: Record<string, number> = {};
  const queryOn = (client: Client) => async (sql: string, parameters?: unknown[]) => {
    const started = performance.now();
    const { rows } = await client.query(sql, parameters);
    const statement = `${sql.trim().split(/\s/)[0]} ${/(?:INSERT INTO|UPDATE|FROM)\s+(\w+)/.exec(sql)?.[1] ?? ''}`.trim();
    statementMs[statement] = (statementMs[statement] ?? 0) + performance.now() - started;
    return rows;
  };
  const readPage = async (after: string) =>
    (
      await reader.query(
        `SELECT e.position, e.member_id, e.version, e.event_id, e.type, e.data, e.occurred_at, e.recorded_at, e.causation_id, e.hash, NULL::bytea AS prev_hash
           FROM ledger_events e WHERE e.position > $1 ORDER BY e.position LIMIT $2`,
        [after, APPLY_BATCH * APPLIERS],
      )
    ).rows as StoredEventRow[];
  let applied = 0;
  let wallMs = 0;
  let callMs = 0;
  let page = await readPage('0');
  while (page.length > 0) {
    const next = readPage(String(page[page.length - 1].position));
    const calls: LedgerEventMessage[][] = Array.from({ length: APPLIERS }, () => []);
    for (const row of page) calls[partitionOf(row.member_id, APPLIERS)].push(toLedgerEvent(row));
    const started = performance.now();
    await Promise.all(
      calls.map(async (events, i) => {
        const query = queryOn(appliers[i]);
        for (let from = 0; from < events.length; from += APPLY_BATCH) {
          const callStarted = performance.now();
          await query('BEGIN');
          const deltas = await applyToReadModel(query, events.slice(from, from + APPLY_BATCH), context);
          applied += deltas.applied;
          await query('COMMIT');
          callMs += performance.now() - callStarted;
        }
      }),
    );
    wallMs += performance.now() - started;
    page = await next;
  }
  await Promise.all([reader, ...appliers].map((client) => client.end()));
  const share = (ms: number) => Number((ms / callMs).toFixed(3));
  const statementsMs = Object.values(statementMs).reduce((sum, ms) => sum + ms, 0);
  const timeShares = {
    ...Object.fromEntries(Object.entries(statementMs).map(([statement, ms]) => [statement, share(ms)])),
    foldAndParameters: share(callMs - statementsMs),
  };
  return { appliers: APPLIERS, applied, seconds: wallMs / 1000, eventsPerSecond: Math.round(applied / (wallMs / 1000)), timeShares };
};

const timeQueries = async (dataSource: DataSource) => {
  const analytics = new AnalyticsQueries(dataSource, DEFAULT_PROGRAM);
  const boards = new LeaderboardQueries(dataSource);
  const to = businessDay(DEFAULT_PROGRAM, new Date(now).toISOString());
  const from = new Date(Date.parse(`${to}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
  const range = { from, to };
  const month = to.slice(0, 7);
  let n = 0;
  const dashboard: Record<string, () => Promise<unknown>> = {
    overview: async () => {
      const [totals, ...rest] = await Promise.all([
        analytics.totals(range),
        analytics.liability(),
        analytics.activeMembers(range),
        analytics.tiers(range),
        analytics.lag(new Date()),
      ]);
      return [breakageRate(totals), ...rest];
    },
    overviewOneStore: () => analytics.totals({ ...range, storeId: `s-${n % STORES}` }),
    dailyByStore: () => analytics.daily(range, 'store'),
    dailyByReason: () => analytics.daily(range, 'reason'),
    stores: () => analytics.stores(range),
    rewards: () => analytics.rewards(range),
    leaderboardMonth: () => boards.top({ period: 'month', key: month, storeId: '' }, 20),
    leaderboardDayStore: () => boards.top({ period: 'day', key: to, storeId: `s-${n % STORES}` }, 20),
    memberRankMonth: () => boards.rankOf({ period: 'month', key: month, storeId: '' }, `m-${(n * 7919) % MEMBERS}`),
  };
  const results: Record<string, { p50: number; p99: number; max: number }> = {};
  for (const [name, run] of Object.entries(dashboard)) {
    for (let i = 0; i < 10; i++) await run();
    const times: number[] = [];
    for (let i = 0; i < QUERY_RUNS; i++) {
      n = i;
      const started = performance.now();
      await run();
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    results[name] = {
      p50: Number(percentile(times, 50).toFixed(2)),
      p99: Number(percentile(times, 99).toFixed(2)),
      max: Number(times[times.length - 1].toFixed(2)),
    };
    log(`  ${name.padEnd(20)} p50 ${results[name].p50} ms, p99 ${results[name].p99} ms`);
  }
  return results;
};

/** ANALYTICS_BENCH_QUERIES_ONLY=1 times the queries again over the database the last run left. */
const QUERIES_ONLY = process.env.ANALYTICS_BENCH_QUERIES_ONLY === '1';

const main = async () => {
  const url = benchDatabaseUrl(process.env.BENCH_ANALYTICS_DATABASE ?? 'tally_bench_analytics');
  if (!QUERIES_ONLY) {
    await recreateDatabase(url);
    await migrateLedger(url);
  }
  const dataSource = await new DataSource(ledgerDataSourceOptions(url, 4)).initialize();
  const pool = ledgerAppendPool(url);
  const store = new LedgerStore(dataSource, { clock: () => new Date(), newEventId: randomUuid, pool });
  let appendSeconds = 0;
  let apply = { appliers: APPLIERS, applied: 0, seconds: 0, eventsPerSecond: 0, timeShares: {} as Record<string, number> };
  if (!QUERIES_ONLY) {
    log(`appending ${EVENTS} events for ${MEMBERS} members through the ledger's append ...`);
    appendSeconds = await generate(store);
    log(`appended in ${appendSeconds.toFixed(1)} s; applying the log to the read model ...`);
    apply = await applyLog(url);
    log(
      `read model: ${apply.applied} events in ${apply.seconds.toFixed(1)} s = ${apply.eventsPerSecond} events/s with ${APPLIERS} call(s) at once (earn's target ${EARN_TARGET_PER_SECOND}/s)`,
    );
    log(`  time shares: ${JSON.stringify(apply.timeShares)}`);
  }
  // What autovacuum does in a running system: the read model's rows are rewritten by every batch.
  await dataSource.query('VACUUM ANALYZE');
  log(`dashboard queries, ${QUERY_RUNS} runs each:`);
  const queries = await timeQueries(dataSource);
  const worstP99 = Math.max(...Object.values(queries).map((q) => q.p99));
  await pool.end();
  await dataSource.destroy();
  const results = {
    benchmark: 'analytics',
    command: `ANALYTICS_BENCH_EVENTS=${EVENTS} ANALYTICS_BENCH_MEMBERS=${MEMBERS} ANALYTICS_BENCH_APPLIERS=${APPLIERS} npm run bench:analytics`,
    machine: machine(),
    events: EVENTS,
    members: QUERIES_ONLY ? MEMBERS : versions.size,
    queriesOnly: QUERIES_ONLY,
    appendSeconds: Number(appendSeconds.toFixed(1)),
    readModel: { ...apply, seconds: Number(apply.seconds.toFixed(1)), keepsUpWithEarnTarget: apply.eventsPerSecond >= EARN_TARGET_PER_SECOND },
    queries,
    worstP99Ms: worstP99,
    targets: { dashboardP99Ms: 50, readModelEventsPerSecond: EARN_TARGET_PER_SECOND },
  };
  log(
    `worst dashboard p99: ${worstP99} ms; results: ${writeResults(`${EVENTS === 1_000_000 ? 'analytics' : `analytics-${EVENTS}`}${APPLIERS === 2 ? '' : `-appliers-${APPLIERS}`}`, results)}`,
  );
};

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
