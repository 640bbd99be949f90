import { Topics } from '@tally/contracts';
import { Rng } from '@tally/testing';

/** A ledger event a valid input must cause (found by its causation id, the input's eventId). */
export interface ExpectedEvent {
  type: string;
  memberId: string;
  points: number;
}

export interface FuzzMessage {
  /** Sequence number; also sent as the `fuzz-id` header so a dead letter names its input. */
  n: number;
  topic: string;
  key: string | Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer>;
  /** A bad input: what it is and the dead-letter reasons that fit it. */
  bad?: { kind: string; reasons: string[] };
  /** A valid input: its eventId and exactly the events it must append (none for a refusal). */
  valid?: { eventId: string; events: ExpectedEvent[] };
  /** The same bytes as an earlier valid input: must append nothing and dead-letter nothing. */
  redelivery?: boolean;
}

type Body = Record<string, unknown>;
interface Valid {
  topic: string;
  key: string;
  body: Body;
  events: ExpectedEvent[];
}

const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'prototype', 'isPrototypeOf'];
const CALENDAR_IMPOSSIBLE = [
  '2026-02-30T10:00:00+08:00',
  '2026-13-01T10:00:00+08:00',
  '2026-11-31T10:00:00+08:00',
  '2026-11-23T25:00:00+08:00',
  '2026-11-23T10:61:00+08:00',
  '2026-11-23T10:15:00',
  '2025-02-29T12:00:00Z',
  '2026-11-23T10:15:00+25:00',
  '23/11/2026 10:15',
];
const FUTURE = ['2099-01-01T00:00:00+08:00', '2199-12-31T23:59:59Z', '9999-12-31T23:59:59+14:00'];
const BAD_IDS = ['m-\u0000', '\u0000', 'm-😀', '😀', 'm 1', '', 'a'.repeat(65), 'm/1', 'm-\ud800', '<script>', 'm-é'];
/** Values no required field of any input accepts. */
const WRONG_VALUES: unknown[] = [null, true, 1.5, -1, [], {}, 'x'.repeat(300), 1e300, '', [1, 2], { a: { b: 1 } }];

export class KafkaInputs {
  private n = 0;
  private readonly earlier: { topic: string; key: string; body: Body; bytes: Buffer }[] = [];

  constructor(
    private readonly rng: Rng,
    private readonly tag: string,
  ) {}

  private day(): string {
    return `2026-11-${String(this.rng.int(1, 28)).padStart(2, '0')}T${String(this.rng.int(0, 23)).padStart(2, '0')}:${String(this.rng.int(0, 59)).padStart(2, '0')}:00+08:00`;
  }

  private member(kind: string): string {
    return `${this.tag}-${kind}${this.n}`;
  }

  /** A valid input of a random topic whose effect is known exactly: each uses members of its own. */
  private validInput(): Valid {
    const eventId = `${this.tag}-ev-${this.n}`;
    const occurredAt = this.day();
    switch (this.rng.int(0, 3)) {
      case 0: {
        const memberId = this.member('p');
        const amountMinor = this.rng.int(1, 500) * 100 + this.rng.int(0, 99);
        const body = {
          eventId,
          type: 'purchase.completed',
          occurredAt,
          memberId,
          storeId: 'sh-07',
          channel: this.rng.pick(['store', 'online']),
          orderId: `o-${this.n}`,
          amountMinor,
          currency: 'CNY',
        };
        return { topic: Topics.purchases.name, key: memberId, body, events: [{ type: 'points.earned', memberId, points: Math.floor(amountMinor / 100) }] };
      }
      case 1: {
        const memberId = this.member('c');
        const body = { eventId, type: 'member.checked-in', occurredAt, memberId, storeId: 'sh-07' };
        return { topic: Topics.checkIns.name, key: memberId, body, events: [{ type: 'points.earned', memberId, points: 10 }] };
      }
      case 2: {
        const referrerId = this.member('r');
        const refereeId = this.member('e');
        const body = { eventId, type: 'referral.completed', occurredAt, referrerId, refereeId };
        return {
          topic: Topics.referrals.name,
          key: referrerId,
          body,
          events: [
            { type: 'points.earned', memberId: referrerId, points: 200 },
            { type: 'points.earned', memberId: refereeId, points: 100 },
          ],
        };
      }
      default: {
        // The default program rewards no activity: a recorded refusal, no event.
        const memberId = this.member('a');
        const body = { eventId, type: 'member.activity', activity: 'review', occurredAt, memberId, storeId: 'sh-07' };
        return { topic: Topics.memberEvents.name, key: memberId, body, events: [] };
      }
    }
  }

  private message(
    topic: string,
    key: string | Buffer | null,
    value: Buffer | null,
    extra: Partial<FuzzMessage> = {},
    headers: Record<string, Buffer> = {},
  ): FuzzMessage {
    const n = this.n++;
    return { n, topic, key, value, headers: { ...headers, 'fuzz-id': Buffer.from(String(n)) }, ...extra };
  }

  valid(): FuzzMessage {
    const input = this.validInput();
    const bytes = Buffer.from(JSON.stringify(input.body));
    this.earlier.push({ topic: input.topic, key: input.key, body: input.body, bytes });
    return this.message(input.topic, input.key, bytes, { valid: { eventId: String(input.body.eventId), events: input.events } });
  }

  /** An earlier valid input again, byte for byte (a redelivery), or null when there is none yet. */
  redelivery(): FuzzMessage | null {
    if (this.earlier.length === 0) return null;
    const { topic, key, bytes } = this.rng.pick(this.earlier);
    return this.message(topic, key, bytes, { redelivery: true });
  }

  /** A bad input for a random input topic, shaped like that topic's valid ones. */
  bad(): FuzzMessage {
    const base = this.validInput();
    const { topic, key, body } = base;
    const json = (value: unknown) => Buffer.from(JSON.stringify(value));
    const with_ = (field: string, value: unknown) => json({ ...body, [field]: value });
    // Required fields only: an optional one (storeId) may be left out, and an unknown activity is a business refusal.
    const field = this.rng.pick(Object.keys(body).filter((f) => !['type', 'storeId', 'activity'].includes(f)));
    const kinds: [string, () => { value: Buffer | null; key?: string | Buffer | null; reasons: string[]; headers?: Record<string, Buffer> }][] = [
      [
        'broken-utf8',
        () => {
          const text = JSON.stringify(body);
          const at = text.indexOf(String(body.eventId)) + 2;
          return {
            value: Buffer.concat([
              Buffer.from(text.slice(0, at)),
              this.rng.pick([Buffer.from([0xc3, 0x28]), Buffer.from([0xff]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xe2, 0x82])]),
              Buffer.from(text.slice(at)),
            ]),
            reasons: ['invalid_json', 'validation_failed'],
          };
        },
      ],
      [
        'binary',
        () => ({
          value: Buffer.concat([Buffer.from([this.rng.pick([0x00, 0xff, 0x80, 0x1f, 0xfe])]), this.rng.bytes(this.rng.int(0, 300))]),
          reasons: ['invalid_json'],
        }),
      ],
      ['empty', () => ({ value: this.rng.chance(0.5) ? Buffer.alloc(0) : null, reasons: ['empty_message', 'invalid_json'] })],
      ['1mb-field', () => ({ value: with_(field, 'x'.repeat(1_000_000)), reasons: ['payload_too_large', 'validation_failed'] })],
      ['1mb-junk', () => ({ value: Buffer.from(`{"a":"${'y'.repeat(999_000)}"}`), reasons: ['payload_too_large', 'unknown_type', 'validation_failed'] })],
      [
        'deep-nesting',
        () => {
          const depth = this.rng.int(100, 20_000);
          const deep = this.rng.chance(0.5) ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
          return {
            value: Buffer.from(JSON.stringify({ ...body, [field]: '@@' }).replace('"@@"', deep)),
            reasons: ['validation_failed', 'invalid_json', 'payload_too_large'],
          };
        },
      ],
      ['wrong-type', () => ({ value: with_(field, this.rng.pick(WRONG_VALUES)), reasons: ['validation_failed'] })],
      [
        'missing-field',
        () => {
          const rest = { ...body };
          delete rest[field];
          return { value: json(rest), reasons: ['validation_failed'] };
        },
      ],
      [
        'bad-id',
        () => {
          const id = this.rng.pick(Object.keys(body).filter((f) => /Id$/.test(f)));
          // An eventId may be up to 128 characters long.
          const value = this.rng.pick(BAD_IDS).replace(/^a{65}$/, id === 'eventId' ? 'a'.repeat(129) : 'a'.repeat(65));
          return { value: with_(id, value), reasons: ['validation_failed'] };
        },
      ],
      ['impossible-time', () => ({ value: with_('occurredAt', this.rng.pick(CALENDAR_IMPOSSIBLE)), reasons: ['validation_failed'] })],
      ['future-time', () => ({ value: with_('occurredAt', this.rng.pick(FUTURE)), reasons: ['occurred_in_future', 'validation_failed'] })],
      ['prototype-type', () => ({ value: with_('type', this.rng.pick(PROTOTYPE_KEYS)), reasons: ['unknown_type', 'validation_failed'] })],
      [
        'prototype-smuggled-type',
        () => {
          const rest = { ...body };
          delete rest.type;
          return {
            value: Buffer.from(JSON.stringify(rest).replace(/^\{/, `{"__proto__":{"type":${JSON.stringify(body.type)}},`)),
            reasons: ['unknown_type', 'validation_failed'],
          };
        },
      ],
      [
        'other-topic-type',
        () => ({
          value: with_(
            'type',
            this.rng.pick(
              ['purchase.completed', 'member.checked-in', 'referral.completed', 'member.activity', 'purchase.refunded'].filter((t) => t !== body.type),
            ),
          ),
          reasons: ['unknown_type', 'validation_failed'],
        }),
      ],
      [
        'not-an-object',
        () => ({
          value: Buffer.from(this.rng.pick(['null', '1', '"x"', '[]', `[${JSON.stringify(body)}]`, 'true', '1e999'])),
          reasons: ['validation_failed', 'invalid_json', 'unknown_type'],
        }),
      ],
      ['long-event-id', () => ({ value: with_('eventId', 'e'.repeat(this.rng.int(129, 2000))), reasons: ['validation_failed'] })],
      [
        'nul-key-and-header',
        () => ({
          value: with_(field, this.rng.pick(WRONG_VALUES)),
          key: Buffer.from([0x6d, 0x00, 0xff]),
          headers: { 'x\u0000y': Buffer.from([0xff, 0x00]), __proto__x: Buffer.from('p') },
          reasons: ['validation_failed'],
        }),
      ],
      ['float-money', () => ({ value: with_('amountMinor' in body ? 'amountMinor' : field, 12.5), reasons: ['validation_failed'] })],
    ];
    const conflict = this.conflict();
    if (conflict && this.rng.chance(0.08)) return conflict;
    const [kind, make] = this.rng.pick(kinds);
    const made = make();
    return this.message(topic, made.key === undefined ? key : made.key, made.value, { bad: { kind, reasons: made.reasons } }, made.headers);
  }

  /** An earlier valid input's eventId with another body: the first one stands, this one is a dead letter. */
  private conflict(): FuzzMessage | null {
    const candidates = this.earlier.filter((e) => e.topic === Topics.purchases.name);
    if (candidates.length === 0) return null;
    const { topic, key, body } = this.rng.pick(candidates);
    const other = { ...body, amountMinor: Number(body.amountMinor) + this.rng.int(100, 10_000) };
    return this.message(topic, key, Buffer.from(JSON.stringify(other)), { bad: { kind: 'duplicate-event-id', reasons: ['idempotency_conflict'] } });
  }
}
