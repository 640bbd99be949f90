import { initialMemberState } from '@tally/member-ledger';
import { LoadedMember, MemberStateCache, StateCacheEncoding } from './member-state.cache';

const HASH = '01'.repeat(32);
const entry = (memberId: string, version = 1): LoadedMember => ({ state: { ...initialMemberState(memberId), version }, lastHash: HASH, snapshotVersion: 0 });

describe.each<StateCacheEncoding>(['compact', 'objects'])('member state cache (%s)', (encoding) => {
  it('hands a state over once, and only for the very head it is at', () => {
    const cache = new MemberStateCache(10, encoding);
    cache.remember('m-1', entry('m-1', 3));
    expect(cache.take('m-1', 2, HASH)).toBeUndefined();
    cache.remember('m-1', entry('m-1', 3));
    expect(cache.take('m-1', 3, '02'.repeat(32))).toBeUndefined();
    cache.remember('m-1', entry('m-1', 3));
    expect(cache.take('m-1', 3, HASH)?.state.version).toBe(3);
    expect(cache.take('m-1', 3, HASH)).toBeUndefined();
  });

  it('never answers a read of the head with an entry at an old one: another process moved the member on, so it is a miss, and gone', () => {
    const cache = new MemberStateCache(10, encoding);
    cache.remember('m-1', entry('m-1', 3));
    expect(cache.take('m-1', 4, '02'.repeat(32))).toBeUndefined();
    expect(cache.take('m-1', 3, HASH)).toBeUndefined();
  });

  it('hands a saved fold over unverified only to a caller that checks the head where it writes, whatever head it is at', () => {
    const cache = new MemberStateCache(10, encoding);
    cache.remember('m-1', entry('m-1', 3));
    expect(cache.takeUnverified('m-1')?.state.version).toBe(3);
    expect(cache.takeUnverified('m-1')).toBeUndefined();
  });

  it('keeps at most its capacity, the most recently remembered first', () => {
    const cache = new MemberStateCache(100, encoding);
    for (let i = 0; i < 1000; i++) cache.remember(`m-${i}`, entry(`m-${i}`));
    expect(cache.size).toBeLessThanOrEqual(100);
    expect(cache.take('m-999', 1, HASH)).toBeDefined();
    expect(cache.take('m-0', 1, HASH)).toBeUndefined();
  });

  it('gives back an entry equal to the one remembered: state, head hash and snapshot version', () => {
    const cache = new MemberStateCache(10, encoding);
    const state = { ...initialMemberState('m-1'), version: 7, tier: 'gold', debt: 3 };
    state.lots.set('lot-1', { lotId: 'lot-1', points: 120, remaining: 80, held: 20, expiresAt: '2027-11-20T02:15:00.000Z', pending: false, order: 2 });
    state.qualifying.set('2026-11-20', 120);
    state.daily.set('2026-11-20', { earned: 120, activities: {} });
    const remembered: LoadedMember = { state, lastHash: HASH, snapshotVersion: 4 };
    cache.remember('m-1', remembered);
    expect(cache.take('m-1', 7, HASH)).toEqual(remembered);
  });
});
