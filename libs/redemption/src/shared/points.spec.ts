import { splitPortions } from './points';

describe('splitPortions', () => {
  const portions = [
    { lotId: 'a', points: 5, expiresAt: '2026-01-01T00:00:00Z' },
    { lotId: 'b', points: 3, expiresAt: '2026-02-01T00:00:00Z' },
  ];

  it.each([
    [0, [], portions],
    [2, [{ ...portions[0], points: 2 }], [{ ...portions[0], points: 3 }, portions[1]]],
    [5, [portions[0]], [portions[1]]],
    [6, [portions[0], { ...portions[1], points: 1 }], [{ ...portions[1], points: 2 }]],
    [8, portions, []],
  ])('takes the first %p points in order, splitting a straddled portion', (points, first, rest) => {
    expect(splitPortions(portions, points)).toEqual({ first, rest });
  });
});
