import { ConsumedMessage } from '@tally/messaging';
import { readLedgerBatch } from './ledger-batch';

const message = (value: unknown, offset = '0'): ConsumedMessage => ({
  topic: 'loyalty.ledger.v1',
  contractTopic: 'loyalty.ledger.v1',
  partition: 0,
  offset,
  key: null,
  value: value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
  headers: {},
  timestamp: '2026-11-23T00:00:00.000Z',
});

const event = (type: string, memberId: string, version: number, data: Record<string, unknown> = {}) => ({
  type,
  memberId,
  version,
  occurredAt: '2026-11-23T10:00:00.000Z',
  data,
});

describe('reading a batch of loyalty.ledger.v1', () => {
  it('triggers an upgrade check for events that move qualifying points, and nothing else', () => {
    const batch = readLedgerBatch([
      message(event('points.earned', 'm-1', 1)),
      message(event('points.redeemed', 'm-1', 2)),
      message(event('points.clawed-back', 'm-2', 7)),
      message(event('points.adjusted', 'm-3', 4)),
      message(event('points.expired', 'm-4', 9)),
    ]);
    expect(batch.triggers).toEqual([
      { memberId: 'm-1', version: 1 },
      { memberId: 'm-2', version: 7 },
      { memberId: 'm-3', version: 4 },
    ]);
    expect(batch.notices).toEqual([]);
  });

  it('announces each tier change, but not a floor that changed no tier', () => {
    const batch = readLedgerBatch([
      message(event('tier.changed', 'm-1', 3, { from: 'member', to: 'silver', qualifyingPoints: 1000, reason: 'threshold-reached' })),
      message(event('tier.changed', 'm-2', 5, { from: 'gold', to: 'gold', qualifyingPoints: 0, reason: 'ops-floor-set', floor: 'silver' })),
    ]);
    expect(batch.notices).toEqual([{ type: 'tier.changed', memberId: 'm-1', from: 'member', to: 'silver', effectiveAt: '2026-11-23T10:00:00.000Z' }]);
  });

  it('sets aside what is not a ledger event (to dead-letter it) instead of failing the batch', () => {
    const batch = readLedgerBatch([message('{"not json', '1'), message(null, '2'), message({ type: 'points.earned' }, '3')]);
    expect(batch.unreadable.map((u) => [u.message.offset, u.reason, u.problem])).toEqual([
      ['1', 'invalid_json', 'not JSON'],
      ['2', 'empty_message', 'empty message'],
      ['3', 'validation_failed', 'missing type, memberId, version or occurredAt'],
    ]);
  });
});
