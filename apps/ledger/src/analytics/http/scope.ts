import { ID_PATTERN } from '@tally/contracts';
import { AppError, RequestLike, callerOf } from '@tally/platform';
import { Program, businessDay } from '@tally/program';
import { PERIODS, Period, isoWeekOf, monthOf } from '../fold/periods';
import { DayRange } from '../read/analytics.queries';

/** The longest span one analytics request may cover. */
export const MAX_RANGE_DAYS = 400;

const invalid = (field: string, problem: string) =>
  new AppError({ status: 400, error: 'invalid_request', message: `invalid request: ${field} ${problem}`, fields: [{ field, problems: [problem] }] });

/** `ops` and `read` see every store (and the programme); a store token sees its own store only. */
export const scopedStore = (request: RequestLike, storeId: string | undefined): { storeId?: string; allStores: boolean } => {
  const caller = callerOf(request);
  if (caller?.kind !== 'store') return { storeId, allStores: true };
  if (storeId !== undefined && storeId !== caller.storeId) {
    throw new AppError({ status: 403, error: 'forbidden', message: `store:${caller.storeId} may not see store ${storeId}` });
  }
  return { storeId: caller.storeId, allStores: false };
};

const dayMs = (day: string): number => Date.parse(`${day}T00:00:00Z`);
const isRealDay = (day: string): boolean => !Number.isNaN(dayMs(day)) && new Date(dayMs(day)).toISOString().startsWith(day);
const addDays = (day: string, days: number): string => new Date(dayMs(day) + days * 86_400_000).toISOString().slice(0, 10);

/** The requested days, by default the 30 up to today in the programme's time zone. */
export const dayRange = (program: Program, now: Date, query: { from?: string; to?: string }, storeId?: string): DayRange => {
  const to = query.to ?? businessDay(program, now.toISOString());
  const from = query.from ?? addDays(to, -29);
  if (!isRealDay(from)) throw invalid('from', 'is not a calendar day');
  if (!isRealDay(to)) throw invalid('to', 'is not a calendar day');
  if (from > to) throw invalid('from', 'must not be after to');
  if ((dayMs(to) - dayMs(from)) / 86_400_000 >= MAX_RANGE_DAYS) throw invalid('from', `must be less than ${MAX_RANGE_DAYS} days before to`);
  return { from, to, storeId };
};

const PERIOD_KEYS: Record<Exclude<Period, 'campaign'>, RegExp> = {
  day: /^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/,
  week: /^[0-9]{4}-W(0[1-9]|[1-4][0-9]|5[0-3])$/,
  month: /^[0-9]{4}-(0[1-9]|1[0-2])$/,
};

export const parsePeriod = (raw: string): Period => {
  if (!(PERIODS as readonly string[]).includes(raw)) throw invalid('period', `must be one of ${PERIODS.join(', ')}`);
  return raw as Period;
};

/** The board's key: as asked (checked against its period), else the period that holds `now`. */
export const periodKey = (program: Program, now: Date, period: Period, key: string | undefined): string => {
  if (period === 'campaign') {
    if (key === undefined) throw invalid('key', 'is required for a campaign (its id)');
    if (!program.campaigns.some((c) => c.id === key)) {
      throw new AppError({ status: 404, error: 'campaign_not_found', message: `the programme has no campaign ${key}` });
    }
    return key;
  }
  if (key !== undefined) {
    if (!PERIOD_KEYS[period].test(key))
      throw invalid('key', `is not a ${period} (${period === 'day' ? 'YYYY-MM-DD' : period === 'week' ? 'YYYY-Www' : 'YYYY-MM'})`);
    return key;
  }
  const today = businessDay(program, now.toISOString());
  return period === 'day' ? today : period === 'week' ? isoWeekOf(today) : monthOf(today);
};

export const assertMemberId = (memberId: string): void => {
  if (!ID_PATTERN.test(memberId)) throw invalid('memberId', 'must be 1-64 characters of [A-Za-z0-9._:-]');
};
