import { NewLedgerEvent } from '@tally/contracts';
import { DEFAULT_PROGRAM, Program } from '@tally/program';
import { balanceOf } from '@tally/member-ledger';
import { decideReleases } from '../release/release.decider';
import { MEMBER, contextFor, fold, purchase, purchaseRule, referral, refund, run } from '../testing/earn.fixtures';
import { decideClearFlag } from './clear-flag.decider';

const withRules = (rules: Program['abuse']['rules']): Program => ({ ...DEFAULT_PROGRAM, abuse: { rules } });
const BURST = withRules([{ id: 'burst', input: 'purchase', window: 'hour', max: 2, action: 'block-spending' }]);
const at = (minute: number, hour = 10) => `2026-11-23T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00+08:00`;
const purchases = (times: string[]) => times.map((occurredAt, i) => purchase({ eventId: `pos-${i}`, orderId: `o-${i}`, occurredAt }));
const flagsOf = (events: NewLedgerEvent[]) => events.filter((e) => e.type === 'member.flagged');

describe('abuse rules in the earn decision', () => {
  it('flags the input that takes a member past the hourly maximum, once while the flag is open, with its evidence', () => {
    const { decisions, members } = run(purchases([at(0), at(10), at(20), at(30)]), contextFor(BURST));
    const flags = decisions.flatMap((d) => (d.kind === 'append' ? flagsOf(d.events) : []));
    expect(flags).toEqual([
      {
        type: 'member.flagged',
        memberId: MEMBER,
        occurredAt: at(20),
        data: {
          flagId: expect.any(String),
          ruleId: 'burst',
          action: 'block-spending',
          evidence: { input: 'purchase', window: 'hour', period: '2026-11-23T02', count: 3, max: 2, eventId: 'pos-2' },
        },
      },
    ]);
    // The purchases still earn: a flag judges the member, not the purchase.
    expect(decisions.every((d) => d.kind === 'append')).toBe(true);
    expect(Object.values(members[MEMBER].flags ?? {})).toEqual([{ ruleId: 'burst', action: 'block-spending' }]);
  });

  it('counts each hour apart', () => {
    const { decisions } = run(purchases([at(50, 10), at(55, 10), at(5, 11), at(10, 11)]), contextFor(BURST));
    expect(decisions.flatMap((d) => (d.kind === 'append' ? flagsOf(d.events) : []))).toEqual([]);
  });

  it('raises nothing without rules (the default program)', () => {
    const { decisions } = run(purchases([at(0), at(1), at(2), at(3), at(4)]), contextFor());
    expect(decisions.flatMap((d) => (d.kind === 'append' ? flagsOf(d.events) : []))).toEqual([]);
  });

  it('flags a referrer with many referrals a day, and flags again once ops cleared the first flag', () => {
    const rules = withRules([{ id: 'refs', input: 'referral', window: 'day', max: 1, action: 'flag' }]);
    const refs = [0, 1, 2].map((i) => referral('m-ref', `m-friend-${i}`, { eventId: `ref-${i}`, occurredAt: at(i) }));
    const first = run(refs.slice(0, 2), contextFor(rules));
    const [flagId] = Object.keys(first.members['m-ref'].flags ?? {});
    expect(first.members['m-ref'].flags?.[flagId]).toEqual({ ruleId: 'refs', action: 'flag' });
    const cleared = decideClearFlag(first.members['m-ref'], { flagId, actor: 'ops:ana', occurredAt: at(30) });
    if (!cleared.ok) throw new Error(cleared.code);
    expect(decideClearFlag(first.members['m-ref'], { flagId: 'other', actor: 'ops', occurredAt: at(30) })).toMatchObject({ ok: false, code: 'FLAG_NOT_FOUND' });
    const afterClear = { ...first.members, 'm-ref': fold(first.members['m-ref'], cleared.events) };
    expect(afterClear['m-ref'].flags).toEqual({});
    const again = run(refs.slice(2), contextFor(rules), afterClear);
    expect(again.decisions[0].kind === 'append' && flagsOf(again.decisions[0].events)).toHaveLength(1);
  });
});

describe('hold-earnings: new earnings pending while the member is flagged', () => {
  const HOLD = withRules([{ id: 'burst', input: 'purchase', window: 'hour', max: 2, action: 'hold-earnings' }]);
  const earnedOf = (events: NewLedgerEvent[]) => events.filter((e) => e.type === 'points.earned');

  it('holds the earning that raised the flag and every later one, and releases them all when ops clear it', () => {
    const ctx = contextFor(HOLD);
    const { decisions, members } = run(purchases([at(0), at(10), at(20), at(30)]), ctx);
    const earned = decisions.flatMap((d) => (d.kind === 'append' ? earnedOf(d.events) : []));
    const [flagId] = Object.keys(members[MEMBER].flags ?? {});
    expect(earned.map((e) => e.type === 'points.earned' && e.data.heldByFlag)).toEqual([false, false, flagId, flagId].map((v) => v || undefined));
    expect(balanceOf(members[MEMBER])).toMatchObject({ available: 258, pending: 258 });
    // The clock does not release what a flag holds.
    expect(decideReleases(members[MEMBER], '2030-01-01T00:00:00Z')).toEqual([]);

    const cleared = decideClearFlag(members[MEMBER], { flagId, actor: 'ops', occurredAt: at(40) });
    if (!cleared.ok) throw new Error(cleared.code);
    expect(cleared.events.map((e) => e.type)).toEqual(['flag.cleared', 'points.released', 'points.released']);
    const after = fold(members[MEMBER], cleared.events);
    expect(balanceOf(after)).toMatchObject({ available: 516, pending: 0 });
    // Earnings after the clear are available at once again.
    const later = run([purchase({ eventId: 'pos-later', orderId: 'o-later', occurredAt: at(5, 12) })], ctx, { [MEMBER]: after });
    expect(balanceOf(later.members[MEMBER])).toMatchObject({ available: 645, pending: 0 });
  });

  it('holds earnings by an open flag even once the program drops the rule: the flag recorded what it does', () => {
    const ctx = contextFor(HOLD);
    const { members } = run(purchases([at(0), at(10), at(20)]), ctx);
    const next = run([purchase({ eventId: 'pos-x', orderId: 'o-x', occurredAt: at(5, 12) })], { ...ctx, program: DEFAULT_PROGRAM }, members);
    expect(balanceOf(next.members[MEMBER])).toMatchObject({ pending: 258 });
  });

  it('keeps a held lot with a pending period pending until its period ends, after the clear', () => {
    const program = { ...purchaseRule({ pendingDays: 14 }), abuse: HOLD.abuse };
    const { members } = run(purchases([at(0), at(10), at(20)]), contextFor(program));
    const [flagId] = Object.keys(members[MEMBER].flags ?? {});
    const cleared = decideClearFlag(members[MEMBER], { flagId, actor: 'ops', occurredAt: at(40) });
    if (!cleared.ok) throw new Error(cleared.code);
    expect(cleared.events.map((e) => e.type)).toEqual(['flag.cleared']);
    const after = fold(members[MEMBER], cleared.events);
    expect(decideReleases(after, '2030-01-01T00:00:00Z')).toHaveLength(3);
  });

  it('releases nothing while another hold-earnings flag stays open', () => {
    const two = withRules([
      { id: 'burst', input: 'purchase', window: 'hour', max: 1, action: 'hold-earnings' },
      { id: 'daily', input: 'purchase', window: 'day', max: 2, action: 'hold-earnings' },
    ]);
    const { members } = run(purchases([at(0), at(10), at(20)]), contextFor(two));
    const flagIds = Object.keys(members[MEMBER].flags ?? {});
    expect(flagIds).toHaveLength(2);
    const first = decideClearFlag(members[MEMBER], { flagId: flagIds[0], actor: 'ops', occurredAt: at(40) });
    if (!first.ok) throw new Error(first.code);
    expect(first.events.map((e) => e.type)).toEqual(['flag.cleared']);
    const second = decideClearFlag(fold(members[MEMBER], first.events), { flagId: flagIds[1], actor: 'ops', occurredAt: at(41) });
    if (!second.ok) throw new Error(second.code);
    expect(second.events.map((e) => e.type)).toEqual(['flag.cleared', 'points.released', 'points.released']);
  });
});

describe('refund after redemption', () => {
  const RULE = withRules([{ id: 'spent-then-refunded', input: 'refund-after-redemption', minDebt: 1, action: 'block-spending' }]);
  const redeemed = (points: number, fromLots: { lotId: string; points: number; expiresAt: string }[]): NewLedgerEvent => ({
    type: 'points.redeemed',
    memberId: MEMBER,
    occurredAt: at(0, 11),
    data: { points, redemptionId: 'rd-1', storeId: 'sh-07', fromLots },
  });

  it('flags a refund that claws back points the member already redeemed, with the order and the debt as evidence', () => {
    const earned = run([purchase({ amountMinor: 10_000 })], contextFor(RULE));
    const lot = [...earned.members[MEMBER].lots.values()][0];
    const spent = { [MEMBER]: fold(earned.members[MEMBER], [redeemed(100, [{ lotId: lot.lotId, points: 100, expiresAt: lot.expiresAt }])]) };
    const { decisions } = run([refund({ amountMinor: 10_000 })], contextFor(RULE), spent);
    expect(decisions[0].kind === 'append' && flagsOf(decisions[0].events).map((e) => e.data)).toEqual([
      {
        flagId: expect.any(String),
        ruleId: 'spent-then-refunded',
        action: 'block-spending',
        evidence: { input: 'refund-after-redemption', orderId: 'o-555', refundId: 'r-1', clawedBack: 100, debt: 100, spent: 100, eventId: 'pos-7-000124' },
      },
    ]);
  });

  it('leaves a refund alone whose points were still there to claw back', () => {
    const { decisions } = run([purchase({ amountMinor: 10_000 }), refund({ amountMinor: 10_000 })], contextFor(RULE));
    expect(decisions.flatMap((d) => (d.kind === 'append' ? flagsOf(d.events) : []))).toEqual([]);
  });
});
