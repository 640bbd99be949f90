import { SingleBar } from 'cli-progress';

/** A progress line on stderr for people watching a terminal; silent for scripts (`--json`, a pipe). */
export interface Progress {
  tick(done: number): void;
  stop(): void;
}

const SILENT: Progress = { tick: () => undefined, stop: () => undefined };

/** Counts without a known total (a stream) show the count and rate; with a total, a bar and ETA. */
export const progressBar = (label: string, enabled: boolean, total?: number): Progress => {
  if (!enabled || !process.stderr.isTTY) return SILENT;
  const format = total ? `${label} [{bar}] {percentage}% | {value}/{total} | {rate}/s | ETA {eta}s` : `${label} {value} | {rate}/s | {duration}s`;
  const bar = new SingleBar({ format, stream: process.stderr, hideCursor: true, etaBuffer: 50, fps: 5 });
  const started = Date.now();
  bar.start(total ?? 0, 0, { rate: 0 });
  return {
    tick: (done) => bar.update(done, { rate: Math.round(done / Math.max(0.001, (Date.now() - started) / 1000)) }),
    stop: () => bar.stop(),
  };
};
