import { randomUuid } from './random-uuid';

const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('randomUuid', () => {
  it('mints version 4 UUIDs in lower case, never the same twice across pool refills', () => {
    const ids = Array.from({ length: 10_000 }, randomUuid);
    expect(ids.filter((id) => !V4.test(id))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('spreads its bits: every hex digit turns up in every random position', () => {
    const ids = Array.from({ length: 2_000 }, randomUuid);
    const fixed = new Set([8, 13, 14, 18, 19, 23]);
    for (let at = 0; at < 36; at++) {
      if (fixed.has(at)) continue;
      expect(new Set(ids.map((id) => id[at])).size).toBe(16);
    }
    // The variant digit takes 8, 9, a or b.
    expect(new Set(ids.map((id) => id[19]))).toEqual(new Set(['8', '9', 'a', 'b']));
  });
});
