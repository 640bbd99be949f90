import { balanceOf, initialMemberState } from '@tally/member-ledger';
import { addDays } from '@tally/contracts';
import { DEFAULT_PROGRAM } from '@tally/program';
import { MEMBER, checkIn, contextFor, dataOf, eventsOf, programWith, purchase, refusedAs, run } from '../testing/earn.fixtures';
import { decideCheckIn } from './check-in.decider';

/** Check-ins at 08:01 Shanghai time on consecutive days from 2026-11-01. */
const dailyCheckIns = (days: number, from = '2026-11-01') => Array.from({ length: days }, (_, i) => checkIn(`${addDays(from, i)}T08:01:00+08:00`));

describe('decideCheckIn', () => {
  it('earns 10 points once a business day, with the day and the streak', () => {
    const decision = decideCheckIn(checkIn('2026-11-23T08:01:00+08:00', { storeId: 'sh-07' }), initialMemberState(MEMBER), contextFor());
    expect(decision).toEqual({
      kind: 'append',
      result: { outcome: 'earned' },
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
    expect(decision).toEqual(refusedAs('ALREADY_CHECKED_IN_TODAY', 'already checked in on 2026-11-23'));
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
    const bonuses = decisions.map((d) =>
      eventsOf(d)
        .slice(1)
        .map((e) => dataOf('points.earned', e)),
    );
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

  describe('a check-in that arrives after a later day (a branch syncing late)', () => {
    const monday = checkIn('2026-11-23T08:01:00+08:00');
    const tuesday = checkIn('2026-11-24T08:01:00+08:00');

    it("earns Monday's 10 points when Monday arrives after Tuesday", () => {
      // given Tuesday's check-in
      const { members } = run([tuesday], contextFor());
      // when Monday's arrives
      const decision = decideCheckIn(monday, members[MEMBER], contextFor());
      // then it earns like any other day, with its own streak
      expect(eventsOf(decision).map((e) => dataOf('points.earned', e))).toEqual([
        expect.objectContaining({ points: 10, reason: 'check-in', day: '2026-11-23', streak: 1 }),
      ]);
    });

    it('gives the same base points in either order; only the streak numbers differ', () => {
      const inOrder = run([monday, tuesday], contextFor());
      const late = run([tuesday, monday], contextFor());
      expect(balanceOf(late.members[MEMBER]).available).toBe(20);
      expect(balanceOf(inOrder.members[MEMBER]).available).toBe(20);
      const streaks = (decisions: typeof late.decisions) => decisions.map((d) => dataOf('points.earned', eventsOf(d)[0]).streak);
      expect(streaks(inOrder.decisions)).toEqual([1, 2]);
      expect(streaks(late.decisions)).toEqual([1, 1]);
    });

    it('keeps the last day and its streak at the newest day', () => {
      // given a two-day run on Tuesday and Wednesday
      const { members } = run([tuesday, checkIn('2026-11-25T08:01:00+08:00'), monday], contextFor());
      // when Monday has arrived last, then the newest day still carries the streak on
      expect(members[MEMBER].checkIn).toEqual({ lastDay: '2026-11-25', streak: 2 });
      const thursday = decideCheckIn(checkIn('2026-11-26T08:01:00+08:00'), members[MEMBER], contextFor());
      expect(dataOf('points.earned', eventsOf(thursday)[0])).toMatchObject({ day: '2026-11-26', streak: 3 });
    });

    it('refuses a second late check-in for the same past day (ALREADY_CHECKED_IN_TODAY)', () => {
      // given Tuesday, then Monday late
      const { members } = run([tuesday, monday], contextFor());
      // when Monday arrives again from another branch, later that day
      const decision = decideCheckIn(checkIn('2026-11-23T19:30:00+08:00', { storeId: 'sh-09' }), members[MEMBER], contextFor());
      // then
      expect(decision).toEqual(refusedAs('ALREADY_CHECKED_IN_TODAY', 'already checked in on 2026-11-23'));
    });

    it('adds the streak bonus to a late day that completes a run of 7', () => {
      // given the 1st to the 6th, then the 8th (a streak of 1 after the gap)
      const { members } = run([...dailyCheckIns(6), checkIn('2026-11-08T08:01:00+08:00')], contextFor());
      // when the 7th arrives late
      const decision = decideCheckIn(checkIn('2026-11-07T08:01:00+08:00'), members[MEMBER], contextFor());
      // then it is the 7th day of a run, counted back from the days before it
      expect(eventsOf(decision).map((e) => dataOf('points.earned', e))).toEqual([
        expect.objectContaining({ points: 10, reason: 'check-in', day: '2026-11-07', streak: 7 }),
        expect.objectContaining({ points: 50, reason: 'check-in-streak', ruleIds: ['check-in.streak-7'], day: '2026-11-07', streak: 7 }),
      ]);
      // and the 8th stays the last day, with its own streak
      expect(run([checkIn('2026-11-07T08:01:00+08:00')], contextFor(), members).members[MEMBER].checkIn).toEqual({ lastDay: '2026-11-08', streak: 1 });
    });

    it('refuses a day older than the days the member ledger keeps (CHECK_IN_TOO_LATE)', () => {
      // given a check-in on the 23rd: the ledger knows the 35 days before it
      const { members } = run([monday], contextFor());
      // when check-ins for 35 and 36 days before arrive
      const oldestKept = decideCheckIn(checkIn('2026-10-19T08:01:00+08:00'), members[MEMBER], contextFor());
      const tooOld = decideCheckIn(checkIn('2026-10-18T08:01:00+08:00'), members[MEMBER], contextFor());
      // then the first still earns, and the second cannot be told from one already rewarded
      expect(dataOf('points.earned', eventsOf(oldestKept)[0])).toMatchObject({ points: 10, day: '2026-10-19' });
      expect(tooOld).toEqual(
        refusedAs(
          'CHECK_IN_TOO_LATE',
          "check-in for 2026-10-18 arrived after the late-input window of 35 days before the member's newest day 2026-11-23 (program lateInputWindowDays: 35)",
        ),
      );
    });

    it("refuses from the program's late-input window when the program makes it shorter", () => {
      // given a program whose late-input window is 7 days, and a check-in on the 23rd
      const ctx = contextFor(programWith({ lateInputWindowDays: 7 }));
      const { members } = run([monday], ctx);
      // when check-ins for 7 and 8 days before arrive
      const inside = decideCheckIn(checkIn('2026-11-16T08:01:00+08:00'), members[MEMBER], ctx);
      const past = decideCheckIn(checkIn('2026-11-15T08:01:00+08:00'), members[MEMBER], ctx);
      // then the first earns and the refusal of the second names the window
      expect(inside).toMatchObject({ kind: 'append' });
      expect(past).toMatchObject({ kind: 'reject', code: 'CHECK_IN_TOO_LATE', message: expect.stringContaining('late-input window of 7 days') });
    });

    it('judges the window from the newest day the member earned on, not only checked in', () => {
      // given a check-in on the 1st and a purchase on December 10th
      const { members } = run([checkIn('2026-11-01T08:01:00+08:00'), purchase({ occurredAt: '2026-12-10T10:15:00+08:00' })], contextFor());
      // when a check-in for October 31st arrives: within 35 days of the check-in, not of the purchase
      const decision = decideCheckIn(checkIn('2026-10-31T08:01:00+08:00'), members[MEMBER], contextFor());
      // then
      expect(decision).toMatchObject({ kind: 'reject', code: 'CHECK_IN_TOO_LATE' });
    });
  });
});
