import { balanceOf, initialMemberState } from '@tally/member-ledger';
import { MEMBER, activity, contextFor, dataOf, eventsOf, programWith, refusedAs, run } from '../testing/earn.fixtures';
import { decideActivity } from './activity.decider';

const program = programWith({
  activities: [
    { id: 'sign-up', points: 100, maxLifetime: 1 },
    { id: 'review', points: 5, maxPerDay: 2, maxPerYear: 3 },
    { id: 'share', points: 1 },
  ],
});
const ctx = () => contextFor(program);
const codesOf = (decisions: ReturnType<typeof run>['decisions']) => decisions.map((d) => (d.kind === 'reject' ? d.code : d.kind));

describe('decideActivity', () => {
  it('earns the points the program gives the activity', () => {
    const decision = decideActivity(activity('review', '2026-11-23T12:30:00+08:00', { storeId: 'sh-07' }), initialMemberState(MEMBER), ctx());
    expect(decision).toEqual({
      kind: 'append',
      result: { outcome: 'earned' },
      events: [
        {
          type: 'points.earned',
          memberId: MEMBER,
          occurredAt: '2026-11-23T12:30:00+08:00',
          data: {
            points: 5,
            lotId: 'lot-1',
            expiresAt: '2027-11-23T04:30:00.000Z',
            reason: 'activity',
            activity: 'review',
            storeId: 'sh-07',
            tier: 'member',
            multiplier: 1,
            ruleIds: ['activity.review'],
            day: '2026-11-23',
          },
        },
      ],
    });
  });

  it('refuses an activity the program does not define (UNKNOWN_ACTIVITY)', () => {
    expect(decideActivity(activity('dance'), initialMemberState(MEMBER), ctx())).toEqual(
      refusedAs('UNKNOWN_ACTIVITY', 'the program does not reward activity dance'),
    );
  });

  it('rewards no activity under the built-in program', () => {
    expect(decideActivity(activity('sign-up'), initialMemberState(MEMBER), contextFor())).toMatchObject({ code: 'UNKNOWN_ACTIVITY' });
  });

  it('refuses an activity over its daily limit, and rewards it again the next business day (ACTIVITY_LIMIT_REACHED)', () => {
    const { decisions } = run(
      [
        activity('review', '2026-11-23T09:00:00+08:00'),
        activity('review', '2026-11-23T10:00:00+08:00'),
        activity('review', '2026-11-23T15:59:00Z'),
        activity('review', '2026-11-23T16:00:00Z'),
      ],
      ctx(),
    );
    expect(codesOf(decisions)).toEqual(['append', 'append', 'ACTIVITY_LIMIT_REACHED', 'append']);
    expect(decisions[2]).toMatchObject({ message: 'activity review is limited to 2 per day (2026-11-23)' });
  });

  it('refuses an activity over its yearly limit, counting years in the program time zone', () => {
    const { decisions } = run(
      [
        activity('review', '2026-03-01T09:00:00+08:00'),
        activity('review', '2026-06-01T09:00:00+08:00'),
        activity('review', '2026-09-01T09:00:00+08:00'),
        activity('review', '2026-12-31T15:00:00Z'),
        // 16:30 UTC on 31 December is already 2027 in Shanghai
        activity('review', '2026-12-31T16:30:00Z'),
      ],
      ctx(),
    );
    expect(codesOf(decisions)).toEqual(['append', 'append', 'append', 'ACTIVITY_LIMIT_REACHED', 'append']);
    expect(decisions[3]).toMatchObject({ message: 'activity review is limited to 3 per year (2026-12-31)' });
  });

  it('refuses an activity over its lifetime limit, whatever the year', () => {
    const { decisions, members } = run([activity('sign-up', '2026-01-01T09:00:00+08:00'), activity('sign-up', '2028-05-01T09:00:00+08:00')], ctx());
    expect(codesOf(decisions)).toEqual(['append', 'ACTIVITY_LIMIT_REACHED']);
    expect(balanceOf(members[MEMBER]).lifetimeEarned).toBe(100);
  });

  it('rewards an activity without limits every time', () => {
    const { decisions } = run(
      Array.from({ length: 5 }, (_, i) => activity('share', `2026-11-23T0${i}:00:00+08:00`)),
      ctx(),
    );
    expect(decisions.map((d) => dataOf('points.earned', eventsOf(d)[0]).points)).toEqual([1, 1, 1, 1, 1]);
  });
});
