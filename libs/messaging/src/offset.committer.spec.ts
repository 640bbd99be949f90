import { OffsetCommitter, PartitionOffset } from './offset.committer';

const at = (partition: number, offset: number): PartitionOffset => ({ topic: 't', partition, offset: String(offset) });

describe('OffsetCommitter', () => {
  it('commits at once, and merges what arrives meanwhile into one later commit with the latest offset per partition', async () => {
    const commits: PartitionOffset[][] = [];
    let release!: () => void;
    const firstDone = new Promise<void>((resolve) => (release = resolve));
    const committer = new OffsetCommitter(
      async (offsets) => {
        commits.push(offsets);
        if (commits.length === 1) await firstDone;
      },
      () => undefined,
    );
    committer.add([at(0, 10)]);
    committer.add([at(0, 12), at(1, 5)]);
    committer.add([at(0, 15)]);
    expect(commits).toEqual([[at(0, 10)]]);
    release();
    await committer.flushed();
    expect(commits).toEqual([[at(0, 10)], [at(0, 15), at(1, 5)]]);
  });

  it('reports a failed commit and goes on with the next one', async () => {
    const failures: unknown[] = [];
    const commits: PartitionOffset[][] = [];
    const committer = new OffsetCommitter(
      async (offsets) => {
        commits.push(offsets);
        if (commits.length === 1) throw new Error('coordinator moved');
      },
      (error) => failures.push(error),
    );
    committer.add([at(0, 1)]);
    await committer.flushed();
    committer.add([at(0, 2)]);
    await committer.flushed();
    expect(failures).toHaveLength(1);
    expect(commits).toEqual([[at(0, 1)], [at(0, 2)]]);
  });
});
