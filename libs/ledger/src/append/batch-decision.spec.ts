import { NewLedgerEvent } from '@tally/contracts';
import { initialMemberState } from '@tally/member-ledger';
import { GENESIS_HASH, eventHash } from '../hashing/event-hash';
import { LoadedMember } from '../state/member-state.cache';
import { decideBatch } from './batch-decision';
import { SeenCausation, causationKey } from './causations';
import { CommandOutcome, LedgerCommand } from './ledger-command';

const RECORDED_AT = '2026-12-07T10:00:00.000Z';

const loaded = (...memberIds: string[]): Map<string, LoadedMember> =>
  new Map(memberIds.map((id) => [id, { state: initialMemberState(id), lastHash: GENESIS_HASH, snapshotVersion: 0 }]));

const earned = (memberId: string, points: number, lotId = `lot-${memberId}-${points}`): NewLedgerEvent => ({
  type: 'points.earned',
  memberId,
  occurredAt: '2026-12-01T08:00:00.000Z',
  data: { points, lotId, expiresAt: '2027-12-01T08:00:00.000Z', reason: 'purchase', tier: 'member', multiplier: 1, ruleIds: [] },
});

const command = (causationId: string, memberIds: string[], decide: LedgerCommand<string>['decide'], fingerprint?: string): LedgerCommand<string> => ({
  scope: 'test',
  causationId,
  memberIds,
  decide,
  ...(fingerprint ? { fingerprint } : {}),
});

const earn = (causationId: string, memberId: string, points: number) =>
  command(causationId, [memberId], () => ({ kind: 'append', events: [earned(memberId, points, `lot-${causationId}`)], result: causationId }));

/** Refuses while the member has fewer than `points` available (a state the earlier commands may change). */
const spend = (causationId: string, memberId: string, points: number, final = true) =>
  command(causationId, [memberId], (states): CommandOutcome<string> => {
    const available = [...states[memberId].lots.values()].reduce((sum, lot) => sum + lot.remaining, 0);
    return available >= points
      ? { kind: 'skip', result: 'enough' }
      : { kind: 'reject', memberId, code: 'INSUFFICIENT_POINTS', message: `${available} available`, result: 'refused', final };
  });

const ids = () => {
  let n = 0;
  return () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
};

const decide = (commands: LedgerCommand<string>[], members: Map<string, LoadedMember>, seen = new Map<string, SeenCausation>()) =>
  decideBatch(commands, members, seen, { recordedAt: RECORDED_AT, newEventId: ids() });

describe('a batch decided without the database', () => {
  it('decides each command on the state the earlier ones left, chaining versions and hashes', () => {
    const decided = decide([earn('e-1', 'm-1', 100), spend('s-1', 'm-1', 150), earn('e-2', 'm-1', 100), spend('s-2', 'm-1', 150)], loaded('m-1'));
    expect(decided.results.map((r) => r.status)).toEqual(['appended', 'rejected', 'appended', 'skipped']);
    expect(decided.events.map((e) => e.version)).toEqual([1, 2]);
    const [first, second] = decided.events;
    expect(first.hash).toBe(eventHash(GENESIS_HASH, { ...first, recordedAt: RECORDED_AT }));
    expect(second.hash).toBe(eventHash(first.hash, { ...second, recordedAt: RECORDED_AT }));
    expect(decided.members.get('m-1')?.state.version).toBe(2);
    expect(decided.rejections).toEqual([expect.objectContaining({ id: 's-1', memberVersion: 1, final: true })]);
  });

  it('keeps the head every member was decided on, whether its command appended, refused or skipped', () => {
    const members = loaded('m-1', 'm-2', 'm-3');
    (members.get('m-2') as LoadedMember).state.version = 7;
    (members.get('m-3') as LoadedMember).state.version = 4;
    const decided = decide([earn('e-1', 'm-1', 10), spend('s-2', 'm-2', 5), command('k-3', ['m-3'], () => ({ kind: 'skip', result: 'nothing' }))], members);
    expect(Object.fromEntries(decided.bases)).toEqual({ 'm-1': 0, 'm-2': 7, 'm-3': 4 });
    expect([...decided.touched]).toEqual(['m-1']);
  });

  it('answers a causation seen before, or earlier in the batch, as a duplicate of its first result', () => {
    const seen = new Map([[causationKey('test', 'e-1'), { outcome: 'appended', fingerprint: 'f1', result: 'first' }]]);
    const decided = decide(
      [command('e-1', ['m-1'], () => ({ kind: 'append', events: [earned('m-1', 1)], result: 'again' }), 'f2'), earn('e-2', 'm-1', 5), earn('e-2', 'm-1', 6)],
      loaded('m-1'),
      seen,
    );
    expect(decided.results[0]).toEqual({ status: 'duplicate', result: 'first', outcome: 'appended', fingerprint: 'f1', sameFingerprint: false });
    expect(decided.results[2]).toMatchObject({ status: 'duplicate', result: 'e-2', outcome: 'appended', sameFingerprint: true });
    expect(decided.events).toHaveLength(1);
    expect(decided.causations.map((c) => c.id)).toEqual(['e-2']);
  });

  it('logs a refusal that is not final without answering its causation, which the batch may then decide again', () => {
    const decided = decide([spend('r-1', 'm-1', 50, false), earn('e-1', 'm-1', 60), spend('r-1', 'm-1', 50, false)], loaded('m-1'));
    expect(decided.results.map((r) => r.status)).toEqual(['rejected', 'appended', 'skipped']);
    expect(decided.rejections).toEqual([expect.objectContaining({ id: 'r-1', final: false, memberVersion: 0 })]);
    expect(decided.causations.map((c) => c.id)).toEqual(['e-1']);
    expect(decided.unrecorded).toEqual([
      { scope: 'test', id: 'r-1' },
      { scope: 'test', id: 'r-1' },
    ]);
  });

  it('refuses an event for a member its command did not load', () => {
    expect(() => decide([command('x-1', ['m-1'], () => ({ kind: 'append', events: [earned('m-2', 1)], result: 'x' }))], loaded('m-1', 'm-2'))).toThrow(
      /decided an event for m-2, which it did not load/,
    );
  });
});
