import { CompactReader, CompactWriter, MemberState, readMemberState, writeMemberState } from '@tally/member-ledger';
import type { HashHex } from '../hashing/event-hash';

/** Members whose folded states a process keeps by default (TALLY_STATE_CACHE_SIZE). */
export const DEFAULT_STATE_CACHE_SIZE = 50_000;

/**
 * How cached states are kept (TALLY_STATE_CACHE_ENCODING): `compact`, one text each, decoded when
 * taken (a seventh of the heap, more CPU per take); `objects`, the folded objects themselves.
 */
export type StateCacheEncoding = 'compact' | 'objects';

/** A member's state as folded up to its head, with the head's hash and the newest snapshot's version. */
export interface LoadedMember {
  state: MemberState;
  lastHash: HashHex;
  snapshotVersion: number;
}

/**
 * The states this process folded most recently, the least recently used going first. An entry is only
 * ever used for the exact head (version and hash) it was folded to, so a stale entry is a miss,
 * never a wrong answer: other processes appending to the same members cost a reload, nothing more.
 * Entries are handed over, not shared: a state taken out is never seen by anyone else until it is
 * put back, so an append folds into it without copying, and a failed one simply does not return it.
 * In `compact` encoding an entry is one text (see `writeMemberState`), decoded when taken: a folded
 * state is dozens of objects the collector traces and copies, its text one string with no pointer.
 */
export class MemberStateCache {
  /**
   * Two generations instead of one map in recency order: a state goes into `recent`; once that
   * holds half the capacity it becomes `older` and the previous older generation is dropped
   * whole. A Map kept in recency order by delete-and-set, evicting its first key, slows to tens
   * of microseconds per call once full: its first key sits behind every slot deleted before it.
   */
  private recent = new Map<string, string | LoadedMember>();
  private older = new Map<string, string | LoadedMember>();
  /** Lookups answered from the cache, and those that had to read the database (absent or stale). */
  hits = 0;
  misses = 0;

  constructor(
    private readonly capacity: number,
    private readonly encoding: StateCacheEncoding = 'objects',
  ) {}

  private counted(entry: LoadedMember | undefined): LoadedMember | undefined {
    if (entry) this.hits += 1;
    else this.misses += 1;
    return entry;
  }

  /**
   * The cached state when it is at exactly this head, handed over: it leaves the cache, and the
   * caller may fold into it in place. What it puts back after committing is cached again.
   */
  take(memberId: string, version: number, lastHash: HashHex): LoadedMember | undefined {
    const entry = this.handOver(memberId);
    if (typeof entry === 'string') return this.counted(decodeEntry(memberId, entry, { version, lastHash }));
    return this.counted(entry?.state.version === version && entry.lastHash === lastHash ? entry : undefined);
  }

  /**
   * The cached state of a member, whatever head it is at, handed over as by `take`: a fold saved,
   * not a read of the head. Only for a caller that checks the head where it records what it
   * decided (LedgerStore's write checks every member it decided on, whether it appends, refuses or
   * skips); a stale entry then fails that write, and the batch is decided again on fresh states.
   */
  takeUnverified(memberId: string): LoadedMember | undefined {
    const entry = this.handOver(memberId);
    return this.counted(typeof entry === 'string' ? decodeEntry(memberId, entry) : entry);
  }

  private handOver(memberId: string): string | LoadedMember | undefined {
    const entry = this.recent.get(memberId) ?? this.older.get(memberId);
    if (entry === undefined) return undefined;
    this.recent.delete(memberId);
    this.older.delete(memberId);
    return entry;
  }

  remember(memberId: string, entry: LoadedMember): void {
    if (this.capacity <= 0) return;
    this.older.delete(memberId);
    this.recent.set(memberId, this.encoding === 'compact' ? encodeEntry(memberId, entry) : entry);
    if (this.recent.size >= Math.max(1, this.capacity / 2)) {
      this.older = this.recent;
      this.recent = new Map();
    }
  }

  clear(): void {
    this.recent.clear();
    this.older.clear();
  }

  get size(): number {
    return this.recent.size + this.older.size;
  }
}

/** One writer for every entry: an entry is written whole before the next one starts. */
const writer = new CompactWriter();

/** An entry's text: the snapshot version, the head's hash, then the state. */
export const encodeEntry = (memberId: string, entry: LoadedMember): string => {
  const w = writer.begin();
  w.number(entry.snapshotVersion);
  w.string(entry.lastHash);
  writeMemberState(w, entry.state, memberId);
  return w.text();
};

/** The entry a text stands for; undefined when it is not at the head given (then it is not even decoded). */
export const decodeEntry = (memberId: string, text: string, head?: { version: number; lastHash: HashHex }): LoadedMember | undefined => {
  const r = new CompactReader(text);
  const snapshotVersion = r.number();
  if (head) {
    if (!r.stringIs(head.lastHash)) return undefined;
    const stateAt = r.at;
    if (r.number() !== head.version) return undefined;
    r.at = stateAt;
    return { state: readMemberState(r, memberId), lastHash: head.lastHash, snapshotVersion };
  }
  const lastHash = r.string();
  return { state: readMemberState(r, memberId), lastHash, snapshotVersion };
};
