import { DEFAULT_PROGRAM } from '@tally/program';
import { balanceOf, evolveAll, initialMemberState } from '@tally/member-ledger';
import { decideOpeningBalance, openingLotId } from './opening-balance.decider';
import { parseOpeningBalanceRow } from './opening-balance.row';

const AS_OF = '2026-12-01T00:00:00.000Z';
const CONTEXT = { asOf: AS_OF, actor: 'ops#1234abcd', source: 'import job-1', rules: DEFAULT_PROGRAM };

const parsed = (record: unknown) => {
  const result = parseOpeningBalanceRow(record);
  if (!result.ok) throw new Error(`${result.code}: ${result.message}`);
  return result.row;
};

describe('opening balance rows', () => {
  it('reads a JSON row and a CSV row to the same balance', () => {
    const json = parsed({
      memberId: 'm-1',
      points: 800,
      lots: [
        { points: 500, expiresAt: '2027-06-30' },
        { points: 300, expiresAt: '2027-12-31T00:00:00+08:00' },
      ],
      tier: 'gold',
    });
    const csv = parsed({ memberId: 'm-1', points: '800', lots: '500@2027-06-30;300@2027-12-31T00:00:00+08:00', tier: 'gold', rowId: '' });
    expect(csv).toEqual(json);
    expect(json).toEqual({
      key: 'm-1',
      memberId: 'm-1',
      points: 800,
      lots: [
        { points: 500, expiresAt: '2027-06-30T00:00:00.000Z' },
        { points: 300, expiresAt: '2027-12-30T16:00:00.000Z' },
      ],
      tier: 'gold',
    });
    expect(parsed({ memberId: 'm-2', points: '40', expiresAt: '2027-01-01', rowId: 'legacy-7' })).toMatchObject({ key: 'legacy-7', lots: [{ points: 40 }] });
  });

  it.each([
    [null, 'INVALID_ROW'],
    [{ memberId: 'bad id', points: 1, expiresAt: '2027-01-01' }, 'INVALID_MEMBER_ID'],
    [{ memberId: 'm-1', points: -5, expiresAt: '2027-01-01' }, 'INVALID_POINTS'],
    [{ memberId: 'm-1', points: '1.5', expiresAt: '2027-01-01' }, 'INVALID_POINTS'],
    [{ memberId: 'm-1', points: 10 }, 'INVALID_LOT'],
    [{ memberId: 'm-1', points: 10, lots: '10@soon' }, 'INVALID_LOT'],
    [{ memberId: 'm-1', points: 10, lots: [{ points: 0, expiresAt: '2027-01-01' }] }, 'INVALID_LOT'],
    [{ memberId: 'm-1', points: 10, lots: '4@2027-01-01;5@2027-02-01' }, 'LOTS_DO_NOT_ADD_UP'],
    [{ memberId: 'm-1', points: 0 }, 'EMPTY_ROW'],
  ])('refuses %j as %s', (record, code) => {
    expect(parseOpeningBalanceRow(record)).toMatchObject({ ok: false, code });
  });
});

describe('decideOpeningBalance', () => {
  it('opens one lot per row lot with its own expiry and sets the tier as a floor', () => {
    const row = parsed({ memberId: 'm-1', points: 800, lots: '500@2027-06-30;300@2027-12-31', tier: 'gold' });
    const decision = decideOpeningBalance(initialMemberState('m-1'), row, CONTEXT);
    expect(decision.kind).toBe('append');
    if (decision.kind !== 'append') return;
    expect(decision.events.map((e) => e.type)).toEqual(['points.adjusted', 'points.adjusted', 'tier.changed']);
    expect(decision.events[0].data).toMatchObject({
      points: 500,
      reason: 'opening-balance',
      lotId: openingLotId('m-1', 0),
      expiresAt: '2027-06-30T00:00:00.000Z',
      adjustmentId: 'm-1',
      actor: CONTEXT.actor,
    });
    expect(decision.events[2].data).toMatchObject({ from: 'member', to: 'gold', floor: 'gold' });
    const state = evolveAll(initialMemberState('m-1'), decision.events);
    expect(balanceOf(state)).toMatchObject({ available: 800, tier: 'gold' });
    expect([...state.lots.values()].map((l) => [l.remaining, l.expiresAt])).toEqual([
      [500, '2027-06-30T00:00:00.000Z'],
      [300, '2027-12-31T00:00:00.000Z'],
    ]);
    expect(state.tierFloor).toBe('gold');
    expect(decision.result).toEqual({ status: 'applied', key: 'm-1', memberId: 'm-1', points: 800, lots: 2, tier: 'gold' });
  });

  it('sets a tier alone for a member with no points yet', () => {
    const decision = decideOpeningBalance(initialMemberState('m-3'), parsed({ memberId: 'm-3', points: 0, tier: 'silver' }), CONTEXT);
    expect(decision.kind === 'append' && decision.events.map((e) => e.type)).toEqual(['tier.changed']);
  });

  it('refuses a lot that has already expired and a tier the program does not define, appending nothing', () => {
    const expired = decideOpeningBalance(initialMemberState('m-1'), parsed({ memberId: 'm-1', points: 5, expiresAt: '2026-11-30' }), CONTEXT);
    expect(expired).toMatchObject({ kind: 'reject', code: 'LOT_ALREADY_EXPIRED', final: false, result: { status: 'refused' } });
    const tier = decideOpeningBalance(initialMemberState('m-1'), parsed({ memberId: 'm-1', points: 5, expiresAt: '2027-11-30', tier: 'platinum' }), CONTEXT);
    expect(tier).toMatchObject({ kind: 'reject', code: 'UNKNOWN_TIER' });
  });
});
