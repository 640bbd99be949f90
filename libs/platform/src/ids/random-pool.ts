import { randomFillSync } from 'node:crypto';

/**
 * Random bytes drawn from a buffer refilled 64 KiB at a time: one system call per few thousand
 * ids instead of one per id, which the earn service would otherwise pay for every purchase.
 */
export class RandomPool {
  private pool = Buffer.alloc(0);
  private offset = 0;

  /** The buffer `take` returns offsets into. */
  get bytes(): Buffer {
    return this.pool;
  }

  /** Where `count` fresh random bytes start in `bytes` (read them before the next take). */
  take(count: number): number {
    if (this.offset + count > this.pool.length) {
      this.pool = randomFillSync(Buffer.allocUnsafe(64 * 1024));
      this.offset = 0;
    }
    const at = this.offset;
    this.offset += count;
    return at;
  }
}
