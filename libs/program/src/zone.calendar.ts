/**
 * Calendar arithmetic in an IANA time zone with nothing but `Intl`. A "day" is a local calendar
 * date written `YYYY-MM-DD`; an "instant" is epoch milliseconds.
 */
import { MS_PER_DAY } from '@tally/contracts';

export interface LocalDateTime {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** A zone's wall-clock time as Intl gives it in parts: the civil date and a 24-hour time to the second. */
export const WALL_CLOCK_PARTS: Intl.DateTimeFormatOptions = {
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
};

const formatterFor = (timeZone: string): Intl.DateTimeFormat => {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, ...WALL_CLOCK_PARTS });
    formatters.set(timeZone, formatter);
  }
  return formatter;
};

export const isTimeZone = (timeZone: string): boolean => {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
};

/** The wall-clock date and time an instant shows in a zone, as `Intl` works it out (slow: microseconds). */
const exactLocalDateTimeAt = (timeZone: string, instant: number): LocalDateTime => {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute, second: parts.second };
};

const exactOffsetMs = (timeZone: string, instant: number): number => {
  const local = exactLocalDateTimeAt(timeZone, instant);
  const wallAsUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
  return wallAsUtc - Math.floor(instant / 1000) * 1000;
};

/**
 * Offsets by quarter hour: a zone's offset is the same at both ends of a quarter hour unless it
 * changes inside it, and no zone changes twice within fifteen minutes. Such a quarter (`null`) is
 * worked out exactly per instant. Every business day and expiry is computed through here, and
 * `Intl` is too slow to ask for each event.
 */
const QUARTER_MS = 15 * 60_000;
const QUARTERS_KEPT = 20_000;
/** Per zone, by quarter-hour number: keyed by number, so a lookup builds no string. */
const quarterOffsets = new Map<string, Map<number, number | null>>();

/** A zone's own table in a per-zone cache, made on first use. */
const tableOf = <V>(tables: Map<string, Map<number, V>>, timeZone: string): Map<number, V> => {
  let table = tables.get(timeZone);
  if (!table) tables.set(timeZone, (table = new Map()));
  return table;
};

/** How far the zone's wall clock is ahead of UTC at an instant. */
export const zoneOffsetMs = (timeZone: string, instant: number): number => {
  const quarter = Math.floor(instant / QUARTER_MS);
  const offsets = tableOf(quarterOffsets, timeZone);
  let offset = offsets.get(quarter);
  if (offset === undefined) {
    const start = exactOffsetMs(timeZone, quarter * QUARTER_MS);
    offset = start === exactOffsetMs(timeZone, (quarter + 1) * QUARTER_MS - 1000) ? start : null;
    if (offsets.size >= QUARTERS_KEPT) offsets.clear();
    offsets.set(quarter, offset);
  }
  return offset ?? exactOffsetMs(timeZone, instant);
};

/** The wall clock an instant shows in a zone, as epoch milliseconds read as UTC (to the second, as `Intl` gives it). */
const wallMs = (timeZone: string, instant: number): number => Math.floor(instant / 1000) * 1000 + zoneOffsetMs(timeZone, instant);

/** The wall-clock date and time an instant shows in a zone. */
export const localDateTimeAt = (timeZone: string, instant: number): LocalDateTime => {
  const wall = new Date(wallMs(timeZone, instant));
  return {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
  };
};

/**
 * The instant a local date begins in a zone. Month and day may overflow (month 13 is January of the
 * next year). Two passes settle the offset across a DST change; where midnight itself is skipped
 * the result is the first instant after the gap.
 */
export const startOfLocalDay = (timeZone: string, year: number, month: number, day: number): number => {
  const wall = Date.UTC(year, month - 1, day);
  const first = wall - zoneOffsetMs(timeZone, wall);
  return wall - zoneOffsetMs(timeZone, first);
};

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

export const formatDay = ({ year, month, day }: Pick<LocalDateTime, 'year' | 'month' | 'day'>): string => `${pad(year, 4)}-${pad(month)}-${pad(day)}`;

const DAYS_KEPT = 20_000;
/** Per zone, `YYYY-MM-DD` by local day number (wall-clock days since the epoch). */
const dayNames = new Map<string, Map<number, string>>();

/**
 * The local calendar date of an instant in a zone. Every earning asks for one (daily caps, the
 * event's business day): the day's number is plain arithmetic on the wall clock, and its text is
 * written once per day, not through a `Date` and a string per call.
 */
export const dayInZone = (timeZone: string, instant: number): string => {
  const dayNumber = Math.floor(wallMs(timeZone, instant) / MS_PER_DAY);
  const names = tableOf(dayNames, timeZone);
  let name = names.get(dayNumber);
  if (name === undefined) {
    name = new Date(dayNumber * MS_PER_DAY).toISOString().slice(0, 10);
    if (names.size >= DAYS_KEPT) names.clear();
    names.set(dayNumber, name);
  }
  return name;
};

export const toIso = (instant: number): string => new Date(instant).toISOString();
