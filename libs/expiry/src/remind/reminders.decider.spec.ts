import { earned, given, held } from '../testing/ledger.fixtures';
import { decideReminders } from './reminders.decider';

const AS_OF = '2026-03-01T00:00:00.000Z';
const IN_10_DAYS = '2026-03-11T00:00:00.000Z';
const IN_30_DAYS = '2026-03-31T00:00:00.000Z';
const IN_31_DAYS = '2026-04-01T00:00:00.000Z';
const NONE = new Set<string>();

describe('decideReminders', () => {
  it('announces in one notice the lots expiring within the reminder days, earliest first', () => {
    const state = given(earned('lot-late', 300, IN_30_DAYS), earned('lot-soon', 200, IN_10_DAYS), earned('lot-far', 900, IN_31_DAYS));
    expect(decideReminders(state, AS_OF, 30, NONE)).toEqual({
      notification: {
        type: 'points.expiring-soon',
        memberId: 'm-1001',
        points: 500,
        expiresAt: IN_10_DAYS,
        lots: [
          { lotId: 'lot-soon', points: 200, expiresAt: IN_10_DAYS },
          { lotId: 'lot-late', points: 300, expiresAt: IN_30_DAYS },
        ],
      },
      notifiedLotIds: ['lot-soon', 'lot-late'],
    });
  });

  it('announces each lot once', () => {
    const state = given(earned('lot-late', 300, IN_30_DAYS), earned('lot-soon', 200, IN_10_DAYS));
    const decision = decideReminders(state, AS_OF, 30, new Set(['lot-soon']));
    expect(decision.notification).toMatchObject({ points: 300, expiresAt: IN_30_DAYS, lots: [{ lotId: 'lot-late' }] });
    expect(decision.notifiedLotIds).toEqual(['lot-late']);
    expect(decideReminders(state, AS_OF, 30, new Set(['lot-soon', 'lot-late']))).toEqual({ notifiedLotIds: [] });
  });

  it('announces only the points that can still be lost: not held, not pending, not already due', () => {
    const state = given(
      earned('lot-held', 100, IN_10_DAYS),
      held('h-1', [{ lotId: 'lot-held', points: 40, expiresAt: IN_10_DAYS }]),
      earned('lot-all-held', 50, IN_10_DAYS),
      held('h-2', [{ lotId: 'lot-all-held', points: 50, expiresAt: IN_10_DAYS }]),
      earned('lot-pending', 70, IN_10_DAYS, '2026-03-05T00:00:00Z'),
      earned('lot-due', 80, AS_OF),
    );
    expect(decideReminders(state, AS_OF, 30, NONE)).toEqual({
      notification: expect.objectContaining({ points: 60, lots: [{ lotId: 'lot-held', points: 60, expiresAt: IN_10_DAYS }] }),
      notifiedLotIds: ['lot-held'],
    });
  });

  it('says nothing when no lot expires soon', () => {
    const state = given(earned('lot-far', 900, IN_31_DAYS));
    expect(decideReminders(state, AS_OF, 30, NONE)).toEqual({ notifiedLotIds: [] });
  });
});
