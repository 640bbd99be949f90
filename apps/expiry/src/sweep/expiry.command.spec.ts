import { NewLedgerEvent } from '@tally/contracts';
import { MemberState, stateFrom } from '@tally/member-ledger';
import { expiryCommand } from './expiry.command';

const earned = (lotId: string, points: number, expiresAt: string, availableAt?: string): NewLedgerEvent => ({
  type: 'points.earned',
  memberId: 'm-1',
  occurredAt: '2025-01-01T00:00:00.000Z',
  data: { points, lotId, expiresAt, ...(availableAt ? { availableAt } : {}), reason: 'purchase', storeId: 's', tier: 'member', multiplier: 1, ruleIds: [] },
});

const given = (...events: NewLedgerEvent[]): MemberState => stateFrom('m-1', events);

describe('one member sweep', () => {
  it('is keyed by the sweep instant, the sweep and the member', () => {
    expect(expiryCommand('m-1', '2026-01-01T00:00:00.000Z', 's1')).toMatchObject({
      scope: 'expiry',
      causationId: 'expire@2026-01-01T00:00:00.000Z@s1@m-1',
      memberIds: ['m-1'],
    });
  });

  it('releases a due pending lot and expires it in the same sweep when it is also due', () => {
    const state = given(earned('a', 100, '2026-01-01T00:00:00.000Z'), earned('b', 40, '2026-02-01T00:00:00.000Z', '2025-02-01T00:00:00.000Z'));
    const outcome = expiryCommand('m-1', '2026-03-01T00:00:00.000Z', 's1').decide({ 'm-1': state });
    expect(outcome.kind).toBe('append');
    expect(outcome.kind === 'append' && outcome.events.map((e) => [e.type, e.data])).toEqual([
      ['points.released', { lotId: 'b', points: 40 }],
      ['points.expired', { lotId: 'a', points: 100 }],
      ['points.expired', { lotId: 'b', points: 40 }],
    ]);
    expect(outcome.result).toEqual({ memberId: 'm-1', lotsExpired: 2, pointsExpired: 140, lotsReleased: 1, pointsReleased: 40 });
  });

  it('skips (records nothing) when nothing is due', () => {
    const state = given(earned('a', 100, '2026-01-01T00:00:00.000Z'));
    expect(expiryCommand('m-1', '2025-12-31T23:59:59.999Z', 's1').decide({ 'm-1': state })).toMatchObject({ kind: 'skip' });
  });
});
