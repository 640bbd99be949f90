import { NewLedgerEvent } from '@tally/contracts';
import { MemberState, balanceOf, evolveMember, initialMemberState } from '@tally/member-ledger';
import { AdjustCommand, decideAdjust } from './adjust.decider';
import { accepted } from '@tally/member-ledger/testing';

const MEMBER = 'm-1';
const T0 = '2026-01-10T08:00:00.000Z';

const earned = (lotId: string, points: number, expiresAt: string): NewLedgerEvent => ({
  type: 'points.earned',
  memberId: MEMBER,
  occurredAt: T0,
  data: { points, lotId, expiresAt, reason: 'purchase', tier: 'member', multiplier: 1, ruleIds: [] },
});

const fold = (state: MemberState, events: readonly NewLedgerEvent[]): MemberState =>
  events.reduce((next, event) => evolveMember(next, event, next.version + 1), state);

const command = (points: number, extra: Partial<AdjustCommand> = {}): AdjustCommand => ({
  adjustmentId: `adj-${points}`,
  points,
  reason: 'goodwill',
  actor: 'ops',
  occurredAt: T0,
  lotId: 'lot-adj',
  lotExpiresAt: '2027-01-10T08:00:00.000Z',
  ...extra,
});

const applied = (state: MemberState, cmd: AdjustCommand): MemberState => {
  return fold(state, accepted(decideAdjust(state, cmd)).events);
};

describe('decideAdjust', () => {
  const member = fold(initialMemberState(MEMBER), [earned('l-late', 100, '2027-06-01T00:00:00.000Z'), earned('l-soon', 50, '2026-06-01T00:00:00.000Z')]);

  it('adds a lot that expires when the caller says, recording actor, reason and note', () => {
    const decision = decideAdjust(member, command(40, { note: 'ticket 12' }));
    expect(decision).toMatchObject({ kind: 'append', result: { available: 190, debt: 0 } });
    expect(accepted(decision).events[0]).toMatchObject({
      type: 'points.adjusted',
      data: { points: 40, actor: 'ops', reason: 'goodwill', note: 'ticket 12', lotId: 'lot-adj', expiresAt: '2027-01-10T08:00:00.000Z' },
    });
    const after = fold(member, accepted(decision).events);
    expect(balanceOf(after).available).toBe(190);
    expect(after.lots.get('lot-adj')?.remaining).toBe(40);
  });

  it('takes a negative adjustment from the soonest-expiring lots first', () => {
    const after = applied(member, command(-70));
    expect(balanceOf(after).available).toBe(80);
    expect(after.lots.has('l-soon')).toBe(false);
    expect(after.lots.get('l-late')?.remaining).toBe(80);
  });

  it('refuses to take more than is available, and changes nothing', () => {
    expect(decideAdjust(member, command(-151))).toMatchObject({ kind: 'reject', code: 'INSUFFICIENT_POINTS', details: { available: 150 }, final: false });
  });

  it('books the shortfall as debt only when asked, leaving available negative', () => {
    const decision = decideAdjust(member, command(-200, { allowDebt: true }));
    expect(decision).toMatchObject({ kind: 'append', result: { available: -50, debt: 50 } });
    expect(balanceOf(applied(member, command(-200, { allowDebt: true }))).available).toBe(-50);
  });

  it('refuses a member the ledger has never seen', () => {
    expect(decideAdjust(initialMemberState('m-x'), command(10))).toMatchObject({ kind: 'reject', code: 'UNKNOWN_MEMBER', final: false });
  });

  it('leaves adjustments out of qualifying points', () => {
    const after = applied(member, command(5000));
    expect(balanceOf(after).lifetimeEarned).toBe(150);
  });
});
