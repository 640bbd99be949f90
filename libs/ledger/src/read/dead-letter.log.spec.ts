import { DeadLetter } from '@tally/contracts';
import { eventIdOf } from './dead-letter.log';

const letterOf = (value: string | null): DeadLetter =>
  ({
    reason: 'processing_failed',
    message: 'm',
    source: { topic: 't', partition: 0, offset: '1', key: null, timestamp: '0' },
    valueBase64: value === null ? null : Buffer.from(value).toString('base64'),
    headers: {},
    deadLetteredAt: '2026-12-07T10:00:00.000Z',
    consumerGroup: 'g',
  }) as unknown as DeadLetter;

describe('the eventId a dead letter is found by', () => {
  it('is the one its original bytes name, when they are an object with a text eventId of an id’s length', () => {
    expect(eventIdOf(letterOf('{"eventId":"pos-1","type":"purchase.completed"}'))).toBe('pos-1');
    expect(eventIdOf(letterOf('{"eventId":"pos\\u0000-1"}'))).not.toContain('\u0000');
    for (const value of [null, '', 'not json', '[1]', '{"eventId":7}', '{"eventId":""}', `{"eventId":"${'x'.repeat(129)}"}`, 'null']) {
      expect(eventIdOf(letterOf(value))).toBeNull();
    }
  });
});
