import fc from 'fast-check';
import { isStorableText, storableJson, storableText } from './storable-text';

describe('text PostgreSQL can store', () => {
  it.each([
    ['NUL', 'a\u0000b', 'a\\u0000b'],
    ['a lone high surrogate', 'a\ud800b', 'a\\ud800b'],
    ['a lone low surrogate at the end', 'ab\udfff', 'ab\\udfff'],
    ['a high surrogate before a NUL', '\ud83d\u0000', '\\ud83d\\u0000'],
  ])('writes %s out as its escape', (_what, text, stored) => {
    expect(isStorableText(text)).toBe(false);
    expect(storableText(text)).toBe(stored);
    expect(isStorableText(storableText(text))).toBe(true);
  });

  it('leaves other text alone, well-formed surrogate pairs and control characters included', () => {
    for (const text of ['', 'm-1', 'tea-\u{1F375}', 'tab\tand\u0001', 'already \\u0000 escaped', '\uFFFD']) {
      expect(isStorableText(text)).toBe(true);
      expect(storableText(text)).toBe(text);
    }
  });

  it('makes JSON whose strings and keys are those storableText makes (property)', () => {
    // Halves of one pair (\ud83d\ude00) side by side are a well-formed pair; apart, lone ones.
    const piece = fc.oneof(fc.constantFrom('\u0000', '\ud800', '\udfff', '\ud83d', '\ude00', '\\', 'u', '0', 'd'), fc.string({ unit: 'binary', maxLength: 2 }));
    const text = fc.array(piece, { maxLength: 8 }).map((pieces) => pieces.join(''));
    const value = fc.tuple(fc.jsonValue({ maxDepth: 3 }), text, text);
    fc.assert(
      fc.property(value, ([v, key, text]) => {
        const input = { [key]: text, v, backslashes: '\\u0000\\\\ud800' };
        const expected = {
          [storableText(key)]: storableText(text),
          v: JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'string' ? storableText(x) : x))),
          backslashes: '\\u0000\\\\ud800',
        };
        const json = storableJson(input);
        expect(json).not.toMatch(/(^|[^\\])(\\\\)*\\u(0000|d[89a-f])/i);
        expect(JSON.parse(json)).toEqual(expected);
      }),
      { seed: 21, numRuns: 300 },
    );
  });
});
