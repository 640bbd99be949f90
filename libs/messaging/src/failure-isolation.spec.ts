import fc from 'fast-check';
import { DeadLetter } from '@tally/contracts';
import { ConsumedMessage } from './batch.consumer';
import { LetterToSend } from './dead-letter.packer';
import { deadLetterAlone, handleIsolatingFailures } from './failure-isolation';

interface Msg {
  partition: number;
  offset: number;
  poison: boolean;
}

/** Like a batch in one transaction: the whole call fails when any message in it breaks the handler. */
const transactionalHandler = (poisonError: (m: Msg) => unknown = () => new TypeError("Cannot read properties of undefined (reading 'points')")) => {
  const handled: Msg[] = [];
  let calls = 0;
  const handle = async (messages: Msg[]) => {
    calls += 1;
    const bad = messages.find((m) => m.poison);
    if (bad) throw poisonError(bad);
    handled.push(...messages);
  };
  return { handle, handled, calls: () => calls };
};

/** Messages of three partitions joined as the coalescer joins them: each partition's in offset order. */
const joined = (count: number, poisonAt: number[]): Msg[] =>
  [0, 1, 2].flatMap((partition) =>
    Array.from({ length: count }, (_, offset) => ({ partition, offset, poison: poisonAt.includes(partition * count + offset) })),
  );

const connectionRefused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

describe('handleIsolatingFailures', () => {
  it('dead-letters exactly the message that fails alone and hands every other one over, in order', async () => {
    const messages = joined(40, [57]);
    const { handle, handled } = transactionalHandler();
    const deadLettered: { message: Msg; error: unknown }[] = [];
    await handleIsolatingFailures(messages, { handle, deadLetter: async (message, error) => void deadLettered.push({ message, error }) });
    expect(deadLettered.map((d) => d.message)).toEqual([messages[57]]);
    expect(String(deadLettered[0].error)).toContain("reading 'points'");
    expect(handled).toEqual(messages.filter((m) => !m.poison));
  });

  it('does so for any number of culprits anywhere, keeping every partition in offset order', () => {
    const cases = fc
      .integer({ min: 1, max: 60 })
      .chain((count) => fc.tuple(fc.constant(count), fc.uniqueArray(fc.integer({ min: 0, max: 3 * count - 1 }), { maxLength: 6 })));
    return fc.assert(
      fc.asyncProperty(cases, async ([count, poisonAt]) => {
        const messages = joined(count, poisonAt);
        const { handle, handled } = transactionalHandler();
        const deadLettered: Msg[] = [];
        await handleIsolatingFailures(messages, { handle, deadLetter: async (message) => void deadLettered.push(message) });
        expect(deadLettered).toEqual(messages.filter((m) => m.poison));
        expect(handled).toEqual(messages.filter((m) => !m.poison));
      }),
      { seed: 21, numRuns: 200 },
    );
  });

  it('searches in few calls: about two per halving for one culprit among many', async () => {
    const { handle, calls } = transactionalHandler();
    await handleIsolatingFailures(joined(1000, [1234]), { handle, deadLetter: async () => undefined });
    expect(calls()).toBeLessThanOrEqual(1 + 2 * Math.ceil(Math.log2(3000)));
  });

  it('retries nothing itself and blames no message when the infrastructure fails: the error goes back to the consumer', async () => {
    const { handle, calls } = transactionalHandler(() => connectionRefused());
    const deadLetter = jest.fn();
    await expect(handleIsolatingFailures(joined(10, [3]), { handle, deadLetter })).rejects.toThrow('ECONNREFUSED');
    expect(calls()).toBe(1);
    expect(deadLetter).not.toHaveBeenCalled();
  });

  it('passes on an infrastructure failure met halfway through a search, blaming nothing', async () => {
    let calls = 0;
    const handle = async (messages: Msg[]) => {
      calls += 1;
      if (calls === 1) throw new Error('value "1e30" is out of range for type bigint');
      if (messages.length > 0) throw connectionRefused();
    };
    const deadLetter = jest.fn();
    await expect(handleIsolatingFailures(joined(10, []), { handle, deadLetter })).rejects.toThrow('ECONNREFUSED');
    expect(deadLetter).not.toHaveBeenCalled();
  });

  it('dead-letters a message whose handler throws something that is not an Error', async () => {
    const { handle, handled } = transactionalHandler(() => 'poison');
    const deadLettered: unknown[] = [];
    await handleIsolatingFailures(joined(3, [4]), { handle, deadLetter: async (_message, error) => void deadLettered.push(error) });
    expect(deadLettered).toEqual(['poison']);
    expect(handled).toHaveLength(8);
  });

  it('lets the consumer heartbeat before each half of a search', async () => {
    const { handle } = transactionalHandler();
    const between = jest.fn(async () => undefined);
    await handleIsolatingFailures(joined(2, [0]), { handle, deadLetter: async () => undefined, between });
    // 6 messages: split into 3+3, the first 3 into 2+1, those 2 into 1+1.
    expect(between).toHaveBeenCalledTimes(6);
  });
});

describe('deadLetterAlone', () => {
  const original = (over: Partial<ConsumedMessage> = {}): ConsumedMessage => ({
    topic: 'ns.loyalty.purchases.v1',
    contractTopic: 'loyalty.purchases.v1',
    partition: 2,
    offset: '41',
    key: 'm-1',
    value: Buffer.from('{"eventId":"pos-1"}'),
    headers: { trace: Buffer.from('t-1') },
    timestamp: '2026-11-23T02:15:00.000Z',
    ...over,
  });
  const now = new Date('2026-11-23T03:00:00.000Z');

  it('sends the whole letter, with reason processing_failed and the error', async () => {
    const sent: LetterToSend[] = [];
    await deadLetterAlone(async (item) => void sent.push(item), original(), new RangeError('Invalid time value'), 'ns.tally-earn', now);
    expect(sent).toHaveLength(1);
    expect(sent[0].letter).toMatchObject({
      reason: 'processing_failed',
      message: 'RangeError: Invalid time value',
      source: { topic: 'loyalty.purchases.v1', partition: 2, offset: '41', key: 'm-1' },
      valueBase64: Buffer.from('{"eventId":"pos-1"}').toString('base64'),
      consumerGroup: 'ns.tally-earn',
    });
  });

  it('falls back to a minimal letter when the whole one cannot be kept, so the message never blocks', async () => {
    const sent: DeadLetter[] = [];
    const send = async (item: LetterToSend) => {
      if (item.letter.valueBase64 !== null) throw Object.assign(new Error('unsupported Unicode escape sequence'), { code: '22P05' });
      sent.push(item.letter);
    };
    await deadLetterAlone(send, original(), new Error('bad \u0000 byte'), 'ns.tally-earn', now);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      reason: 'processing_failed',
      source: { topic: 'loyalty.purchases.v1', partition: 2, offset: '41', key: null },
      valueBase64: null,
      headers: {},
    });
    expect(sent[0].message).toMatch(/^Error: bad \? byte \(the whole letter could not be kept: Error: unsupported Unicode escape sequence\)$/);
  });

  it('falls back to a minimal letter when even building the whole one throws', async () => {
    const sent: DeadLetter[] = [];
    const broken = original();
    Object.defineProperty(broken, 'timestamp', { get: () => new Date(9e15).toISOString() });
    await deadLetterAlone(async (item) => void sent.push(item.letter), broken, new Error('x'), 'g', now);
    expect(sent).toEqual([expect.objectContaining({ valueBase64: null, source: expect.objectContaining({ offset: '41', timestamp: '' }) })]);
  });

  it('passes an infrastructure failure on (the call is retried) instead of sending less', async () => {
    const send = jest.fn(async () => Promise.reject(connectionRefused()));
    await expect(deadLetterAlone(send, original(), new Error('x'), 'g', now)).rejects.toThrow('ECONNREFUSED');
    expect(send).toHaveBeenCalledTimes(1);
  });
});
