export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `probe` until it returns something other than `undefined`, and returns that; fails naming
 * `what` after `ms`. For effects that cross a broker or a clock, where there is nothing to await.
 */
export const eventually = async <T>(probe: () => Promise<T | undefined>, ms = 60_000, what = 'condition', everyMs = 200): Promise<T> => {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`${what} not reached in ${ms} ms`);
    await sleep(everyMs);
  }
};
