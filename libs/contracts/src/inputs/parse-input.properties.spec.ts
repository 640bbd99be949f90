import { SAMPLE_MESSAGES } from '../testing/sample-inputs';
import fc from 'fast-check';
import { DEAD_LETTER_REASONS, DeadLetterReason } from '../outbound/dead-letter';
import { isStorableText } from '../text/storable-text';
import { Topics } from '../topics/topics';
import { INPUT_SCHEMAS } from './input-schemas';
import { ParsedInput, parseInput } from './parse-input';

const NOW = new Date('2026-11-23T02:00:00.000Z');
const SEED = 21;

const REASONS = Object.keys(DEAD_LETTER_REASONS) as DeadLetterReason[];
const INPUT_TOPICS = [Topics.purchases.name, Topics.checkIns.name, Topics.referrals.name, Topics.memberEvents.name];
const PROTOTYPE_KEYS = [
  'toString',
  'valueOf',
  'constructor',
  '__proto__',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__lookupGetter__',
];

/** One valid message of each topic and type. */
const VALID = SAMPLE_MESSAGES;

/** Every string of a value (keys too), walked with a stack of its own. */
const everyString = (value: unknown): string[] => {
  const strings: string[] = [];
  const pending = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next === 'string') strings.push(next);
    else if (typeof next === 'object' && next !== null) {
      for (const [key, child] of Object.entries(next)) {
        strings.push(key);
        pending.push(child);
      }
    }
  }
  return strings;
};

/** What parseInput must do with anything: answer (never throw), with a clean event of the topic's types or a reason. */
const answersSafely = (topic: string, bytes: Buffer): ParsedInput => {
  const parsed = parseInput(topic, bytes, NOW);
  if (parsed.ok) {
    expect(Object.hasOwn(INPUT_SCHEMAS[topic], parsed.event.type)).toBe(true);
    expect(everyString(parsed.event).filter((s) => !isStorableText(s))).toEqual([]);
  } else {
    expect(REASONS).toContain(parsed.reason);
    // The guard against an unexpected throw is a last resort: nothing known reaches it.
    expect(parsed.reason).not.toBe('invalid_message');
    expect(everyString([parsed.message, parsed.fieldErrors ?? []]).filter((s) => !isStorableText(s))).toEqual([]);
  }
  return parsed;
};

/** JSON text nesting `inner` `depth` levels deep in arrays or single-key objects (built as text: nothing recurses). */
const deepText = fc
  .record({
    depth: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 40, max: 6000 })),
    objects: fc.boolean(),
    key: fc.constantFrom('a', 'lines', ...PROTOTYPE_KEYS),
  })
  .map(({ depth, objects, key }) =>
    objects ? `${`{${JSON.stringify(key)}:`.repeat(depth)}1${'}'.repeat(depth)}` : `${'['.repeat(depth)}{}${']'.repeat(depth)}`,
  );

/** Strings PostgreSQL refuses, mixed with ordinary characters. */
const unstorableString = fc
  .array(fc.constantFrom('\u0000', '\ud800', '\udbff', '\udc00', '\udfff', 'a', '-', '\u{1F375}', 'é'), { minLength: 1, maxLength: 6 })
  .map((chars) => chars.join(''));

const anyJson = fc.oneof(fc.jsonValue({ maxDepth: 4 }), unstorableString, fc.constantFrom(...PROTOTYPE_KEYS));

type Change =
  | { kind: 'replace'; field: string; value: unknown }
  | { kind: 'deep'; field: string; text: string }
  | { kind: 'unstorable'; field: string; value: string }
  | { kind: 'type'; value: string }
  | { kind: 'line'; field: string; value: unknown };

const fieldName = (message: Record<string, unknown>) => fc.constantFrom(...Object.keys(message), 'extra', ...PROTOTYPE_KEYS);

const change = (message: Record<string, unknown>): fc.Arbitrary<Change> =>
  fc.oneof(
    fc.record({ kind: fc.constant('replace' as const), field: fieldName(message), value: anyJson }),
    fc.record({ kind: fc.constant('deep' as const), field: fieldName(message), text: deepText }),
    fc.record({ kind: fc.constant('unstorable' as const), field: fieldName(message), value: unstorableString }),
    fc.record({ kind: fc.constant('type' as const), value: fc.constantFrom(...PROTOTYPE_KEYS) }),
    fc.record({ kind: fc.constant('line' as const), field: fc.constantFrom('sku', 'category', 'quantity', 'amountMinor', ...PROTOTYPE_KEYS), value: anyJson }),
  );

/** The message's JSON text after the changes; deep values are spliced in as text. */
const applied = (message: Record<string, unknown>, changes: Change[]): string => {
  const copy: Record<string, unknown> = structuredClone(message);
  const spliced = new Map<string, string>();
  const set = (target: Record<string, unknown>, key: string, value: unknown) =>
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  changes.forEach((c, i) => {
    if (c.kind === 'type') set(copy, 'type', c.value);
    else if (c.kind === 'deep') {
      spliced.set(`@@deep-${i}@@`, c.text);
      set(copy, c.field, `@@deep-${i}@@`);
    } else if (c.kind === 'line') {
      const lines = Array.isArray(copy.lines) ? copy.lines : [{ sku: 'a', quantity: 1, amountMinor: 1 }];
      if (typeof lines[0] === 'object' && lines[0] !== null) set(lines[0] as Record<string, unknown>, c.field, c.value);
      copy.lines = lines;
    } else set(copy, c.field, c.value);
  });
  let text = JSON.stringify(copy);
  for (const [marker, deep] of spliced) text = text.replace(JSON.stringify(marker), deep);
  return text;
};

const mutatedValid = fc
  .constantFrom(...VALID)
  .chain(({ topic, message }) =>
    fc.record({ topic: fc.constant(topic), text: fc.array(change(message), { minLength: 0, maxLength: 3 }).map((changes) => applied(message, changes)) }),
  );

describe('parsing any input (property)', () => {
  it('answers arbitrary bytes with a reason, never a throw', () => {
    fc.assert(
      fc.property(fc.constantFrom(...INPUT_TOPICS, ...PROTOTYPE_KEYS), fc.uint8Array({ maxLength: 300 }), (topic, bytes) => {
        answersSafely(topic, Buffer.from(bytes));
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('answers arbitrary JSON, deep nesting included, with a clean event or a reason', () => {
    const types = Object.values(INPUT_SCHEMAS).flatMap((byType) => Object.keys(byType));
    const key = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom(...Object.keys(VALID[0].message), ...PROTOTYPE_KEYS));
    const fieldText = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      deepText,
    );
    // Objects with a type of the contract (or of Object.prototype) and any fields, any of them deep.
    const typed = fc
      .record({ type: fc.constantFrom(...types, ...PROTOTYPE_KEYS), fields: fc.array(fc.tuple(key, fieldText), { maxLength: 6 }) })
      .map(({ type, fields }) => `{${[`"type":${JSON.stringify(type)}`, ...fields.map(([k, v]) => `${JSON.stringify(k)}:${v}`)].join(',')}}`);
    const json = fc.oneof(
      fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.stringify(v)),
      typed,
      deepText,
    );
    fc.assert(
      fc.property(fc.constantFrom(...INPUT_TOPICS), json, (topic, text) => {
        answersSafely(topic, Buffer.from(text));
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('answers valid messages with fields replaced, prototype keys, deep nesting, NUL and lone surrogates injected', () => {
    const seen = { ok: 0, refused: 0 };
    fc.assert(
      fc.property(mutatedValid, ({ topic, text }) => {
        seen[answersSafely(topic, Buffer.from(text)).ok ? 'ok' : 'refused'] += 1;
      }),
      { seed: SEED, numRuns: 1500 },
    );
    // Both sides were walked: the valid messages (no change, or harmless ones) and the refused.
    expect(Math.min(seen.ok, seen.refused)).toBeGreaterThan(100);
  });
});
