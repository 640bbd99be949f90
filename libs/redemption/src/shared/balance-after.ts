import { NewLedgerEvent } from '@tally/contracts';
import { MemberState, balanceOf, evolveMember } from '@tally/member-ledger';

/** `available` once `events` are applied to `state`, folded as the store will fold them. */
export const availableAfter = (state: MemberState, events: readonly NewLedgerEvent[]): number =>
  balanceOf(
    events.reduce(
      (current, event, index) =>
        evolveMember(current, { ...event, occurredAt: new Date(event.occurredAt).toISOString() } as NewLedgerEvent, state.version + index + 1),
      state,
    ),
  ).available;
