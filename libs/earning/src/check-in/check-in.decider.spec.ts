import { balanceOf, initialMemberState } from '@tally/member-ledger';
import { DEFAULT_PROGRAM, addDays } from '@tally/program';
import { MEMBER, checkIn, contextFor, dataOf, eventsOf, programWith, run } from '../testing/earn.fixtures';
import { decideCheckIn } from './check-in.decider';

/** Check-ins at 08:01 Shanghai time on consecutive days from 2026-11-01. */
const dailyCheckIns = (days: number, from = '2026-11-01') =>
  Array.from({ length: days }, (_, i) => checkIn(`${addDays(from, i)}T08:01:00+08:00`));

describe('decideCheckIn', () => {
  it('earns 10 points once a business day, with the day and the streak', () => {
    const decision = decideCheckIn(checkIn('2026-11-23T08:01:00+08:00', { storeId: 'sh-07' }), initialMemberState(MEMBER), contextFor());
    expect(decision).toEqual({
      kind: 'append',
      events: [
        {
          type: 'points.earned',
          memberId: MEMBER,
          occurredAt: '2026-11-23T08:01:00+08:00',
          data: {
            points: 10,
            lotId: 'lot-1',
            expiresAt: '2027-11-23T00:01:00.000Z',
            reason: 'check-in',
            storeId: 'sh-07',
            tier: 'member',
            multiplier: 1,
            ruleIds: ['check-in'],
            day: '2026-11-23',
            streak: 1,
          },
        },
      ],
    });
  });

  it('refuses a second check-in the same business day in the program time zone (ALREADY_CHECKED_IN_TODAY)', () => {
    // given a check-in at 08:01 in Shanghai
    const { members } = run([checkIn('2026-11-23T08:01:00+08:00')], contextFor());
    // when the member checks in again at 23:59 Shanghai time (15:59 UTC)
    const decision = decideCheckIn(checkIn('2026-11-23T15:59:00Z'), members[MEMBER], contextFor());
    // then
    expect(decision).toEqual({ kind: 'reject', memberId: MEMBER, code: 'ALREADY_CHECKED_IN_TODAY', message: 'already checked in on 2026-11-23' });
  });

  it('counts a check-in after midnight in the program time zone as the next day', () => {
    const { members } = run([checkIn('2026-11-23T08:01:00+08:00')], contextFor());
    // 16:01 UTC is 00:01 on the 24th in Shanghai
    const data = dataOf('points.earned', eventsOf(decideCheckIn(checkIn('2026-11-23T16:01:00Z'), members[MEMBER], contextFor()))[0]);
    expect(data).toMatchObject({ day: '2026-11-24', streak: 2 });
  });

  it('counts consecutive days and starts again after a gap', () => {
    const gap = checkIn('2026-11-05T09:00:00+08:00');
    const { members, decisions } = run([...dailyCheckIns(3), gap], contextFor());
    expect(decisions.map((d) => dataOf('points.earned', eventsOf(d)[0]).streak)).toEqual([1, 2, 3, 1]);
    expect(members[MEMBER].checkIn).toEqual({ lastDay: '2026-11-05', streak: 1 });
  });

  it('adds a streak bonus of 50 on the 7th, 14th... consecutive day', () => {
    // when a member checks in 14 days in a row
    const { members, decisions } = run(dailyCheckIns(14), contextFor());
    // then the 7th and 14th decisions carry a bonus
    const bonuses = decisions.map((d) => eventsOf(d).slice(1).map((e) => dataOf('points.earned', e)));
    expect(bonuses[5]).toEqual([]);
    expect(bonuses[6]).toEqual([
      {
        points: 50,
        lotId: 'lot-8',
        expiresAt: '2027-11-07T00:01:00.000Z',
        reason: 'check-in-streak',
        tier: 'member',
        multiplier: 1,
        ruleIds: ['check-in.streak-7'],
        day: '2026-11-07',
        streak: 7,
      },
    ]);
    expect(bonuses[13]).toMatchObject([{ points: 50, streak: 14 }]);
    expect(balanceOf(members[MEMBER]).available).toBe(14 * 10 + 2 * 50);
    // the bonus does not break the streak
    expect(members[MEMBER].checkIn).toEqual({ lastDay: '2026-11-14', streak: 14 });
  });

  it('follows the numbers of the program', () => {
    const program = programWith({ checkIn: { ...DEFAULT_PROGRAM.checkIn, points: 5, streakEvery: 3, streakBonus: 20 } });
    const { members } = run(dailyCheckIns(6), contextFor(program));
    expect(balanceOf(members[MEMBER]).available).toBe(6 * 5 + 2 * 20);
  });

  it('refuses a check-in for a day before the last one checked in (CHECK_IN_OUT_OF_ORDER)', () => {
    // given a check-in on the 23rd
    const { members } = run([checkIn('2026-11-23T08:01:00+08:00')], contextFor());
    // when one for the 21st arrives late
    const decision = decideCheckIn(checkIn('2026-11-21T08:01:00+08:00'), members[MEMBER], contextFor());
    // then the ledger cannot tell whether the 21st was rewarded already
    expect(decision).toEqual({
      kind: 'reject',
      memberId: MEMBER,
      code: 'CHECK_IN_OUT_OF_ORDER',
      message: 'check-in for 2026-11-21 arrived after one for 2026-11-23',
    });
  });
});
