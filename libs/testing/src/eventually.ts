export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `probe` until it returns something other than `undefined`, and returns that; fails naming
 * `what` after `ms`. For effects that cross a broker or a clock, where there is nothing to await.
 * A probe that throws counts as "not yet": a broker answers NOT_LEADER for a partition created a
 * moment ago, and a poll must outlast that. The last error is reported if time runs out.
 */
export const eventually = async <T>(probe: () => Promise<T | undefined>, ms = 60_000, what = 'condition', everyMs = 200): Promise<T> => {
  const until = Date.now() + ms;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > until) {
      const cause = lastError ? ` (last error: ${(lastError as Error).message ?? String(lastError)})` : '';
      throw new Error(`${what} not reached in ${ms} ms${cause}`);
    }
    await sleep(everyMs);
  }
};
