import { DAILY_DAYS_KEPT } from '@tally/member-ledger';
import { MAX_LATE_INPUT_WINDOW_DAYS } from '@tally/program';

describe('the late-input window', () => {
  it('may not reach past the days the member ledger keeps', () => {
    expect(MAX_LATE_INPUT_WINDOW_DAYS).toBe(DAILY_DAYS_KEPT);
  });
});
