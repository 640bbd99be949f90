import { MemberState } from '@tally/member-ledger';

/** Members whose folded states a process keeps by default (TALLY_STATE_CACHE_SIZE). */
export const DEFAULT_STATE_CACHE_SIZE = 50_000;

/** A member's state as folded up to its head, with the head's hash and the newest snapshot's version. */
export interface LoadedMember {
  state: MemberState;
  lastHash: Buffer;
  snapshotVersion: number;
}

/**
 * The states this process folded most recently, least recently used first out. An entry is only
 * ever used for the exact head (version and hash) it was folded to, so a stale entry is a miss,
 * never a wrong answer: other processes appending to the same members cost a reload, nothing more.
 * Entries are handed over, not shared: a state taken out is never seen by anyone else until it is
 * put back, so an append folds into it without copying, and a failed one simply does not return it.
 */
export class MemberStateCache {
  private readonly entries = new Map<string, LoadedMember>();

  constructor(private readonly capacity: number) {}

  /**
   * The cached state when it is at exactly this head, handed over: it leaves the cache, and the
   * caller may fold into it in place. What it puts back after committing is cached again.
   */
  take(memberId: string, version: number, lastHash: Buffer): LoadedMember | undefined {
    const entry = this.entries.get(memberId);
    if (!entry) return undefined;
    this.entries.delete(memberId);
    return entry.state.version === version && entry.lastHash.equals(lastHash) ? entry : undefined;
  }

  remember(memberId: string, entry: LoadedMember): void {
    if (this.capacity <= 0) return;
    this.entries.delete(memberId);
    this.entries.set(memberId, entry);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
