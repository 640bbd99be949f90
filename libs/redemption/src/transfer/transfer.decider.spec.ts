import { NewLedgerEvent } from '@tally/contracts';
import { MemberState, balanceOf, evolveMember, initialMemberState } from '@tally/member-ledger';
import { T0, earned, given, tierChanged } from '../testing/ledger.fixtures';
import { decideReverseTransfer } from './reverse-transfer.decider';
import { decideTransfer } from './transfer.decider';
import { TransferRules } from './transfer.rules';

const SOON = '2026-03-01T00:00:00.000Z';
const LATER = '2026-06-01T00:00:00.000Z';
const DAY = '2026-01-10';
const TIERS = [
  { name: 'member', threshold: 0 },
  { name: 'silver', threshold: 1000 },
];
const rules = (limits: Partial<TransferRules['transfers']> = {}): TransferRules => ({ transfers: { enabled: true, ...limits }, tiers: TIERS });
const command = (transferId: string, points: number, day = DAY) => ({ transferId, points, occurredAt: T0, day });

const applyAll = (states: MemberState[], events: readonly NewLedgerEvent[]): MemberState[] =>
  states.map((state) => events.filter((e) => e.memberId === state.memberId).reduce((s, e) => evolveMember(s, e, s.version + 1), state));

describe('decideTransfer', () => {
  const sender = () => given(earned('lot-late', 300, LATER), earned('lot-soon', 500, SOON));
  const friend = (id = 'm-2002') => initialMemberState(id);

  it('spends the soonest-expiring lots and gives the recipient lots with the same expiry', () => {
    const decision = decideTransfer(sender(), friend(), command('t-1', 600), rules());
    if (decision.kind !== 'append') throw new Error(decision.kind);
    expect(decision.result.fromLots).toEqual([
      { lotId: 'lot-soon', points: 500, expiresAt: SOON },
      { lotId: 'lot-late', points: 100, expiresAt: LATER },
    ]);
    const [from, to] = applyAll([sender(), friend()], decision.events);
    expect(balanceOf(from).available).toBe(200);
    expect(balanceOf(to).available).toBe(600);
    expect([...to.lots.values()].map((l) => [l.remaining, l.expiresAt])).toEqual([
      [500, SOON],
      [100, LATER],
    ]);
  });

  it('never transfers pending or held points', () => {
    const state = given(earned('lot-a', 100, LATER), earned('lot-p', 900, LATER, { availableAt: SOON }));
    expect(decideTransfer(state, friend(), command('t-2', 200), rules())).toMatchObject({
      kind: 'reject',
      code: 'INSUFFICIENT_POINTS',
      details: { available: 100 },
    });
  });

  it.each([
    ['TRANSFERS_DISABLED', { enabled: false }, 100],
    ['TRANSFER_TOO_LARGE', { maxPointsPerTransfer: 99 }, 100],
    ['DAILY_SEND_LIMIT', { maxSentPerDay: 99 }, 100],
    ['MONTHLY_SEND_LIMIT', { maxSentPerMonth: 99 }, 100],
    ['DAILY_RECEIVE_LIMIT', { maxReceivedPerDay: 99 }, 100],
    ['MONTHLY_RECEIVE_LIMIT', { maxReceivedPerMonth: 99 }, 100],
    ['SENDER_TIER_TOO_LOW', { minSenderTier: 'silver' }, 100],
    ['INVALID_POINTS', {}, 0],
  ])('refuses %s', (code, limits, points) => {
    expect(decideTransfer(sender(), friend(), command('t-3', points), rules(limits))).toMatchObject({ kind: 'reject', code });
  });

  it('lets a silver sender through the tier rule', () => {
    const state = given(earned('lot', 300, LATER), tierChanged('member', 'silver'));
    expect(decideTransfer(state, friend(), command('t-4', 100), rules({ minSenderTier: 'silver' }))).toMatchObject({ kind: 'append' });
  });

  it('refuses a self transfer', () => {
    expect(decideTransfer(sender(), sender(), command('t-5', 1), rules())).toMatchObject({ kind: 'reject', code: 'SELF_TRANSFER' });
  });

  it('counts what was sent and received today and this month, and the distinct recipients', () => {
    let [from, a, b] = [sender(), friend('m-a'), friend('m-b')];
    const limits = rules({ maxSentPerDay: 150, maxRecipientsPerMonth: 1, maxReceivedPerMonth: 120 });
    const first = decideTransfer(from, a, command('t-6', 100), limits);
    if (first.kind !== 'append') throw new Error(first.kind);
    [from, a, b] = applyAll([from, a, b], first.events);
    expect(decideTransfer(from, a, command('t-7', 60), limits)).toMatchObject({ kind: 'reject', code: 'DAILY_SEND_LIMIT', details: { limit: 150, used: 100 } });
    expect(decideTransfer(from, b, command('t-8', 10), limits)).toMatchObject({ kind: 'reject', code: 'TOO_MANY_RECIPIENTS' });
    expect(decideTransfer(from, a, command('t-9', 30, '2026-01-11'), limits)).toMatchObject({
      kind: 'reject',
      code: 'MONTHLY_RECEIVE_LIMIT',
      details: { used: 100 },
    });
    // A new day: the daily count starts again, the monthly one goes on.
    expect(decideTransfer(from, a, command('t-10', 20, '2026-01-11'), limits)).toMatchObject({ kind: 'append' });
  });
});

describe('decideReverseTransfer', () => {
  it('puts the points back into the sender’s lots and takes them from the received lots first, the rest as debt', () => {
    let from = given(earned('lot', 500, SOON));
    let to = initialMemberState('m-2002');
    const transfer = decideTransfer(from, to, command('t-1', 400), rules());
    if (transfer.kind !== 'append') throw new Error(transfer.kind);
    [from, to] = applyAll([from, to], transfer.events);
    // The recipient spent 300 of the 400 meanwhile (an expiry of part of the received lot).
    to = evolveMember(
      to,
      { type: 'points.expired', memberId: to.memberId, occurredAt: T0, data: { lotId: transfer.result.toLots[0].lotId, points: 300 } },
      to.version + 1,
    );
    const record = { transferId: 't-1', points: 400, fromLots: transfer.result.fromLots, toLots: transfer.result.toLots };
    const reversal = decideReverseTransfer(from, to, record, { actor: 'ops', occurredAt: T0 });
    expect(reversal.result.debt).toBe(300);
    [from, to] = applyAll([from, to], reversal.events);
    expect(balanceOf(from).available).toBe(500);
    expect([...from.lots.values()].map((l) => [l.lotId, l.remaining, l.expiresAt])).toEqual([['lot', 500, SOON]]);
    expect(balanceOf(to).available).toBe(-300);
  });
});
