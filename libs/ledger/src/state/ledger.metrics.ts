import { Counter, Gauge, Registry } from 'prom-client';
import { MemberStateCache } from './member-state.cache';

/** Where the ledger's metrics go: the service's registry (`Metrics.registry`). */
interface MetricRegistry {
  registry: Registry;
}

/** Seconds buckets of one append call: a single command takes about a millisecond, a consumed batch up to seconds. */
export const APPEND_SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The member-state cache's lookups by result, read from its counters when Prometheus scrapes:
 * `hit / (hit + miss)` is the share of appends decided without reading the member from the database.
 */
export const registerStateCacheMetrics = (metrics: MetricRegistry, cache: MemberStateCache): void => {
  const registers = [metrics.registry];
  new Counter({
    name: 'tally_state_cache_lookups_total',
    help: 'Member-state cache lookups by result (hit: decided from memory; miss: read from the database)',
    labelNames: ['result'],
    registers,
    collect() {
      this.reset();
      this.inc({ result: 'hit' }, cache.hits);
      this.inc({ result: 'miss' }, cache.misses);
    },
  });
  new Gauge({
    name: 'tally_state_cache_entries',
    help: 'Member states held by the cache',
    registers,
    collect() {
      this.set(cache.size);
    },
  });
};
