import { NewLedgerEvent } from '@tally/contracts';
import { MemberState } from '@tally/member-ledger';

/** The open flag that holds the member's new earnings pending, if any (most members have no flags at all). */
export const holdingFlagOf = (state: MemberState | undefined): string | undefined => {
  const flags = state?.flags;
  if (flags === undefined) return undefined;
  for (const flagId in flags) if (flags[flagId].action === 'hold-earnings') return flagId;
  return undefined;
};

/** The flags among `raised` that hold earnings, by member. */
const raisedHolds = (raised: readonly NewLedgerEvent[]): Map<string, string> | undefined => {
  let holds: Map<string, string> | undefined;
  for (const flag of raised) {
    if (flag.type === 'member.flagged' && flag.data.action === 'hold-earnings') (holds ??= new Map()).set(flag.memberId, flag.data.flagId);
  }
  return holds;
};

/**
 * Earnings of a member a `hold-earnings` flag holds, open already or raised with them (`raised`),
 * stay pending until ops clear it: each names the flag that holds it. Everything else is returned
 * as it is, and the same array when nothing is held (the usual case, without a copy).
 */
export const holdFlaggedEarnings = (
  events: NewLedgerEvent[],
  members: Readonly<Record<string, MemberState>>,
  raised: readonly NewLedgerEvent[],
): NewLedgerEvent[] => {
  const holds = raised.length === 0 ? undefined : raisedHolds(raised);
  let held: NewLedgerEvent[] | undefined;
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    if (event.type !== 'points.earned') continue;
    const flagId = holds?.get(event.memberId) ?? holdingFlagOf(members[event.memberId]);
    if (flagId === undefined) continue;
    held ??= [...events];
    held[i] = { ...event, data: { ...event.data, heldByFlag: flagId } };
  }
  return held ?? events;
};
