import { MemberCheckedIn, NewLedgerEvent } from '@tally/contracts';
import { MemberState } from '@tally/member-ledger';
import { addDays, businessDay } from '@tally/program';
import { EarnContext, EarnDecision, append, reject } from '../earn.decision';
import { earnedEvent, optional } from '../shared/earned-event';

/** Consecutive business days checked in, this one included. */
const streakOn = (state: MemberState, day: string): number =>
  state.checkIn.lastDay !== undefined && state.checkIn.lastDay === addDays(day, -1) ? state.checkIn.streak + 1 : 1;

/**
 * One check-in per member per business day of `occurredAt`; every `streakEvery`-th consecutive day
 * adds a streak bonus. The member ledger keeps only the last day checked in, so a check-in for a day
 * before it cannot tell whether that day was already rewarded: it is refused (CHECK_IN_OUT_OF_ORDER).
 */
export const decideCheckIn = (checkIn: MemberCheckedIn, state: MemberState, ctx: EarnContext): EarnDecision => {
  const { program } = ctx;
  const { memberId } = checkIn;
  const day = businessDay(program, checkIn.occurredAt);
  const { lastDay } = state.checkIn;
  if (lastDay === day) return reject(memberId, 'ALREADY_CHECKED_IN_TODAY', `already checked in on ${day}`);
  if (lastDay !== undefined && day < lastDay) return reject(memberId, 'CHECK_IN_OUT_OF_ORDER', `check-in for ${day} arrived after one for ${lastDay}`);

  const streak = streakOn(state, day);
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
