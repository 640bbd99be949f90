import { RedemptionRecord } from '@tally/redemption';
import { DEFAULT_PROGRAM, Program } from '@tally/program';
import { Query, ledgerDataSourceOptions, queryOf } from '@tally/ledger';
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { DataSource } from 'typeorm';
import { ModelSpec, ResultSummary } from './model-commands';
import { InvariantViolation, checkBalances, checkLedger, checkNothingDue, checkTiers } from './model-invariants';
import { ModelOracle, comparable } from './model-oracle';
import { ModelProcesses } from './model-processes';

/**
 * The programs runs take turns with: the built-in one with a daily earn cap, and the same with
 * purchase points pending for a day (which the sweep releases).
 */
const PLAIN: Program = { ...DEFAULT_PROGRAM, purchase: { ...DEFAULT_PROGRAM.purchase, dailyEarnCap: 4000 } };
export const MODEL_PROGRAMS: Record<string, Program> = { plain: PLAIN, pending: { ...PLAIN, purchase: { ...PLAIN.purchase, pendingDays: 1 } } };

const MEMBERS = 4;
const DAY_MS = 86_400_000;

/** What the commands of one run know of what they did: ids to come back to, and the business clock. */
interface World {
  run: string;
  members: string[];
  now: number;
  seq: number;
  purchases: { memberId: string; orderId: string; amountMinor: number }[];
  redemptions: { redemptionId: string; memberId: string; points: number }[];
  holds: { holdId: string; memberId: string }[];
  inputs: ModelSpec[];
}

/** The system under test (store processes), the oracle beside it, and the run's record of steps. */
interface System {
  processes: ModelProcesses;
  /** The name of the run's program (`MODEL_PROGRAMS`), and the oracle deciding with it. */
  program: string;
  oracle: ModelOracle;
  query: Query;
  steps: string[];
}

const at = (world: World): string => new Date(world.now).toISOString();
const nextId = (world: World, kind: string): string => `${world.run}-${kind}${++world.seq}`;
const pick = <T>(items: T[], index: number): T | undefined => (items.length === 0 ? undefined : items[index % items.length]);

type Build = (world: World, system: System) => Promise<ModelSpec[]> | ModelSpec[];

/** Builders of one spec each, from generated parameters and what the run did so far. */
const builders = {
  purchase:
    (m: number, amountMinor: number, minutes: number): Build =>
    (world) => {
      world.now += minutes * 60_000;
      const spec: ModelSpec = {
        kind: 'purchase',
        eventId: nextId(world, 'e'),
        memberId: world.members[m],
        orderId: nextId(world, 'o'),
        amountMinor,
        occurredAt: at(world),
      };
      world.purchases.push({ memberId: spec.memberId, orderId: spec.orderId, amountMinor });
      world.inputs.push(spec);
      return [spec];
    },
  refund:
    (index: number, percent: number): Build =>
    (world) => {
      const purchase = pick(world.purchases, index) ?? { memberId: world.members[index % MEMBERS], orderId: `${world.run}-never`, amountMinor: 10_000 };
      const amountMinor = Math.max(1, Math.floor((purchase.amountMinor * percent) / 100));
      const spec: ModelSpec = {
        kind: 'refund',
        eventId: nextId(world, 'e'),
        memberId: purchase.memberId,
        orderId: purchase.orderId,
        refundId: nextId(world, 'rf'),
        amountMinor,
        occurredAt: at(world),
      };
      world.inputs.push(spec);
      return [spec];
    },
  checkIn:
    (m: number, hours: number): Build =>
    (world) => {
      world.now += hours * 3_600_000;
      const spec: ModelSpec = { kind: 'check-in', eventId: nextId(world, 'e'), memberId: world.members[m], occurredAt: at(world) };
      world.inputs.push(spec);
      return [spec];
    },
  referral:
    (a: number, b: number): Build =>
    (world) => {
      const spec: ModelSpec = {
        kind: 'referral',
        eventId: nextId(world, 'e'),
        referrerId: world.members[a],
        refereeId: world.members[b],
        occurredAt: at(world),
      };
      world.inputs.push(spec);
      return [spec];
    },
  /** An input delivered again: as it was, or (a producer's bug) with another amount under the same event id. */
  redeliver:
    (index: number, changed: boolean): Build =>
    (world) => {
      const input = pick(world.inputs, index);
      if (!input) return [];
      return [changed && 'amountMinor' in input ? { ...input, amountMinor: input.amountMinor + 100 } : input];
    },
  redeem:
    (m: number, points: number, retry: number | null): Build =>
    (world) => {
      const again = retry === null ? undefined : pick(world.redemptions, retry);
      const redemption = again ?? { redemptionId: nextId(world, 'r'), memberId: world.members[m], points };
      if (!again) world.redemptions.push(redemption);
      return [{ kind: 'redeem', ...redemption, occurredAt: at(world) }];
    },
  /** As the redeem service does: what a redemption spent comes from its stored result. */
  reverse:
    (index: number): Build =>
    async (world, system) => {
      const redemption = pick(world.redemptions, index);
      if (!redemption) return [];
      const [row] = await system.query(`SELECT result FROM causations WHERE scope = 'redemption' AND causation_id = $1 AND outcome = 'appended'`, [
        redemption.redemptionId,
      ]);
      const stored = (row?.result as { body: { points: number; fromLots: RedemptionRecord['fromLots'] } } | undefined)?.body;
      const record: RedemptionRecord | undefined = stored && {
        redemptionId: redemption.redemptionId,
        points: stored.points,
        storeId: 'sh-07',
        fromLots: stored.fromLots,
      };
      return [{ kind: 'reverse', redemptionId: redemption.redemptionId, memberId: redemption.memberId, ...(record ? { record } : {}), occurredAt: at(world) }];
    },
  hold:
    (m: number, points: number, ttlMinutes: number): Build =>
    (world) => {
      const hold = { holdId: nextId(world, 'h'), memberId: world.members[m] };
      world.holds.push(hold);
      return [{ kind: 'hold', ...hold, points, ttlSeconds: ttlMinutes * 60, occurredAt: at(world) }];
    },
  capture:
    (index: number, points: number | null): Build =>
    (world) => {
      const hold = pick(world.holds, index);
      return hold ? [{ kind: 'capture', ...hold, ...(points === null ? {} : { points }), occurredAt: at(world) }] : [];
    },
  release:
    (index: number): Build =>
    (world) => {
      const hold = pick(world.holds, index);
      return hold ? [{ kind: 'release', ...hold, occurredAt: at(world) }] : [];
    },
  upgrade:
    (m: number): Build =>
    (world) => [{ kind: 'upgrade', memberId: world.members[m], trigger: ++world.seq, asOf: at(world) }],
  daily:
    (m: number): Build =>
    (world) => [{ kind: 'daily', memberId: world.members[m], asOf: at(world) }],
  sweep:
    (m: number): Build =>
    (world) => [{ kind: 'sweep', memberId: world.members[m], asOf: at(world), sweepId: String(++world.seq) }],
  advance:
    (days: number): Build =>
    (world) => {
      world.now += days * DAY_MS;
      return [];
    },
};

const member = fc.nat(MEMBERS - 1);
const index = fc.nat(50);
/** Points asked for: mostly what a member has, sometimes more. */
const points = fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 1, max: 300 }) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 3000 }) });
/** Days the business clock moves on: mostly past a pending period, sometimes past lots' expiry. */
const days = fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 1, max: 3 }) }, { weight: 1, arbitrary: fc.integer({ min: 4, max: 400 }) });

/** One spec builder of every kind, weighted towards what moves balances. */
const buildArbitrary: fc.Arbitrary<{ name: string; build: Build }> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .tuple(member, fc.integer({ min: 100, max: 400_000 }), fc.nat(600))
      .map(([m, a, t]) => ({ name: `purchase(${m},${a},+${t}m)`, build: builders.purchase(m, a, t) })),
  },
  { weight: 1, arbitrary: fc.tuple(index, fc.integer({ min: 1, max: 100 })).map(([i, p]) => ({ name: `refund(${i},${p}%)`, build: builders.refund(i, p) })) },
  { weight: 2, arbitrary: fc.tuple(member, fc.nat(48)).map(([m, h]) => ({ name: `checkIn(${m},+${h}h)`, build: builders.checkIn(m, h) })) },
  { weight: 1, arbitrary: fc.tuple(member, member).map(([a, b]) => ({ name: `referral(${a},${b})`, build: builders.referral(a, b) })) },
  {
    weight: 1,
    arbitrary: fc.tuple(index, fc.boolean()).map(([i, c]) => ({ name: `redeliver(${i},${c ? 'changed' : 'same'})`, build: builders.redeliver(i, c) })),
  },
  {
    weight: 4,
    arbitrary: fc
      .tuple(member, points, fc.option(index, { freq: 4 }))
      .map(([m, p, r]) => ({ name: `redeem(${m},${p},${r})`, build: builders.redeem(m, p, r) })),
  },
  { weight: 1, arbitrary: index.map((i) => ({ name: `reverse(${i})`, build: builders.reverse(i) })) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(member, points, fc.integer({ min: 1, max: 600 }))
      .map(([m, p, t]) => ({ name: `hold(${m},${p},${t}m)`, build: builders.hold(m, p, t) })),
  },
  { weight: 2, arbitrary: fc.tuple(index, fc.option(points)).map(([i, p]) => ({ name: `capture(${i},${p})`, build: builders.capture(i, p) })) },
  { weight: 2, arbitrary: index.map((i) => ({ name: `release(${i})`, build: builders.release(i) })) },
  { weight: 2, arbitrary: member.map((m) => ({ name: `upgrade(${m})`, build: builders.upgrade(m) })) },
  { weight: 1, arbitrary: member.map((m) => ({ name: `daily(${m})`, build: builders.daily(m) })) },
  { weight: 3, arbitrary: member.map((m) => ({ name: `sweep(${m})`, build: builders.sweep(m) })) },
  { weight: 2, arbitrary: days.map((d) => ({ name: `advance(${d}d)`, build: builders.advance(d) })) },
);

/** Equal as data: results cross from another process (and, under jest, another realm) with other prototypes. */
const same = (a: unknown, b: unknown): boolean => isDeepStrictEqual(JSON.parse(JSON.stringify(a) ?? 'null'), JSON.parse(JSON.stringify(b) ?? 'null'));

const mismatch = (what: string, expected: unknown, actual: unknown): never => {
  throw new InvariantViolation(
    `${what}\n  expected (decided on the head): ${JSON.stringify(expected)}\n  actual (store process):        ${JSON.stringify(actual)}`,
  );
};

/**
 * Runs specs as one batch on one store process, after the oracle decided them on states it read
 * fresh; each result, and each member's state after the batch, must be what the oracle decided.
 */
const step = async (system: System, processIndex: number, specs: ModelSpec[]): Promise<void> => {
  if (specs.length === 0) return;
  const expected = await system.oracle.expect(specs);
  const actual: ResultSummary[] = await system.processes.execute(processIndex, system.program, specs);
  specs.forEach((spec, i) => {
    if (!same(actual[i], expected.results[i])) mismatch(`${spec.kind} ${JSON.stringify(spec)}`, expected.results[i], actual[i]);
  });
  const after = await system.oracle.read([...expected.states.keys()]);
  for (const [memberId, state] of expected.states) {
    const want = comparable(state);
    const got = comparable(after.get(memberId) as typeof state);
    if (!same(got, want)) mismatch(`state of ${memberId} after ${specs.map((s) => s.kind).join(', ')}`, want, got);
  }
};

/** A command of the model run: builds its specs when it runs, and sends them to one store process, or several at once. */
class ModelCommand implements fc.AsyncCommand<World, System> {
  constructor(
    private readonly parts: { name: string; build: Build }[],
    private readonly processIndex: number,
    private readonly concurrent: boolean,
  ) {}

  check(): boolean {
    return true;
  }

  async run(world: World, system: System): Promise<void> {
    system.steps.push(this.toString());
    const built: ModelSpec[][] = [];
    for (const part of this.parts) built.push(await part.build(world, system));
    if (!this.concurrent) return step(system, this.processIndex, built.flat());
    // Several processes at once: no single order to compare with, so the invariants are checked after.
    await Promise.all(built.map((specs, i) => (specs.length > 0 ? system.processes.execute(this.processIndex + i, system.program, specs) : undefined)));
    await checkBalances(system.query, world.members);
  }

  toString(): string {
    const parts = this.parts.map((p) => p.name).join(' + ');
    return this.concurrent ? `at once from ${this.processIndex}: ${parts}` : `process ${this.processIndex}: ${parts}`;
  }
}

const commandArbitraries = (processes: number) => {
  const processIndex = fc.nat(processes - 1);
  return [
    fc.tuple(buildArbitrary, processIndex).map(([part, p]) => new ModelCommand([part], p, false)),
    fc.tuple(fc.array(buildArbitrary, { minLength: 2, maxLength: 4 }), processIndex).map(([parts, p]) => new ModelCommand(parts, p, false)),
    fc.tuple(fc.array(buildArbitrary, { minLength: 2, maxLength: 4 }), processIndex).map(([parts, p]) => new ModelCommand(parts, p, true)),
  ];
};

/** The end of a run: everything due is swept and every tier evaluated, through the store processes, then the invariants. */
const finish = async (world: World, system: System, dataSource: DataSource, checkWholeLedger: boolean): Promise<void> => {
  const asOf = at(world);
  for (const [i, memberId] of world.members.entries()) {
    await step(system, i, [{ kind: 'sweep', memberId, asOf, sweepId: String(++world.seq) }]);
    await step(system, i + 1, [{ kind: 'upgrade', memberId, trigger: ++world.seq, asOf }]);
    await step(system, i + 2, [{ kind: 'daily', memberId, asOf }]);
  }
  await checkBalances(system.query, world.members);
  await checkNothingDue(system.query, world.members, asOf);
  await checkTiers(system.query, await system.oracle.read(world.members), asOf, MODEL_PROGRAMS[system.program]);
  if (checkWholeLedger) await checkLedger(dataSource);
};

export interface ModelRunOptions {
  /** A migrated ledger database; runs never share members, so one database serves them all. */
  url: string;
  seed: number;
  runs: number;
  /** Store processes, each with its own cache and connections (at least 3). */
  processes?: number;
  maxCommands?: number;
  /** The audit and a replay of the whole ledger after every this many runs (and after the last). */
  ledgerCheckEvery?: number;
  onRun?: (run: number) => void;
}

/**
 * Model-based runs of the whole ledger: random commands of every service, each sent to a random
 * store process (or to several at once) and compared with what the pure rules decide on the head;
 * after every run, the invariants. Throws fast-check's report (seed, path, shrunk commands) on failure.
 */
export const runModel = async (options: ModelRunOptions): Promise<{ runs: number }> => {
  const count = Math.max(3, options.processes ?? 3);
  const dataSource = await new DataSource(ledgerDataSourceOptions(options.url, 4)).initialize();
  const processes = await ModelProcesses.start(count, options.url, MODEL_PROGRAMS);
  const query = queryOf(dataSource);
  const every = options.ledgerCheckEvery ?? 1;
  let runs = 0;
  try {
    const property = fc.asyncProperty(fc.commands(commandArbitraries(count), { maxCommands: options.maxCommands ?? 30, size: 'max' }), async (commands) => {
      const run = ++runs;
      options.onRun?.(run);
      const world: World = {
        run: `s${options.seed}r${run}`,
        members: Array.from({ length: MEMBERS }, (_, i) => `s${options.seed}r${run}-m${i}`),
        now: Date.parse('2026-01-05T02:00:00Z'),
        seq: 0,
        purchases: [],
        redemptions: [],
        holds: [],
        inputs: [],
      };
      const program = run % 2 === 0 ? 'pending' : 'plain';
      const system: System = { processes, program, oracle: new ModelOracle(query, MODEL_PROGRAMS[program]), query, steps: [] };
      await fc.asyncModelRun(() => ({ model: world, real: system }), commands);
      await finish(world, system, dataSource, run % every === 0 || run === options.runs);
    });
    const details = await fc.check(property, { seed: options.seed, numRuns: options.runs });
    if (details.failed)
      throw new InvariantViolation(
        `${fc.defaultReportMessage(details)}\n\nWhat failed: ${String((details.errorInstance as Error)?.stack ?? details.errorInstance)}`,
      );
    return { runs };
  } finally {
    await processes.stop();
    await dataSource.destroy();
  }
};
