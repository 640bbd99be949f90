import { MemberActivity } from '@tally/contracts';
import { MemberState } from '@tally/member-ledger';
import { ActivityRule, businessDay } from '@tally/program';
import { EarnContext, EarnDecision, append, reject } from '../earn.decision';
import { earnedEvent, optional } from '../shared/earned-event';
import { lateInputRefusal } from '../shared/late-input';

interface Usage {
  limit: 'day' | 'year' | 'lifetime';
  max: number | undefined;
  count: number;
}

/** How often the activity was rewarded: on the business day, in its calendar year, ever. */
const usagesOf = (rule: ActivityRule, state: MemberState, day: string): Usage[] => {
  const year = day.slice(0, 4);
  const lifetime = Object.entries(state.activityYears)
    .filter(([key]) => key.startsWith(`${rule.id}@`))
    .reduce((sum, [, count]) => sum + count, 0);
  return [
    { limit: 'day', max: rule.maxPerDay, count: state.daily.get(day)?.activities[rule.id] ?? 0 },
    { limit: 'year', max: rule.maxPerYear, count: state.activityYears[`${rule.id}@${year}`] ?? 0 },
    { limit: 'lifetime', max: rule.maxLifetime, count: lifetime },
  ];
};

/** Rewards an activity the program defines, within its limits per business day, year and lifetime. */
export const decideActivity = (activity: MemberActivity, state: MemberState, ctx: EarnContext): EarnDecision => {
  const { memberId } = activity;
  const rule = ctx.program.activities.find((candidate) => candidate.id === activity.activity);
  if (!rule) return reject(memberId, 'UNKNOWN_ACTIVITY', `the program does not reward activity ${activity.activity}`);
  const day = businessDay(ctx.program, activity.occurredAt);
  if (rule.maxPerDay !== undefined) {
    const late = lateInputRefusal(memberId, state, ctx.program, day, `activity ${rule.id} (limited per day)`);
    if (late) return late;
  }
  const reached = usagesOf(rule, state, day).find((usage) => usage.max !== undefined && usage.count >= usage.max);
  if (reached) {
    return reject(memberId, 'ACTIVITY_LIMIT_REACHED', `activity ${rule.id} is limited to ${reached.max} per ${reached.limit} (${day})`);
  }
  return append(
    earnedEvent(state, activity.occurredAt, ctx, {
      points: rule.points,
      reason: 'activity',
      activity: rule.id,
      multiplier: 1,
      ruleIds: [`activity.${rule.id}`],
      ...optional('storeId', activity.storeId),
    }),
  );
};
