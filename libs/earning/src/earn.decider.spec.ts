import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EARN_REFUSAL_CODES } from './earn.decision';
import { MEMBER, activity, checkIn, contextFor, decideFresh, programWith, purchase, referral, refund, run } from './testing/earn.fixtures';

describe('decideEarn', () => {
  it('routes every input type to its rule', () => {
    const { decisions } = run([purchase(), refund(), checkIn('2026-11-23T08:01:00+08:00'), referral(MEMBER, 'm-2002'), activity('review')], contextFor());
    expect(decisions.map((d) => (d.kind === 'append' ? d.events.map((e) => e.type) : d.kind === 'reject' ? d.code : d.kind))).toEqual([
      ['points.earned'],
      ['points.clawed-back'],
      ['points.earned'],
      ['points.earned', 'points.earned'],
      'UNKNOWN_ACTIVITY',
    ]);
  });

  it('decides for members without history on their initial states', () => {
    expect(decideFresh(purchase(), contextFor())).toMatchObject({ kind: 'append', events: [{ memberId: MEMBER }] });
    expect(decideFresh(referral(MEMBER, 'm-2002'), contextFor())).toMatchObject({ kind: 'append' });
  });

  it('has every refusal code in the contract users read, and no other', () => {
    // The codes are a public contract: one added, renamed or dropped must show in docs/contracts.md too.
    const contract = readFileSync(join(__dirname, '../../../docs/contracts.md'), 'utf8');
    const earnLine = contract.slice(contract.indexOf('- earn: '), contract.indexOf('- redeem '));
    const documented = new Set(earnLine.match(/`[A-Z_]+`/g)?.map((code) => code.slice(1, -1)));
    expect(new Set(EARN_REFUSAL_CODES)).toEqual(documented);
  });

  describe('inputs older than the program accepts (OCCURRED_BEFORE_PROGRAM)', () => {
    // The built-in program starts at 2020-01-01T00:00:00+08:00, that is 2019-12-31T16:00:00Z.
    const reviews = programWith({ activities: [{ id: 'review', points: 20 }] });
    const inputsAt = (occurredAt: string) =>
      [
        ['purchase', purchase({ occurredAt })],
        ['refund', refund({ occurredAt })],
        ['check-in', checkIn(occurredAt)],
        ['referral', referral(MEMBER, 'm-2002', { occurredAt })],
        ['activity', activity('review', occurredAt)],
      ] as const;

    it.each(inputsAt('2019-12-31T15:59:59.999Z'))(
      'refuses a %s from the millisecond before the program starts, against the member it is keyed by',
      (_type, input) => {
        expect(decideFresh(input, contextFor(reviews))).toEqual({
          kind: 'reject',
          result: { outcome: 'refused' },
          memberId: MEMBER,
          code: 'OCCURRED_BEFORE_PROGRAM',
          message: 'occurredAt 2019-12-31T15:59:59.999Z is before 2020-01-01T00:00:00+08:00, the earliest the program accepts',
        });
      },
    );

    it.each(inputsAt('2020-01-01T00:00:00+08:00'))('decides a %s from the instant the program starts on its rule', (_type, input) => {
      expect(decideFresh(input, contextFor(reviews)).kind).not.toBe('reject');
    });

    it.each(['1970-01-01T00:00:00Z', '0001-01-01T00:00:00Z', '0000-01-01T00:00:00+18:00', '2019-12-31T23:59:59+08:00', '2019-12-31T12:00:00-03:59'])(
      'refuses a purchase dated %s under the built-in program',
      (occurredAt) => {
        expect(decideFresh(purchase({ occurredAt }), contextFor())).toMatchObject({ kind: 'reject', code: 'OCCURRED_BEFORE_PROGRAM' });
      },
    );

    it('judges against the earliest occurredAt the program names, before or at its start', () => {
      const piloted = programWith({ startsAt: '2026-01-01T00:00:00+08:00', earliestOccurredAt: '2025-10-01T00:00:00+08:00' });
      expect(decideFresh(purchase({ occurredAt: '2025-10-01T00:00:00+08:00' }), contextFor(piloted))).toMatchObject({ kind: 'append' });
      expect(decideFresh(purchase({ occurredAt: '2025-09-30T23:59:59+08:00' }), contextFor(piloted))).toMatchObject({
        kind: 'reject',
        result: { outcome: 'refused' },
        code: 'OCCURRED_BEFORE_PROGRAM',
        message: expect.stringContaining('before 2025-10-01T00:00:00+08:00'),
      });
      const launched = programWith({ startsAt: '2026-01-01T00:00:00+08:00' });
      expect(decideFresh(purchase({ occurredAt: '2025-12-31T23:59:59+08:00' }), contextFor(launched))).toMatchObject({ code: 'OCCURRED_BEFORE_PROGRAM' });
    });

    it('refuses before any other rule: a refund before the program does not wait for its purchase, an unknown activity is not judged', () => {
      expect(decideFresh(refund({ occurredAt: '2019-06-01T00:00:00Z', orderId: 'o-never-seen' }), contextFor())).toMatchObject({
        code: 'OCCURRED_BEFORE_PROGRAM',
      });
      expect(decideFresh(activity('unknown', '2019-06-01T00:00:00Z'), contextFor())).toMatchObject({ code: 'OCCURRED_BEFORE_PROGRAM' });
    });
  });
});
