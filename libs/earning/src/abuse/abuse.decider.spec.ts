import { NewLedgerEvent } from '@tally/contracts';
import { DEFAULT_PROGRAM, Program } from '@tally/program';
import { MEMBER, contextFor, fold, purchase, referral, run } from '../testing/earn.fixtures';
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
        data: { flagId: expect.any(String), ruleId: 'burst', action: 'block-spending', evidence: { input: 'purchase', window: 'hour', period: '2026-11-23T02', count: 3, max: 2, eventId: 'pos-2' } },
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
