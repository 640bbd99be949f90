import Ajv from 'ajv';
import { INPUT_SCHEMAS } from '../inputs/input-schemas';
import { parseInput } from '../inputs/parse-input';
import { ALL_TOPICS, Topics } from '../topics/topics';
import { DEAD_LETTER_REASONS } from '../outbound/dead-letter';
import { asyncApiDocument } from './asyncapi';
import { inputSchemaDocuments } from './message-schemas';
import { OUTPUT_SCHEMAS } from '../generated/output-schemas';
import { SAMPLE_INPUTS } from '../testing/sample-inputs';

const NOW = new Date('2026-12-07T00:00:00Z');
// `unicodeRegExp: false`: class-validator's patterns run without the `u` flag, so `.` counts UTF-16 units there too.
const ajv = new Ajv({ allErrors: true, unicodeRegExp: false, strict: false });
const schemas = inputSchemaDocuments();
for (const schema of Object.values(schemas)) ajv.addSchema(schema);
for (const schema of Object.values(OUTPUT_SCHEMAS)) ajv.addSchema(schema);

/** The schema a topic's message is judged by: its `type` picks the class, as parseInput does. */
const schemaAccepts = (topic: string, message: Record<string, unknown>): boolean => {
  const cls = INPUT_SCHEMAS[topic][message.type as string];
  return cls !== undefined && ajv.validate(`urn:tally:schema:${cls.name}`, message) === true;
};
const validatorAccepts = (topic: string, message: Record<string, unknown>): boolean => parseInput(topic, Buffer.from(JSON.stringify(message)), NOW).ok;

const { purchase, refund, checkIn, referral, activity } = SAMPLE_INPUTS;

const without = (message: object, field: string) => Object.fromEntries(Object.entries(message).filter(([k]) => k !== field));

/** [name, topic, message, valid]: each must be judged alike by the schema and by parseInput. */
const SAMPLES: [string, string, Record<string, unknown>, boolean][] = [
  ['a purchase', Topics.purchases.name, purchase, true],
  ['a purchase without lines or store', Topics.purchases.name, without(without(purchase, 'lines'), 'storeId'), true],
  ['a purchase with a null store (IsOptional lets null through)', Topics.purchases.name, { ...purchase, storeId: null }, true],
  ['a purchase with an undeclared field (stripped, not refused)', Topics.purchases.name, { ...purchase, note: 'hi' }, true],
  ['a refund', Topics.purchases.name, refund, true],
  ['a check-in', Topics.checkIns.name, checkIn, true],
  ['a referral', Topics.referrals.name, referral, true],
  ['an activity', Topics.memberEvents.name, activity, true],
  ['a purchase without memberId', Topics.purchases.name, without(purchase, 'memberId'), false],
  ['an eventId of 129 characters', Topics.purchases.name, { ...purchase, eventId: 'e'.repeat(129) }, false],
  ['an eventId with a space', Topics.checkIns.name, { ...checkIn, eventId: 'a b' }, false],
  ['a memberId of 65 characters', Topics.checkIns.name, { ...checkIn, memberId: 'm'.repeat(65) }, false],
  ['occurredAt without an offset', Topics.checkIns.name, { ...checkIn, occurredAt: '2026-11-23T08:01:00' }, false],
  ['a channel outside store/online', Topics.purchases.name, { ...purchase, channel: 'phone' }, false],
  ['a fractional amount', Topics.purchases.name, { ...purchase, amountMinor: 12.5 }, false],
  ['an amount as a string', Topics.purchases.name, { ...purchase, amountMinor: '12990' }, false],
  ['a negative amount', Topics.purchases.name, { ...purchase, amountMinor: -1 }, false],
  ['an amount above the maximum', Topics.purchases.name, { ...purchase, amountMinor: 100_000_000_001 }, false],
  ['a refund of zero', Topics.purchases.name, { ...refund, amountMinor: 0 }, false],
  ['a lower-case currency', Topics.purchases.name, { ...purchase, currency: 'cny' }, false],
  ['lines that are not an array', Topics.purchases.name, { ...purchase, lines: { sku: 'x' } }, false],
  ['501 lines', Topics.purchases.name, { ...purchase, lines: Array.from({ length: 501 }, () => purchase.lines[0]) }, false],
  ['a line of quantity 0', Topics.purchases.name, { ...purchase, lines: [{ ...purchase.lines[0], quantity: 0 }] }, false],
  ['a line that is an array', Topics.purchases.name, { ...purchase, lines: [[purchase.lines[0]]] }, false],
  ['a line without sku', Topics.purchases.name, { ...purchase, lines: [without(purchase.lines[0], 'sku')] }, false],
  ['a sku of 65 characters', Topics.purchases.name, { ...purchase, lines: [{ ...purchase.lines[0], sku: 's'.repeat(65) }] }, false],
  ['a referral without referee', Topics.referrals.name, without(referral, 'refereeId'), false],
  ['an activity without activity', Topics.memberEvents.name, without(activity, 'activity'), false],
  ['a type of another topic', Topics.checkIns.name, { ...checkIn, type: 'purchase.completed' }, false],
];

describe('JSON Schemas of the input messages, generated from their class-validator metadata', () => {
  it.each(SAMPLES)('judges %s as the validators do', (_name, topic, message, valid) => {
    // given a sample the contract says is valid or invalid
    // when the schema and the project's validator judge it
    // then both give the contract's answer
    expect({ schema: schemaAccepts(topic, message), validator: validatorAccepts(topic, message) }).toEqual({ schema: valid, validator: valid });
  });

  it('has a schema for every input type of every input topic', () => {
    const names = Object.values(INPUT_SCHEMAS).flatMap((types) => Object.values(types).map((cls) => cls.name));
    expect(Object.keys(schemas).sort()).toEqual(names.sort());
  });
});

describe('the AsyncAPI document', () => {
  const doc = asyncApiDocument({ ...schemas, ...OUTPUT_SCHEMAS }, '0.0.0') as {
    asyncapi: string;
    channels: Record<string, { address: string }>;
    components: Record<string, unknown>;
  };

  it('is AsyncAPI 3 with a channel for every topic and every dead-letter reason', () => {
    expect(doc.asyncapi).toBe('3.0.0');
    expect(
      Object.values(doc.channels)
        .map((c) => c.address)
        .sort(),
    ).toEqual(ALL_TOPICS.map((t) => t.name).sort());
    expect(Object.keys(doc.components['x-dead-letter-reasons'] as object).sort()).toEqual(Object.keys(DEAD_LETTER_REASONS).sort());
  });

  it('resolves every $ref inside itself', () => {
    const refs: string[] = [];
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (typeof value === 'object' && value !== null) {
        for (const [k, v] of Object.entries(value)) {
          if (k === '$ref' && typeof v === 'string') refs.push(v);
          else walk(v);
        }
      }
    };
    walk(doc);
    const resolve = (ref: string) =>
      ref
        .slice(2)
        .split('/')
        .reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], doc);
    expect(refs.filter((ref) => resolve(ref) === undefined)).toEqual([]);
    expect(refs.length).toBeGreaterThan(20);
  });

  it('judges a purchase by its payload schema as the standalone schema does', () => {
    // given the document's own components, as an AsyncAPI tool would compile them
    const validate = new Ajv({ strict: false, unicodeRegExp: false }).compile({
      components: { schemas: (doc.components as { schemas: object }).schemas },
      $ref: '#/components/schemas/PurchaseCompleted',
    });
    // then a purchase passes and a line of quantity 0 (a nested definition) does not
    expect(validate(purchase)).toBe(true);
    expect(validate({ ...purchase, lines: [{ ...purchase.lines[0], quantity: 0 }] })).toBe(false);
  });
});

describe('JSON Schemas of the output messages, generated from their TypeScript types', () => {
  const stored = {
    position: '17',
    version: 3,
    eventId: '5b0c1f7e-8d1b-4a4e-9c53-2f7f3c1e9a10',
    recordedAt: '2026-11-23T02:15:00.123Z',
    causationId: 'pos-7-000123',
    hash: 'ab'.repeat(32),
    memberId: 'm-1001',
    occurredAt: '2026-11-23T10:15:00+08:00',
  };
  const earned = {
    ...stored,
    type: 'points.earned',
    data: { points: 129, lotId: 'l-1', expiresAt: '2027-11-23T02:15:00.000Z', reason: 'purchase', tier: 'member', multiplier: 1, ruleIds: ['purchase'] },
  };
  const accepts = (type: string, message: unknown) => ajv.validate(`urn:tally:schema:${type}`, message);

  it('accepts a relayed points.earned and refuses one whose data lacks its points', () => {
    expect(accepts('LedgerEventMessage', earned)).toBe(true);
    expect(accepts('LedgerEventMessage', { ...earned, data: { ...earned.data, points: undefined } })).toBe(false);
    expect(accepts('LedgerEventMessage', { ...earned, type: 'points.minted' })).toBe(false);
  });

  it('accepts the notices and refuses an unknown one', () => {
    expect(accepts('Notification', { type: 'tier.changed', memberId: 'm-1', from: 'member', to: 'silver', effectiveAt: '2026-11-23T02:15:00.000Z' })).toBe(
      true,
    );
    expect(accepts('Notification', { type: 'tier.changed', memberId: 'm-1' })).toBe(false);
  });

  it('accepts a dead letter with a known reason only', () => {
    const letter = {
      reason: 'invalid_json',
      message: 'not JSON',
      source: { topic: 't', partition: 0, offset: '4', key: 'm-1', timestamp: '1' },
      valueBase64: 'e30=',
      headers: {},
      consumerGroup: 'earn',
      deadLetteredAt: '2026-11-23T02:15:00.000Z',
    };
    expect(accepts('DeadLetter', letter)).toBe(true);
    expect(accepts('DeadLetter', { ...letter, reason: 'bad_mood' })).toBe(false);
  });
});
