import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import fc from 'fast-check';
import { SAMPLE_INPUTS } from '../testing/sample-inputs';
import { INPUT_SCHEMAS } from './input-schemas';
import { compileAcceptor } from './schema.compiler';

const valid: Record<string, Record<string, unknown>> = Object.fromEntries(Object.values(SAMPLE_INPUTS).map((input) => [input.type, input]));
const schemas = Object.values(INPUT_SCHEMAS).flatMap((byType) => Object.entries(byType));

/** What parseInput did before the acceptor: the reference the acceptor must agree with. */
const reference = (cls: new () => object, plain: unknown): string | undefined => {
  const instance = plainToInstance(cls, plain);
  return validateSync(instance as object, { whitelist: true, forbidUnknownValues: true }).length === 0 ? JSON.stringify(instance) : undefined;
};

const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    true,
    '',
    ' ',
    'CNY',
    'cny',
    'store',
    'fax',
    'm 1',
    'x'.repeat(65),
    '2026-11-23T10:15:00',
    '2026-11-23T10:15:00.123+08:00',
    'purchase.completed',
  ),
  fc.string({ maxLength: 8 }),
  fc.constantFrom(0, -1, 1, 10.5, 1e12, 100_000_000_000, Number.MAX_SAFE_INTEGER, 500),
  fc.integer(),
  fc.constant([]),
  fc.constant({}),
  fc.constant([{ sku: 'a', quantity: 1, amountMinor: 0 }]),
  fc.constant([
    { sku: 'a', quantity: 1, amountMinor: 0, extra: 1 },
    { sku: 'b', category: null, quantity: 2, amountMinor: 5 },
  ]),
  fc.constant([{ quantity: 1, amountMinor: 1 }]),
  fc.constant([1, 2]),
  fc.constant([[{ sku: 'a', quantity: 1, amountMinor: 0 }]]),
  fc.constant({ sku: 'a', quantity: 1, amountMinor: 0 }),
  // Text PostgreSQL cannot store: the acceptor judges it as class-validator does (parseInput refuses it after).
  fc.constantFrom('tea\u0000', '\ud800', 'a\udc00b', '\u{1F375}', 'm-1\u0000'),
  fc.constant([
    { sku: 'tea\u0000', quantity: 1, amountMinor: 0 },
    { sku: 'b', category: '\ud800', quantity: 2, amountMinor: 5 },
  ]),
  // Nested, as deep as class-transformer (the reference) survives.
  fc.integer({ min: 1, max: 40 }).map((depth) => JSON.parse(`${'['.repeat(depth)}{}${']'.repeat(depth)}`) as unknown),
  fc.integer({ min: 1, max: 40 }).map((depth) => [JSON.parse(`${'{"sku":'.repeat(depth)}"a"${'}'.repeat(depth)}`) as unknown]),
);

const mutated = fc.constantFrom(...schemas).chain(([type, cls]) =>
  fc
    .array(
      fc.tuple(
        fc.constantFrom(...Object.keys(valid[type]), 'lines', 'extra', '__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty'),
        fc.option(anyValue, { nil: undefined }),
      ),
      { maxLength: 4 },
    )
    .map((changes) => {
      const plain: Record<string, unknown> = JSON.parse(JSON.stringify(valid[type]));
      for (const [key, value] of changes) {
        if (value === undefined) delete plain[key];
        else Object.defineProperty(plain, key, { value, enumerable: true, writable: true, configurable: true });
      }
      return { cls, plain: JSON.parse(JSON.stringify(plain)) as unknown };
    }),
);

describe('the compiled acceptor', () => {
  it('compiles every input schema', () => {
    for (const [, cls] of schemas) expect(compileAcceptor(cls)).toBeDefined();
  });

  it('accepts exactly what class-validator accepts, and leaves the same object (keys, order, nested lines)', () => {
    const acceptors = new Map(schemas.map(([, cls]) => [cls, compileAcceptor(cls)]));
    const seen = { accepted: 0, refused: 0 };
    fc.assert(
      fc.property(mutated, ({ cls, plain }) => {
        const accepted = acceptors.get(cls)?.(plain);
        seen[accepted ? 'accepted' : 'refused'] += 1;
        expect(accepted === undefined ? undefined : JSON.stringify(accepted)).toEqual(reference(cls, plain));
      }),
      { numRuns: 5000 },
    );
    // Both sides of the line were walked, not just one.
    expect(Math.min(seen.accepted, seen.refused)).toBeGreaterThan(500);
  });

  it('accepts the valid examples and strips undeclared fields at both levels', () => {
    const purchase = compileAcceptor(INPUT_SCHEMAS['loyalty.purchases.v1']['purchase.completed']);
    const lines = [{ sku: 'x', quantity: 1, amountMinor: 1, hack: true }];
    expect(purchase?.({ ...valid['purchase.completed'], lines, hack: 1 })).toEqual({
      ...valid['purchase.completed'],
      lines: [{ sku: 'x', quantity: 1, amountMinor: 1 }],
    });
    expect(purchase?.({ ...valid['purchase.completed'], amountMinor: -1 })).toBeUndefined();
    expect(purchase?.({ ...valid['purchase.completed'], lines: [{ sku: 'x', quantity: 0, amountMinor: 1 }] })).toBeUndefined();
  });

  it('gives up on classes it was not built for, so class-validator decides', () => {
    class Untyped {}
    expect(compileAcceptor(Untyped)).toBeUndefined();
  });
});
