import { initialMemberState } from '@tally/member-ledger';
import { decideEarn } from './earn.decider';
import { EARN_REFUSAL_CODES } from './earn.decision';
import { MEMBER, activity, checkIn, contextFor, purchase, referral, refund, run } from './testing/earn.fixtures';

describe('decideEarn', () => {
  it('routes every input type to its rule', () => {
    const { decisions } = run(
      [purchase(), refund(), checkIn('2026-11-23T08:01:00+08:00'), referral(MEMBER, 'm-2002'), activity('review')],
      contextFor(),
    );
    expect(decisions.map((d) => (d.kind === 'append' ? d.events.map((e) => e.type) : d.code))).toEqual([
      ['points.earned'],
      ['points.clawed-back'],
      ['points.earned'],
      ['points.earned', 'points.earned'],
      'UNKNOWN_ACTIVITY',
    ]);
  });

  it('treats a member missing from `members` as one without history', () => {
    expect(decideEarn(purchase(), {}, contextFor())).toMatchObject({ kind: 'append', events: [{ memberId: MEMBER }] });
    expect(decideEarn(referral(MEMBER, 'm-2002'), { [MEMBER]: initialMemberState(MEMBER) }, contextFor())).toMatchObject({ kind: 'append' });
  });

  it('has a stable list of refusal codes', () => {
    expect(EARN_REFUSAL_CODES).toEqual([
      'DUPLICATE_ORDER',
      'UNSUPPORTED_CURRENCY',
      'NO_POINTS',
      'DAILY_CAP_REACHED',
      'DUPLICATE_REFUND',
      'ALREADY_CHECKED_IN_TODAY',
      'CHECK_IN_OUT_OF_ORDER',
      'CHECK_IN_TOO_LATE',
      'SELF_REFERRAL',
      'REFEREE_ALREADY_REFERRED',
      'UNKNOWN_ACTIVITY',
      'ACTIVITY_LIMIT_REACHED',
    ]);
  });
});
