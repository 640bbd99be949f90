import { MemberCheckedIn, NewLedgerEvent, addDays } from '@tally/contracts';
import { MemberState, oldestKnownDay } from '@tally/member-ledger';
import { businessDay } from '@tally/program';
import { EarnContext, EarnDecision, append, reject } from '../earn.decision';
import { earnedEvent, optional } from '../shared/earned-event';
import { lateInputRefusal } from '../shared/late-input';

/** Consecutive business days checked in, this one included, for a day after the last one. */
const streakOn = (state: MemberState, day: string): number =>
  state.checkIn.lastDay !== undefined && state.checkIn.lastDay === addDays(day, -1) ? state.checkIn.streak + 1 : 1;

/**
 * The same, for a day before the last one: counted back through the days the member ledger still
 * knows, so a run that reaches further back counts only its known part (history, as invariant 8 allows).
 */
const streakBefore = (state: MemberState, day: string, windowDays: number): number => {
  const oldest = oldestKnownDay(state.daily, windowDays) ?? day;
  let streak = 1;
  for (let before = addDays(day, -1); before >= oldest && state.daily.get(before)?.checkedIn; before = addDays(before, -1)) streak++;
  return streak;
};

/** Why a check-in for this day earns nothing, if it does not. */
const refusal = (memberId: string, state: MemberState, day: string, ctx: EarnContext): EarnDecision | undefined => {
  const { lastDay } = state.checkIn;
  if (lastDay === day) return reject(memberId, 'ALREADY_CHECKED_IN_TODAY', `already checked in on ${day}`);
  if (lastDay === undefined || day > lastDay) return undefined;
  // Judged before the day's mark: a day past the window may still be there, but only until the next prune.
  const late = lateInputRefusal(memberId, state, ctx.program, day, 'check-in', 'CHECK_IN_TOO_LATE');
  if (late) return late;
  if (state.daily.get(day)?.checkedIn) return reject(memberId, 'ALREADY_CHECKED_IN_TODAY', `already checked in on ${day}`);
  return undefined;
};

/**
 * One check-in per member per business day of `occurredAt`; every `streakEvery`-th consecutive day
 * adds a streak bonus. Branches sync hours late, so a check-in may arrive after a later day's: the
 * member ledger marks each day checked in for the program's late-input window, so such a day earns
 * its points once, like any other (invariant 8), with the streak of the days before it. Only the
 * streak of the newest day carries on to the next; a day older than the window cannot be told
 * from one already rewarded, and is refused (CHECK_IN_TOO_LATE).
 */
export const decideCheckIn = (checkIn: MemberCheckedIn, state: MemberState, ctx: EarnContext): EarnDecision => {
  const { program } = ctx;
  const day = businessDay(program, checkIn.occurredAt);
  const refused = refusal(checkIn.memberId, state, day, ctx);
  if (refused) return refused;

  const { lastDay } = state.checkIn;
  const streak = lastDay !== undefined && day < lastDay ? streakBefore(state, day, program.lateInputWindowDays) : streakOn(state, day);
  const common = { multiplier: 1, streak, ...optional('storeId', checkIn.storeId) };
  const events: NewLedgerEvent[] = [
    earnedEvent(state, checkIn.occurredAt, ctx, { points: program.checkIn.points, reason: 'check-in', ruleIds: ['check-in'], ...common }),
  ];
  if (streak % program.checkIn.streakEvery === 0 && program.checkIn.streakBonus > 0) {
    events.push(
      earnedEvent(state, checkIn.occurredAt, ctx, {
        points: program.checkIn.streakBonus,
        reason: 'check-in-streak',
        ruleIds: [`check-in.streak-${program.checkIn.streakEvery}`],
        ...common,
      }),
    );
  }
  return append(...events);
};
