import { DynamicModule, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { Metrics, randomUuid } from '@tally/platform';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { LedgerBatcher } from './append/ledger.batcher';
import { LedgerStore } from './append/ledger.store';
import { ledgerAppendPool, ledgerDataSourceOptions, migrateLedger } from './database/data-source';
import { DeadLetterLog } from './read/dead-letter.log';
import { LedgerQueries } from './read/ledger.queries';
import { ParkedInputs } from './read/parked-inputs';
import { InputStatuses } from './read/input-status';
import { StoreFlags } from './abuse/store-flags';
import { DEFAULT_STATE_CACHE_SIZE, MemberStateCache, StateCacheEncoding } from './state/member-state.cache';
import { MemberStates } from './state/member-states';
import { APPEND_SECONDS_BUCKETS, registerStateCacheMetrics } from './state/ledger.metrics';

export interface LedgerModuleOptions {
  databaseUrl: string;
  poolSize?: number;
  /** Apply pending migrations at start (serialised across services by an advisory lock). */
  migrate?: boolean;
  /** Member states kept in memory between appends (0: none). */
  stateCacheSize?: number;
  stateCacheEncoding?: StateCacheEncoding;
}

export const LEDGER_CLOCK = Symbol('LEDGER_CLOCK');

/** The ledger's appends' own connections (`ledgerAppendPool`). */
export const LEDGER_APPEND_POOL = Symbol('LEDGER_APPEND_POOL');

@Injectable()
class DataSourceCloser implements OnApplicationShutdown {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(LEDGER_APPEND_POOL) private readonly appendPool: Pool,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await this.appendPool.end();
  }
}

/** The ledger's PostgreSQL connection and the store, queries and bookkeeping built on it. */
@Module({})
export class LedgerModule {
  static forRoot(options: LedgerModuleOptions): DynamicModule {
    return {
      module: LedgerModule,
      global: true,
      providers: [
        { provide: LEDGER_CLOCK, useValue: () => new Date() },
        {
          provide: DataSource,
          useFactory: async () => {
            if (options.migrate !== false) await migrateLedger(options.databaseUrl);
            return new DataSource(ledgerDataSourceOptions(options.databaseUrl, options.poolSize ?? 10)).initialize();
          },
        },
        // After the data source: it is the one that migrates.
        { provide: LEDGER_APPEND_POOL, inject: [DataSource], useFactory: () => ledgerAppendPool(options.databaseUrl) },
        {
          provide: MemberStates,
          inject: [Metrics],
          useFactory: (metrics: Metrics) => {
            const cache = new MemberStateCache(options.stateCacheSize ?? DEFAULT_STATE_CACHE_SIZE, options.stateCacheEncoding);
            registerStateCacheMetrics(metrics, cache);
            return new MemberStates(cache);
          },
        },
        {
          provide: LedgerStore,
          inject: [DataSource, LEDGER_CLOCK, MemberStates, LEDGER_APPEND_POOL, Metrics],
          useFactory: (dataSource: DataSource, clock: () => Date, states: MemberStates, pool: Pool, metrics: Metrics) => {
            const seconds = metrics.histogram(
              'tally_ledger_append_seconds',
              'One ledger append call (decide and write, retries included), by outcome',
              ['outcome'],
              APPEND_SECONDS_BUCKETS,
            );
            const onExecuted = (s: number, _commands: number, failed: boolean) => seconds.observe({ outcome: failed ? 'failed' : 'ok' }, s);
            return new LedgerStore(dataSource, { clock, newEventId: randomUuid, states, pool, onExecuted });
          },
        },
        { provide: LedgerBatcher, inject: [LedgerStore], useFactory: (store: LedgerStore) => new LedgerBatcher(store) },
        { provide: LedgerQueries, inject: [DataSource, MemberStates], useFactory: (d: DataSource, s: MemberStates) => new LedgerQueries(d, s) },
        { provide: DeadLetterLog, inject: [DataSource], useFactory: (d: DataSource) => new DeadLetterLog(d) },
        { provide: InputStatuses, inject: [DataSource], useFactory: (d: DataSource) => new InputStatuses(d) },
        { provide: ParkedInputs, inject: [DataSource, LEDGER_APPEND_POOL], useFactory: (d: DataSource, pool: Pool) => new ParkedInputs(d, pool) },
        { provide: StoreFlags, inject: [DataSource], useFactory: (d: DataSource) => new StoreFlags(d) },
        DataSourceCloser,
      ],
      exports: [DataSource, LEDGER_CLOCK, MemberStates, LedgerStore, LedgerBatcher, LedgerQueries, DeadLetterLog, ParkedInputs, StoreFlags, InputStatuses],
    };
  }
}
