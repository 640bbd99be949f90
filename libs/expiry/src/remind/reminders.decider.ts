import { PointsExpiringSoon, instant, plusDays } from '@tally/contracts';
import { MemberState, lotsInSpendingOrder } from '@tally/member-ledger';
import { expirablePoints } from '../shared/expirable';

export interface ReminderDecision {
  /** One notice per member and sweep, absent when no new lot is expiring soon. */
  notification?: PointsExpiringSoon;
  /** The lots the notice covers: the caller records them so each lot is announced once. */
  notifiedLotIds: string[];
}

/**
 * Announces the lots that expire within `reminderDaysBefore` days after `asOf` (and not before it)
 * and were not announced yet. A lot whose points are all held or still pending is not announced now:
 * it is announced by a later sweep if it still has points to lose.
 */
export const decideReminders = (state: MemberState, asOf: string, reminderDaysBefore: number, alreadyNotified: ReadonlySet<string>): ReminderDecision => {
  const from = instant(asOf);
  const until = instant(plusDays(asOf, reminderDaysBefore));
  const lots = lotsInSpendingOrder(state.lots)
    .filter((lot) => !alreadyNotified.has(lot.lotId))
    .filter((lot) => instant(lot.expiresAt) > from && instant(lot.expiresAt) <= until)
    .map((lot) => ({ lotId: lot.lotId, points: expirablePoints(lot), expiresAt: lot.expiresAt }))
    .filter((lot) => lot.points > 0)
    .sort((a, b) => instant(a.expiresAt) - instant(b.expiresAt));
  const [first] = lots;
  if (!first) return { notifiedLotIds: [] };
  return {
    notification: {
      type: 'points.expiring-soon',
      memberId: state.memberId,
      points: lots.reduce((sum, lot) => sum + lot.points, 0),
      expiresAt: first.expiresAt,
      lots,
    },
    notifiedLotIds: lots.map((lot) => lot.lotId),
  };
};
