import { balanceOf, evolveMember, initialMemberState } from '@tally/member-ledger';
import { T0, earned, given } from '../testing/ledger.fixtures';
import { judgeAttempt } from './challenge-attempt';
import { decideConfirmedTransfer } from './confirmed.decider';
import { challengeHoldId, decideTransferChallenge } from './challenge-hold.decider';

const LATER = '2026-06-01T00:00:00.000Z';
const RULES = { transfers: { enabled: true, maxPointsPerTransfer: 1000 }, tiers: [{ name: 'member', threshold: 0 }] };
const command = { transferId: 't-1', points: 300, occurredAt: T0, day: '2026-01-10', holdId: challengeHoldId('c-1'), ttlSeconds: 60 };

describe('step-up of a transfer', () => {
  it('holds the points for the challenge, then moves exactly the held points on confirmation', () => {
    const sender = given(earned('lot', 500, LATER));
    const recipient = initialMemberState('m-2002');
    const held = decideTransferChallenge(sender, recipient, command, RULES);
    if (held.kind !== 'append') throw new Error(held.kind);
    const onHold = held.events.reduce((s, e) => evolveMember(s, e, s.version + 1), sender);
    expect(balanceOf(onHold)).toMatchObject({ available: 200, held: 300 });

    const confirmed = decideConfirmedTransfer(onHold, recipient, challengeHoldId('c-1'), command, RULES);
    if (confirmed.kind !== 'append') throw new Error(confirmed.kind);
    expect(confirmed.events.map((e) => e.type)).toEqual(['hold.released', 'points.transferred', 'points.received']);
    const after = confirmed.events.filter((e) => e.memberId === sender.memberId).reduce((s, e) => evolveMember(s, e, s.version + 1), onHold);
    expect(balanceOf(after)).toMatchObject({ available: 200, held: 0 });
  });

  it('refuses before holding anything when the transfer itself would be refused', () => {
    expect(decideTransferChallenge(given(earned('lot', 500, LATER)), initialMemberState('m-2002'), { ...command, points: 1001 }, RULES)).toMatchObject({
      kind: 'reject',
      code: 'TRANSFER_TOO_LARGE',
    });
  });

  it('says the challenge expired when its hold is gone', () => {
    expect(decideConfirmedTransfer(given(earned('lot', 500, LATER)), initialMemberState('m-2002'), 'challenge:gone', command, RULES)).toMatchObject({
      kind: 'reject',
      code: 'CHALLENGE_EXPIRED',
    });
  });
});

describe('judgeAttempt', () => {
  const open = { memberId: 'm-1001', expiresAt: '2026-01-10T08:05:00.000Z', attempts: 0, state: 'open' as const };
  it.each([
    ['the right code in time', open, true, '2026-01-10T08:01:00.000Z', undefined],
    ['a wrong code', open, false, '2026-01-10T08:01:00.000Z', { kind: 'reject', code: 'WRONG_CODE', details: { attemptsLeft: 2 } }],
    ['the last wrong code', { ...open, attempts: 2 }, false, '2026-01-10T08:01:00.000Z', { kind: 'reject', code: 'TOO_MANY_ATTEMPTS' }],
    ['the right code too late', open, true, '2026-01-10T08:05:00.000Z', { kind: 'reject', code: 'CHALLENGE_EXPIRED' }],
    ['a closed challenge', { ...open, state: 'failed' as const }, true, '2026-01-10T08:01:00.000Z', { kind: 'reject', code: 'CHALLENGE_CLOSED' }],
  ])('%s', (_, challenge, matches, now, expected) => {
    expect(judgeAttempt(challenge, matches, now, 3)).toEqual(expected && expect.objectContaining(expected));
  });
});
