import { TransientError, inSpan } from '@tally/platform';
import { Lease, leaseFrom } from './pool-lease';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { Query, preparedQueryOf } from '../database/query';
import { DEFAULT_STATE_CACHE_SIZE, LoadedMember, MemberStateCache } from '../state/member-state.cache';
import { MemberStates, lockHeads } from '../state/member-states';
import { OrderKey, attachOrders, readStoredOrders } from '../state/stored-orders';
import { writeBatch } from './append.statement';
import { Decided, decideBatch } from './batch-decision';
import { SeenCausation, findCausations } from './causations';
import { CommandResult, LedgerCommand, StoreHourTotals } from './ledger-command';

/** A call's results, and the stores' hourly counts its appends added to (`LedgerCommand.counts`), with them. */
export interface CountedResults<R> {
  results: CommandResult<R>[];
  totals: StoreHourTotals;
}

export interface LedgerStoreOptions {
  clock: () => Date;
  newEventId: () => string;
  /** Attempts before a conflict is reported: each attempt re-decides on fresh state. */
  maxAttempts?: number;
  /** Where states are loaded from and kept between appends (one per process is best). */
  states?: MemberStates;
  /**
   * Connections of the appends' own (`ledgerAppendPool`), which plan each of the store's
   * statements once per connection; without it appends share the data source's connections.
   */
  pool?: Pool;
  /** Told each call's duration, whatever its outcome (the append latency metric). */
  onExecuted?: (seconds: number, commands: number, failed: boolean) => void;
}

/** A connection for one attempt, and how to give it back (with an error: closed, not reused). */

/** PostgreSQL errors that mean "someone else changed the same member meanwhile": re-decide. */
const RETRYABLE = new Set(['23505', '40P01', '40001']);

/** Transient: the consumer retries the batch instead of blaming one of its messages. */
export class ConcurrencyConflictError extends TransientError {
  constructor(
    readonly attempts: number,
    cause: unknown,
  ) {
    super(`ledger append still conflicting after ${attempts} attempts: ${(cause as Error).message}`);
  }
}

/**
 * Appends decisions to the log with their projections, all of one call or none of it. Each
 * command is decided on the states the earlier commands of the same call left, a duplicate
 * causation appends nothing, and members are locked in id order (no deadlocks between calls).
 */
export class LedgerStore {
  private readonly maxAttempts: number;
  readonly states: MemberStates;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: LedgerStoreOptions,
  ) {
    this.maxAttempts = options.maxAttempts ?? 8;
    this.states = options.states ?? new MemberStates(new MemberStateCache(DEFAULT_STATE_CACHE_SIZE));
  }

  /**
   * Decides and appends the commands. The first attempt takes no lock and reads no causation: it
   * decides on the cached states and writes everything in one statement that fails, whole, if any
   * member it decided on (appended to, refused or skipped) moved on meanwhile, or a causation was
   * seen before. A refusal or a skip is as much a decision as an append: none is answered on a
   * state the statement did not find at the member's head. Every later attempt locks the members
   * and reads the causations first, and decides again on what it finds.
   */
  async execute<R>(commands: LedgerCommand<R>[]): Promise<CommandResult<R>[]> {
    return (await this.executeCounted(commands)).results;
  }

  /** `execute`, answering also with the totals of the store-hours its appends counted in. */
  async executeCounted<R>(commands: LedgerCommand<R>[]): Promise<CountedResults<R>> {
    const started = performance.now();
    let failed = true;
    try {
      const results = await inSpan('ledger append', { attributes: { 'tally.commands': commands.length } }, () => this.executeAttempts(commands));
      failed = false;
      return results;
    } finally {
      this.options.onExecuted?.((performance.now() - started) / 1000, commands.length, failed);
    }
  }

  private async executeAttempts<R>(commands: LedgerCommand<R>[]): Promise<CountedResults<R>> {
    for (let attempt = 1; ; attempt++) {
      try {
        const optimistic = attempt === 1 && this.states.generation !== undefined;
        return optimistic ? await this.attemptWithoutLocks(commands) : await this.attemptUnderLocks(commands);
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (!code || !RETRYABLE.has(code)) throw error;
        if (attempt >= this.maxAttempts) throw new ConcurrencyConflictError(attempt, error);
      }
    }
  }

  async executeOne<R>(command: LedgerCommand<R>): Promise<CommandResult<R>> {
    const [result] = await this.execute([command]);
    return result;
  }

  /**
   * One transaction with the members locked and the causations read. The states it loads are
   * handed over by the cache and folded into in place; after a commit they go back at their new
   * heads, after a failure only those left untouched do.
   */
  private async attemptUnderLocks<R>(commands: LedgerCommand<R>[]): Promise<CountedResults<R>> {
    const [client, release] = await this.connect();
    const held: Held<R> = {};
    const query = preparedQueryOf(client);
    let open = false;
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      open = true;
      const memberIds = membersOf(commands);
      const heads = await lockHeads(query, memberIds);
      held.loaded = await this.states.load(query, memberIds, heads);
      await loadOrders(query, [...ordersOf(commands), ...newOrdersOf(commands)], held.loaded);
      held.generation = heads.generation ?? (await this.states.knowGeneration(query));
      held.decided = this.decide(commands, held.loaded, await findCausations(query, commands));
      const totals = await writeBatch(query, held.decided, held.generation);
      open = false;
      await client.query('COMMIT');
      return { results: this.committed(held as Required<Held<R>>), totals };
    } catch (error) {
      // A connection whose rollback or commit failed is closed rather than handed to the next attempt.
      if (open)
        broken = await client.query('ROLLBACK').then(
          () => undefined,
          (rollbackError: Error) => rollbackError,
        );
      else broken = error as Error;
      this.failed(held);
      throw error;
    } finally {
      release(broken);
    }
  }

  /**
   * One statement, no transaction around it: states from the cache as they are (members missing
   * from it are read without locks), no causations and no new orders read. The statement itself
   * refuses to write when any of that turns out stale (a new order inserted, not upserted, that
   * exists after all is a unique violation; a skip or a refusal that is not final whose causation
   * has an answer after all fails its check), and `execute` then decides again under locks.
   */
  private async attemptWithoutLocks<R>(commands: LedgerCommand<R>[]): Promise<CountedResults<R>> {
    const [client, release] = await this.connect();
    const held: Held<R> = { loaded: new Map(), generation: this.states.generation };
    try {
      const query = preparedQueryOf(client);
      const missing: string[] = [];
      for (const memberId of membersOf(commands)) {
        const cached = this.states.cache.takeUnverified(memberId);
        if (cached) held.loaded?.set(memberId, cached);
        else missing.push(memberId);
      }
      if (missing.length > 0) {
        const current = await this.states.loadCurrent(query, missing, ordersOf(commands));
        for (const [memberId, entry] of current.loaded) held.loaded?.set(memberId, entry);
        held.generation = this.states.generation;
        attachOrders(current.orders, held.loaded as Map<string, LoadedMember>);
      } else await loadOrders(query, ordersOf(commands), held.loaded as Map<string, LoadedMember>);
      held.decided = this.decide(commands, held.loaded as Map<string, LoadedMember>, new Map());
      const totals = await writeBatch(query, held.decided, held.generation);
      return { results: this.committed(held as Required<Held<R>>), totals };
    } catch (error) {
      this.failed(held);
      throw error;
    } finally {
      release();
    }
  }

  private async connect(): Promise<Lease> {
    if (this.options.pool) {
      return leaseFrom(this.options.pool);
    }
    return (this.dataSource.driver as PostgresDriver).obtainMasterConnection() as Promise<Lease>;
  }

  private committed<R>(held: Required<Held<R>>): CommandResult<R>[] {
    this.states.putBack(held.decided.members, held.generation);
    return held.decided.results;
  }

  /** States an attempt folded into are not put back: they may hold what was never committed. */
  private failed<R>(held: Held<R>): void {
    if (!held.loaded) return;
    const touched = held.decided?.touched ?? new Set(held.loaded.keys());
    this.states.putBack(
      [...held.loaded].filter(([id]) => !touched.has(id)),
      held.generation,
    );
  }

  private decide<R>(commands: LedgerCommand<R>[], loaded: Map<string, LoadedMember>, seen: Map<string, SeenCausation>): Decided<R> {
    return decideBatch(commands, loaded, seen, { recordedAt: this.options.clock().toISOString(), newEventId: this.options.newEventId });
  }
}

/** What an attempt has in hand, for putting states back whether it commits or fails. */
interface Held<R> {
  loaded?: Map<string, LoadedMember>;
  generation?: string;
  decided?: Decided<R>;
}

const membersOf = <R>(commands: LedgerCommand<R>[]): string[] => [...new Set(commands.flatMap((c) => c.memberIds))].sort();

const ordersOf = <R>(commands: LedgerCommand<R>[]): OrderKey[] => commands.flatMap((c) => c.orders ?? []);

const newOrdersOf = <R>(commands: LedgerCommand<R>[]): OrderKey[] => commands.flatMap((c) => c.newOrders ?? []);

/**
 * Puts these orders into the states they are decided on, and nothing else: a state never
 * carries an order it was not given for this decision, so none can go stale.
 */
const loadOrders = async (query: Query, orders: OrderKey[], loaded: Map<string, LoadedMember>): Promise<void> =>
  attachOrders(await readStoredOrders(query, orders), loaded);
