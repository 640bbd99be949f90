import { MemberState, isDayKnown, newestKnownDay } from '@tally/member-ledger';
import { Program } from '@tally/program';
import { EarnDecision, EarnRefusalCode, reject } from '../earn.decision';

/**
 * The refusal of an input whose business day is before the program's late-input window (counted
 * back from the member's newest day), for a rule that must look at that day: past the window the
 * member ledger cannot tell the day's check-in or counts. The message names the window.
 */
export const lateInputRefusal = (
  memberId: string,
  state: MemberState,
  program: Program,
  day: string,
  what: string,
  code: EarnRefusalCode = 'INPUT_TOO_LATE',
): EarnDecision | undefined => {
  const window = program.lateInputWindowDays;
  if (isDayKnown(state.daily, day, window)) return undefined;
  return reject(
    memberId,
    code,
    `${what} for ${day} arrived after the late-input window of ${window} days before the member's newest day ${newestKnownDay(state.daily)} (program lateInputWindowDays: ${window})`,
  );
};
