import { randomId } from './random-id';

describe('randomId', () => {
  it('mints 22 url-safe characters, never the same twice across pool refills', () => {
    const ids = Array.from({ length: 10_000 }, randomId);
    expect(ids.every((id) => /^[A-Za-z0-9_-]{22}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
