import { ID_PATTERN } from '@tally/contracts';

/** One lot of an opening balance: its points keep the expiry the old programme gave them. */
export interface OpeningLot {
  points: number;
  expiresAt: string;
}

/** A member's opening balance when a programme moves onto Tally. */
export interface OpeningBalanceRow {
  /** The row's idempotency key: `rowId` when the file gives one, else the member (one opening balance each). */
  key: string;
  memberId: string;
  points: number;
  lots: OpeningLot[];
  /** A floor the member's tier never goes below, set with the balance. */
  tier?: string;
}

export type RowRefusalCode = 'INVALID_ROW' | 'INVALID_MEMBER_ID' | 'INVALID_POINTS' | 'INVALID_LOT' | 'LOTS_DO_NOT_ADD_UP' | 'EMPTY_ROW';

export type ParsedRow = { ok: true; row: OpeningBalanceRow } | { ok: false; code: RowRefusalCode; message: string; memberId?: string };

/** More than any programme's member holds; a larger figure is a unit mistake in the file (minor units, a shifted column). */
export const MAX_OPENING_POINTS = 1_000_000_000;

const INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;

const refuse = (code: RowRefusalCode, message: string, memberId?: string): ParsedRow => ({ ok: false, code, message, ...(memberId ? { memberId } : {}) });

/** A whole number of points as JSON gives it (a number) or CSV does (its digits). */
const pointsOf = (value: unknown): number | undefined => {
  const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) ? n : undefined;
};

/** An instant with its offset, or a bare date (the start of that UTC day), as UTC ISO-8601. */
const instantOf = (value: unknown): string | undefined => {
  if (typeof value !== 'string' || !INSTANT.test(value.trim())) return undefined;
  const time = Date.parse(value.trim().length === 10 ? `${value.trim()}T00:00:00Z` : value.trim());
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
};

/** `500@2027-06-30;700@2027-12-31T00:00:00Z` (CSV) or `[{points, expiresAt}]` (JSON). */
const rawLotsOf = (record: Record<string, unknown>, points: number): unknown[] | undefined => {
  const { lots, expiresAt } = record;
  if (Array.isArray(lots)) return lots;
  if (typeof lots === 'string' && lots.trim() !== '') {
    return lots.split(';').map((part) => {
      const [p, at] = part.split('@');
      return { points: p, expiresAt: at };
    });
  }
  // One expiry for the whole balance: one lot.
  if (expiresAt !== undefined && expiresAt !== '') return [{ points, expiresAt }];
  return points === 0 ? [] : undefined;
};

const lotsOf = (raw: unknown[]): OpeningLot[] | string => {
  const lots: OpeningLot[] = [];
  for (const [i, item] of raw.entries()) {
    const lot = (item ?? {}) as Record<string, unknown>;
    const points = pointsOf(lot.points);
    const expiresAt = instantOf(lot.expiresAt);
    if (points === undefined || points <= 0) return `lot ${i + 1}: points must be a whole number above 0`;
    if (expiresAt === undefined) return `lot ${i + 1}: expiresAt must be a date or an ISO-8601 instant with its offset`;
    lots.push({ points, expiresAt });
  }
  return lots;
};

const textOf = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

/**
 * A row of an opening-balance file, from a JSON Lines record or a CSV record (every value a
 * string): `memberId`, `points`, `lots` (or one `expiresAt` for all points), `tier?`, `rowId?`.
 * What is wrong with it is a refusal with a stable code, never an exception.
 */
export const parseOpeningBalanceRow = (record: unknown): ParsedRow => {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return refuse('INVALID_ROW', 'a row must be an object');
  const fields = record as Record<string, unknown>;
  const memberId = textOf(fields.memberId);
  if (memberId === undefined || !ID_PATTERN.test(memberId)) return refuse('INVALID_MEMBER_ID', 'memberId must be 1-64 characters of [A-Za-z0-9._:-]');
  const rowId = textOf(fields.rowId);
  if (rowId !== undefined && !ID_PATTERN.test(rowId)) return refuse('INVALID_ROW', 'rowId must be 1-64 characters of [A-Za-z0-9._:-]', memberId);
  const points = pointsOf(fields.points ?? 0);
  if (points === undefined || points < 0 || points > MAX_OPENING_POINTS) {
    return refuse('INVALID_POINTS', `points must be a whole number from 0 to ${MAX_OPENING_POINTS}`, memberId);
  }
  const raw = rawLotsOf(fields, points);
  if (raw === undefined) return refuse('INVALID_LOT', 'points need lots (or one expiresAt) saying when they expire', memberId);
  const lots = lotsOf(raw);
  if (typeof lots === 'string') return refuse('INVALID_LOT', lots, memberId);
  const sum = lots.reduce((total, lot) => total + lot.points, 0);
  if (sum !== points) return refuse('LOTS_DO_NOT_ADD_UP', `the lots hold ${sum} points, the row says ${points}`, memberId);
  const tier = textOf(fields.tier);
  if (points === 0 && tier === undefined) return refuse('EMPTY_ROW', 'a row needs points or a tier', memberId);
  return { ok: true, row: { key: rowId ?? memberId, memberId, points, lots, ...(tier !== undefined ? { tier } : {}) } };
};
