import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks a second in /proc (USER_HZ, 100 on Linux). */
export const TICKS_PER_SECOND = 100;

/** CPU time a process has used so far, in ticks (user and system); 0 once it is gone. */
export const ticksOf = (pid: number | string): number => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
};

/** Ticks of every process with this command name (`postgres`, `java`), per process. */
export const ticksByName = (name: string): Map<string, number> =>
  new Map(
    readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .flatMap((pid): [string, number][] => {
        try {
          return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === name ? [[pid, ticksOf(pid)]] : [];
        } catch {
          return [];
        }
      }),
  );

/**
 * What the processes alive at the second sample used since the first: backends come and go, and
 * one gone by then must not count as negative (one that ended meanwhile is not counted at all).
 */
export const ticksSince = (a: Map<string, number>, b: Map<string, number>): number => [...b].reduce((sum, [pid, ticks]) => sum + ticks - (a.get(pid) ?? 0), 0);

/** The whole machine's busy and total ticks (/proc/stat), to tell how much of it a run left idle. */
export const machineTicks = (): { busy: number; total: number } => {
  const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const n = values.map(Number);
  const total = n.slice(0, 8).reduce((x, y) => x + y, 0);
  return { busy: total - n[3] - n[4], total };
};

/** Cores kept busy on average by `ticks` of CPU over `seconds` (2.0 = two whole cores). */
export const coresOver = (ticks: number, seconds: number): number => Number((ticks / TICKS_PER_SECOND / seconds).toFixed(2));

export const machineBusyPercent = (a: { busy: number; total: number }, b: { busy: number; total: number }): number =>
  Math.round((100 * (b.busy - a.busy)) / (b.total - a.total));
