import { balanceOf, initialMemberState } from '@tally/member-ledger';
import { DEFAULT_PROGRAM } from '@tally/program';
import { contextFor, given, programWith, referral, refusedAs, run, tierChanged } from '../testing/earn.fixtures';
import { decideReferral } from './referral.decider';

const REFERRER = 'm-1001';
const REFEREE = 'm-2002';

describe('decideReferral', () => {
  it('gives the referrer 200 and the referee 100, each in a lot of their own', () => {
    // given a gold referrer and a new referee
    const referrer = given(REFERRER, tierChanged(REFERRER, 'gold'));
    // when the referral completes
    const decision = decideReferral(referral(REFERRER, REFEREE, { storeId: 'sh-07' }), referrer, initialMemberState(REFEREE), contextFor());
    // then
    const common = { expiresAt: '2027-11-23T04:00:00.000Z', storeId: 'sh-07', multiplier: 1, day: '2026-11-23' };
    expect(decision).toEqual({
      kind: 'append',
      result: { outcome: 'earned' },
      events: [
        {
          type: 'points.earned',
          memberId: REFERRER,
          occurredAt: '2026-11-23T12:00:00+08:00',
          data: { ...common, points: 200, lotId: 'lot-1', reason: 'referral', refereeId: REFEREE, tier: 'gold', ruleIds: ['referral.referrer'] },
        },
        {
          type: 'points.earned',
          memberId: REFEREE,
          occurredAt: '2026-11-23T12:00:00+08:00',
          data: { ...common, points: 100, lotId: 'lot-2', reason: 'referral-welcome', referrerId: REFERRER, tier: 'member', ruleIds: ['referral.referee'] },
        },
      ],
    });
  });

  it('marks the referee as referred', () => {
    const { members } = run([referral(REFERRER, REFEREE)], contextFor());
    expect(members[REFEREE].referredBy).toBe(REFERRER);
    expect(balanceOf(members[REFERRER]).available).toBe(200);
    expect(balanceOf(members[REFEREE]).available).toBe(100);
  });

  it('follows the numbers of the program', () => {
    const ctx = contextFor(programWith({ referral: { ...DEFAULT_PROGRAM.referral, referrerPoints: 500, refereePoints: 50 } }));
    const { members } = run([referral(REFERRER, REFEREE)], ctx);
    expect([balanceOf(members[REFERRER]).available, balanceOf(members[REFEREE]).available]).toEqual([500, 50]);
  });

  it('refuses a referee who was already referred, by anyone (REFEREE_ALREADY_REFERRED)', () => {
    // given m-3003 referred m-2002 first
    const { members } = run([referral('m-3003', REFEREE)], contextFor());
    // when m-1001 refers m-2002 too
    const decision = decideReferral(referral(REFERRER, REFEREE), initialMemberState(REFERRER), members[REFEREE], contextFor());
    // then
    expect(decision).toEqual(refusedAs('REFEREE_ALREADY_REFERRED', 'm-2002 was already referred by m-3003', REFERRER));
  });

  it('refuses a member referring themselves (SELF_REFERRAL)', () => {
    const self = initialMemberState(REFERRER);
    expect(decideReferral(referral(REFERRER, REFERRER), self, self, contextFor())).toEqual(
      refusedAs('SELF_REFERRAL', 'm-1001 cannot refer themselves', REFERRER),
    );
  });
});
