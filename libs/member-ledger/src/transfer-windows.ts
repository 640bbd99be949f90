/** Points a member sent and received by transfer in one period. */
export interface TransferCounts {
  sent: number;
  received: number;
}

/** A month's counts, with the distinct members sent to (for "at most N recipients a month"). */
export interface MonthTransfers extends TransferCounts {
  recipients: string[];
}

/**
 * What a member sent and received by transfer, for the program's limits: the newest few business
 * days and months only (a decision looks at the current one), so the state stays small.
 */
export interface TransferWindows {
  days: Record<string, TransferCounts>;
  months: Record<string, MonthTransfers>;
}

/** Periods of each kind kept: the current one and the one before, for decisions near midnight or a month's end. */
const KEPT = 2;

const NONE: TransferCounts = { sent: 0, received: 0 };

export const monthOf = (day: string): string => day.slice(0, 7);

const newest = <T>(record: Record<string, T>): Record<string, T> =>
  Object.fromEntries(
    Object.entries(record)
      .sort(([a], [b]) => (a < b ? 1 : a > b ? -1 : 0))
      .slice(0, KEPT),
  );

/** The counts of `day` and of its month; zero when nothing was transferred then. */
export const transfersOn = (windows: TransferWindows | undefined, day: string): { day: TransferCounts; month: MonthTransfers } => ({
  day: windows?.days[day] ?? NONE,
  month: windows?.months[monthOf(day)] ?? { ...NONE, recipients: [] },
});

/** New windows with a transfer counted on `day` (the ones given are left as they were). */
export const countTransfer = (
  windows: TransferWindows | undefined,
  day: string,
  change: { sent?: number; received?: number; recipient?: string },
): TransferWindows => {
  const current = transfersOn(windows, day);
  const sent = change.sent ?? 0;
  const received = change.received ?? 0;
  const recipients =
    change.recipient === undefined || current.month.recipients.includes(change.recipient)
      ? current.month.recipients
      : [...current.month.recipients, change.recipient];
  return {
    days: newest({ ...windows?.days, [day]: { sent: current.day.sent + sent, received: current.day.received + received } }),
    months: newest({
      ...windows?.months,
      [monthOf(day)]: { sent: current.month.sent + sent, received: current.month.received + received, recipients },
    }),
  };
};
