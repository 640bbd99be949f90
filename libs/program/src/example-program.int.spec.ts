import { join } from 'node:path';
import { loadProgram } from './program.loader';

describe('the example program shipped in deploy/programs', () => {
  it('loads and overrides what it names, keeping the built-in values elsewhere', () => {
    const program = loadProgram(join(__dirname, '../../../deploy/programs/example.yaml'));
    expect(program.purchase.pendingDays).toBe(14);
    expect(program).toMatchObject({ startsAt: '2026-01-01T00:00:00+08:00', earliestOccurredAt: '2025-10-01T00:00:00+08:00' });
    expect(program.campaigns.map((c) => c.id)).toEqual(['double-11', 'tea-week-sh']);
    expect(program.rewards.find((r) => r.id === 'mug')).toMatchObject({ minTier: 'gold', stock: 500 });
    expect(program.referral).toEqual({ referrerPoints: 200, refereePoints: 100 });
    expect(program.transfers).toMatchObject({ enabled: true, minSenderTier: 'silver', maxRecipientsPerMonth: 5 });
    expect(program.stepUp).toEqual({ transferThreshold: 2000, codeTtlSeconds: 300, maxAttempts: 5 });
  });
});
