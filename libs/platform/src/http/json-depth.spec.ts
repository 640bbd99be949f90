import fc from 'fast-check';
import { jsonNestingExceeds } from './json-depth';

/** Nesting depth the obvious, recursive way: fine for the small values generated here. */
const depthOf = (value: unknown): number => {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(depthOf));
  if (value !== null && typeof value === 'object') return 1 + Math.max(0, ...Object.values(value).map(depthOf));
  return 0;
};

// Strings full of brackets, quotes and backslashes: the scanner must not count what is inside them.
const trickyJson = fc.jsonValue({ maxDepth: 8, stringUnit: fc.constantFrom('[', ']', '{', '}', '"', '\\', 'a', ':', ',') });

describe('jsonNestingExceeds', () => {
  it('agrees with the nesting depth of any JSON value', () => {
    fc.assert(
      fc.property(trickyJson, fc.integer({ min: 0, max: 10 }), (value, maxDepth) => {
        expect(jsonNestingExceeds(JSON.stringify(value), maxDepth)).toBe(depthOf(value) > maxDepth);
      }),
      { seed: 21, numRuns: 500 },
    );
  });

  it('answers for a text nested far deeper than any stack, without recursing', () => {
    const deep = '['.repeat(1_000_000) + ']'.repeat(1_000_000);
    expect(jsonNestingExceeds(deep, 32)).toBe(true);
    expect(jsonNestingExceeds('{"a":'.repeat(33) + '1' + '}'.repeat(33), 32)).toBe(true);
    expect(jsonNestingExceeds('{"a":'.repeat(32) + '1' + '}'.repeat(32), 32)).toBe(false);
  });

  it('judges broken JSON by its brackets alone, leaving the rest to the parser', () => {
    expect(jsonNestingExceeds('[[[', 2)).toBe(true);
    expect(jsonNestingExceeds('"[[[', 2)).toBe(false);
    expect(jsonNestingExceeds(']]]]', 0)).toBe(false);
  });
});
