import { readFileSync } from 'node:fs';

/** A process's resident memory now and at its peak so far (Linux /proc), in MiB. */
export interface ResidentMemory {
  residentMiB: number;
  peakResidentMiB: number;
}

const kibOf = (status: string, field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);

/** Undefined once the process is gone. The peak is the kernel's high-water mark over the process's whole life. */
export const residentOf = (pid: number | 'self' | undefined): ResidentMemory | undefined => {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return { residentMiB: Math.round(kibOf(status, 'VmRSS') / 1024), peakResidentMiB: Math.round(kibOf(status, 'VmHWM') / 1024) };
  } catch {
    return undefined;
  }
};
