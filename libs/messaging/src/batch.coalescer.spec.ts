import { BatchCoalescer } from './batch.coalescer';

type Batch = string[];

const deferred = () => {
  let release!: () => void;
  let fail!: (error: Error) => void;
  const promise = new Promise<void>((resolve, reject) => {
    release = resolve;
    fail = reject;
  });
  return { promise, release, fail };
};

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('BatchCoalescer', () => {
  it('hands batches submitted in the same tick to one call, in submission order', async () => {
    const calls: Batch[][] = [];
    const coalescer = new BatchCoalescer<Batch>(
      async (batches) => void calls.push(batches),
      (b) => b.length,
      { maxMessages: 100, maxConcurrent: 2 },
    );
    await Promise.all([coalescer.submit(['p0-a', 'p0-b']), coalescer.submit(['p1-a']), coalescer.submit(['p2-a'])]);
    expect(calls).toEqual([[['p0-a', 'p0-b'], ['p1-a'], ['p2-a']]]);
  });

  it('keeps batches that arrive while every slot is busy, and sends them together when one frees', async () => {
    const calls: Batch[][] = [];
    const gates = [deferred(), deferred(), deferred()];
    const coalescer = new BatchCoalescer<Batch>(
      async (batches) => {
        const gate = gates[calls.length];
        calls.push(batches);
        await gate.promise;
      },
      (b) => b.length,
      { maxMessages: 100, maxConcurrent: 1 },
    );
    const first = coalescer.submit(['a']);
    await tick();
    const later = [coalescer.submit(['b']), coalescer.submit(['c'])];
    await tick();
    expect(calls).toEqual([[['a']]]);
    gates[0].release();
    await first;
    await tick();
    expect(calls).toEqual([[['a']], [['b'], ['c']]]);
    gates[1].release();
    await Promise.all(later);
  });

  it('never puts more than maxMessages in one call, unless a single batch is that big', async () => {
    const sizes: number[] = [];
    const coalescer = new BatchCoalescer<Batch>(
      async (batches) => void sizes.push(batches.flat().length),
      (b) => b.length,
      { maxMessages: 3, maxConcurrent: 1 },
    );
    await Promise.all([coalescer.submit(['1', '2']), coalescer.submit(['3', '4']), coalescer.submit(['5', '6', '7', '8']), coalescer.submit(['9'])]);
    expect(sizes).toEqual([2, 2, 4, 1]);
  });

  it('fails every batch of a failed call and goes on with the next ones', async () => {
    let calls = 0;
    const coalescer = new BatchCoalescer<Batch>(
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('database down');
      },
      (b) => b.length,
      { maxMessages: 100, maxConcurrent: 1 },
    );
    const results = await Promise.allSettled([coalescer.submit(['a']), coalescer.submit(['b'])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await expect(coalescer.submit(['c'])).resolves.toBeUndefined();
    expect(calls).toBe(2);
  });
});
