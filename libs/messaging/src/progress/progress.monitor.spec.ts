import { Admin } from 'kafkajs';
import { readGroupOffsets } from './progress.monitor';

describe('reading a group offsets', () => {
  it('fails only once every request settled, so none is still connecting when the client is dropped', async () => {
    let commitsSettled = false;
    const admin = {
      fetchTopicOffsets: async () => {
        throw new Error('coordinator not available');
      },
      fetchOffsets: () =>
        new Promise((resolve) =>
          setTimeout(() => {
            commitsSettled = true;
            resolve([]);
          }, 50),
        ),
    } as unknown as Admin;
    await expect(readGroupOffsets(admin, 'g', ['t'])).rejects.toThrow('coordinator not available');
    expect(commitsSettled).toBe(true);
  });

  it('pairs each partition end with the group commit on it', async () => {
    const admin = {
      fetchTopicOffsets: async () => [
        { partition: 0, low: '0', high: '7', offset: '7' },
        { partition: 1, low: '0', high: '3', offset: '3' },
      ],
      fetchOffsets: async () => [{ topic: 't', partitions: [{ partition: 0, offset: '5' }] }],
    } as unknown as Admin;
    expect(await readGroupOffsets(admin, 'g', ['t'])).toEqual([
      { topic: 't', partition: 0, committed: 5n, low: 0n, high: 7n },
      { topic: 't', partition: 1, committed: null, low: 0n, high: 3n },
    ]);
  });
});
