import { eventually } from './eventually';

describe('eventually', () => {
  it('keeps polling a probe that throws until it answers', async () => {
    let calls = 0;
    const value = await eventually(
      async () => {
        calls += 1;
        if (calls < 3) throw new Error('This server is not the leader for that topic-partition');
        return 'ready';
      },
      5_000,
      'ready',
      1,
    );
    expect(value).toBe('ready');
    expect(calls).toBe(3);
  });

  it('names what was awaited and the last error when time runs out', async () => {
    await expect(
      eventually(
        async () => {
          throw new Error('still not the leader');
        },
        20,
        'caught up',
        1,
      ),
    ).rejects.toThrow('caught up not reached in 20 ms (last error: still not the leader)');
  });
});
