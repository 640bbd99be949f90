import { forEachMemberPage } from './member-pages';

describe('forEachMemberPage', () => {
  const members = ['m-1', 'm-2', 'm-3', 'm-4', 'm-5'];
  const pageOf = (asked: string[]) => async (after: string, limit: number) => {
    asked.push(after);
    return members.filter((m) => m > after).slice(0, limit);
  };

  it('visits every member once, in pages that start after the last id of the one before', async () => {
    const asked: string[] = [];
    const seen: string[][] = [];
    await forEachMemberPage(pageOf(asked), 2, async (ids) => void seen.push(ids));
    expect(seen).toEqual([['m-1', 'm-2'], ['m-3', 'm-4'], ['m-5']]);
    expect(asked).toEqual(['', 'm-2', 'm-4']);
  });

  it('stops after a full last page on the empty one that follows, and visits nothing when there is nothing', async () => {
    const asked: string[] = [];
    const seen: string[][] = [];
    await forEachMemberPage(pageOf(asked), 5, async (ids) => void seen.push(ids));
    expect(seen).toEqual([members]);
    expect(asked).toEqual(['', 'm-5']);
    await forEachMemberPage(
      async () => [],
      5,
      async () => fail('visited an empty page'),
    );
  });
});
