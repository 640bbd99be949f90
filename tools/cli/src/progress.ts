import { SingleBar } from 'cli-progress';

/** A progress line on stderr for people watching a terminal; silent for scripts (`--json`, a pipe). */
export interface Progress {
  /** `total`: when the work's size becomes known after it started (a job counts its members first). */
  tick(done: number, total?: number | null): void;
  stop(): void;
}

const SILENT: Progress = { tick: () => undefined, stop: () => undefined };

/**
 * Counts without a known total (a stream) show the count and rate; with a total, a bar and ETA.
 * Given no total, the bar waits for the first tick that names one, and counts only if none does.
 */
export const progressBar = (label: string, enabled: boolean, total?: number): Progress => {
  if (!enabled || !process.stderr.isTTY) return SILENT;
  let bar: SingleBar | undefined;
  let started = Date.now();
  const start = (of: number | undefined, done: number) => {
    const format = of ? `${label} [{bar}] {percentage}% | {value}/{total} | {rate}/s | ETA {eta}s` : `${label} {value} | {rate}/s | {duration}s`;
    bar = new SingleBar({ format, stream: process.stderr, hideCursor: true, etaBuffer: 50, fps: 5 });
    started = Date.now();
    bar.start(of ?? 0, done, { rate: 0 });
  };
  if (total !== undefined) start(total, 0);
  return {
    tick: (done, of) => {
      if (!bar) {
        if (!of && done === 0) return;
        start(of ?? undefined, done);
      } else if (of && bar.getTotal() !== of) bar.setTotal(of);
      bar?.update(done, { rate: Math.round(done / Math.max(0.001, (Date.now() - started) / 1000)) });
    },
    stop: () => bar?.stop(),
  };
};
