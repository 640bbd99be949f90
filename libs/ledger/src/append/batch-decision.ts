// The pure part of an append: a batch of commands decided, one after the other, on the states the
// earlier ones left, into the rows the append statement writes. No I/O: the states, the causations
// already answered, the append time and the event ids come in.
import { NewLedgerEvent } from '@tally/contracts';
import { MemberFold, MemberState, keyed } from '@tally/member-ledger';
import { HashHex, assertHashableId, eventHash } from '../hashing/event-hash';
import { LoadedMember } from '../state/member-state.cache';
import { encodeEventData } from '../storage/event-codec';
import { storedInstantText, timestamptzText } from '../storage/epoch-iso';
import { SeenCausation, causationKey } from './causations';
import { AppendedEvent, CommandResult, LedgerCommand, StoreHourCount } from './ledger-command';

/** The append time every event of the batch gets (it is hashed into each), and where event ids come from. */
export interface BatchClock {
  recordedAt: string;
  newEventId: () => string;
}

/** A row to insert, with its data already in stored form (the text the hash covers). */
export interface EventRow {
  memberId: string;
  version: number;
  eventId: string;
  type: string;
  occurredAt: string;
  causationId: string;
  dataText: string;
  hash: HashHex;
}

export interface CausationRow {
  scope: string;
  id: string;
  outcome: string;
  fingerprint: string | null;
  result: unknown;
  /** The version of the command's first member when it was decided. */
  memberVersion: number;
}

export interface RejectionRow {
  scope: string;
  id: string;
  memberId: string;
  /** The command's other members, whom the refusal concerns too (none: null). */
  relatedMemberIds: string[] | null;
  code: string;
  message: string;
  occurredAt: string | null;
  input: unknown;
  /** The version of the refused member the refusal was decided on. */
  memberVersion: number;
  final: boolean;
}

/** What one attempt decided: the rows to write, the replies, and the states it leaves behind. */
export interface Decided<R> {
  /** The append time of every event in the batch (it is hashed into each). */
  recordedAt: string;
  events: EventRow[];
  causations: CausationRow[];
  rejections: RejectionRow[];
  /**
   * The causations of the commands that record none (skips, refusals that are not final): taken
   * for unanswered, which the write checks. One answered already is a duplicate, found under locks.
   */
  unrecorded: { scope: string; id: string }[];
  /** What the appended commands add to stores' hourly counts (`LedgerCommand.counts`), written with them. */
  counts: StoreHourCount[];
  results: CommandResult<R>[];
  members: Map<string, LoadedMember>;
  /** The folds of the members this batch appends to, one each. */
  folds: Map<string, MemberFold>;
  /**
   * The version every member the batch decided on was at before its first decision: whether it
   * appended, refused or skipped, the write checks that it is still the member's head.
   */
  bases: Map<string, number>;
  touched: Set<string>;
  /** The orders read before deciding (`orderKey`): any other order the batch writes is new. */
  storedOrders: Set<string>;
  /**
   * Lots the batch's earnings opened, by id (ids are minted with the decision, so none is stored
   * yet): written by a plain insert. A lot an event reopens (a reversal into a closed lot) is not
   * one, as it may still be stored if it closed in this same batch.
   */
  openedLots: Set<string>;
}

/** An instant as `toISOString()` writes it: stored and hashed as it is, with no parse. */
const CANONICAL_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * A refused input's `occurredAt` as the rejection row keeps it. The input's own text may name an
 * instant PostgreSQL would refuse to read as written (year 0000, an offset beyond 15:59): one
 * refusal must not fail its whole batch. Kept to the millisecond, as the decision read it.
 */
const rejectionInstant = (occurredAt: string | undefined): string | null => {
  const ms = occurredAt === undefined ? Number.NaN : Date.parse(occurredAt);
  return Number.isNaN(ms) ? null : timestamptzText(ms);
};

/** The members of a command besides the one a refusal is recorded against (none: null). */
const othersThan = (memberId: string, memberIds: readonly string[]): string[] | null => {
  const others = memberIds.filter((id) => id !== memberId);
  return others.length === 0 ? null : [...new Set(others)];
};

/** A loaded member's version as the batch's decisions so far left it (0 for a member not loaded). */
const versionOf = <R>(decided: Decided<R>, memberId: string | undefined): number =>
  (memberId === undefined ? undefined : decided.members.get(memberId)?.state.version) ?? 0;

/** The lot an earning opens, under an id minted for it (adjustments, rare, are left to the upsert). */
const openedLotOf = (event: NewLedgerEvent): string | undefined => (event.type === 'points.earned' ? event.data.lotId : undefined);

/** An order's key in `Decided.storedOrders`. */
export const orderKey = (memberId: string, orderId: string) => `${memberId}\u0000${orderId}`;

const storedOrderKeys = (loaded: Map<string, LoadedMember>): Set<string> => {
  const keys = new Set<string>();
  for (const [memberId, { state }] of loaded) for (const orderId of state.orders.keys()) keys.add(orderKey(memberId, orderId));
  return keys;
};

/**
 * Decides the commands in order. A causation seen before (stored, or earlier in the batch) is a
 * duplicate with the first result; every member a command decides on gets its base version (the
 * head the write must still find); appended events are folded into the states, which the caller
 * handed over, in place.
 */
export const decideBatch = <R>(
  commands: LedgerCommand<R>[],
  loaded: Map<string, LoadedMember>,
  seen: Map<string, SeenCausation>,
  { recordedAt, newEventId }: BatchClock,
): Decided<R> => {
  const decided: Decided<R> = {
    recordedAt,
    events: [],
    causations: [],
    rejections: [],
    unrecorded: [],
    counts: [],
    results: [],
    members: new Map(loaded),
    folds: new Map(),
    bases: new Map(),
    touched: new Set(),
    storedOrders: storedOrderKeys(loaded),
    openedLots: new Set(),
  };
  // One record for every command's states, emptied after each: not a dictionary object per purchase.
  const view = keyed<MemberState>();
  for (const command of commands) {
    assertHashableId('causationId', command.causationId);
    const key = causationKey(command.scope, command.causationId);
    const earlier = seen.get(key);
    if (earlier) {
      decided.results.push({
        status: 'duplicate',
        result: earlier.result,
        outcome: earlier.outcome,
        fingerprint: earlier.fingerprint,
        sameFingerprint: (earlier.fingerprint ?? null) === (command.fingerprint ?? null),
      });
      continue;
    }
    for (const id of command.memberIds) {
      const { state } = decided.members.get(id) as LoadedMember;
      view[id] = state;
      if (!decided.bases.has(id)) decided.bases.set(id, state.version);
    }
    const outcome = command.decide(view);
    for (const id of command.memberIds) delete view[id];
    const fingerprint = command.fingerprint ?? null;
    if (outcome.kind === 'skip') {
      decided.unrecorded.push({ scope: command.scope, id: command.causationId });
      decided.results.push({ status: 'skipped', result: outcome.result });
      continue;
    }
    const stored = outcome.result ?? null;
    const memberVersion = versionOf(decided, command.memberIds[0]);
    if (outcome.kind === 'reject') {
      const final = outcome.final !== false;
      if (final) {
        seen.set(key, { outcome: 'rejected', fingerprint, result: outcome.result });
        decided.causations.push({ scope: command.scope, id: command.causationId, outcome: 'rejected', fingerprint, result: stored, memberVersion });
      } else decided.unrecorded.push({ scope: command.scope, id: command.causationId });
      decided.rejections.push({
        scope: command.scope,
        id: command.causationId,
        memberId: outcome.memberId,
        relatedMemberIds: othersThan(outcome.memberId, command.memberIds),
        code: outcome.code,
        message: outcome.message,
        occurredAt: rejectionInstant(command.refused?.occurredAt),
        input: command.refused?.input ?? null,
        memberVersion: versionOf(decided, outcome.memberId),
        final,
      });
      decided.results.push({ status: 'rejected', result: outcome.result, code: outcome.code, message: outcome.message, final });
      continue;
    }
    seen.set(key, { outcome: 'appended', fingerprint, result: outcome.result });
    const appended: AppendedEvent[] = [];
    for (const event of outcome.events) {
      if (!command.memberIds.includes(event.memberId)) {
        throw new Error(`command ${key} decided an event for ${event.memberId}, which it did not load`);
      }
      const row = appendEvent(decided as Decided<unknown>, event, command.causationId, recordedAt, newEventId);
      decided.events.push(row);
      decided.touched.add(event.memberId);
      const openedLot = openedLotOf(event);
      if (openedLot !== undefined) decided.openedLots.add(openedLot);
      appended.push({ memberId: row.memberId, version: row.version, eventId: row.eventId, type: row.type, recordedAt });
    }
    if (command.counts) for (const count of command.counts(outcome.events)) decided.counts.push(count);
    decided.causations.push({ scope: command.scope, id: command.causationId, outcome: 'appended', fingerprint, result: stored, memberVersion });
    decided.results.push({ status: 'appended', result: outcome.result, events: appended });
  }
  return decided;
};

/**
 * Folds one event into its member's state and chain, and returns its row. The state was handed
 * over for this batch (see LedgerStore), so the fold writes into it without copying anything.
 */
const appendEvent = (decided: Decided<unknown>, event: NewLedgerEvent, causationId: string, recordedAt: string, newEventId: () => string): EventRow => {
  const current = decided.members.get(event.memberId) as LoadedMember;
  let fold = decided.folds.get(event.memberId);
  if (!fold) decided.folds.set(event.memberId, (fold = MemberFold.owning(current.state)));
  const version = current.state.version + 1;
  const canonical = CANONICAL_INSTANT.test(event.occurredAt);
  const occurredAt = canonical ? event.occurredAt : new Date(event.occurredAt).toISOString();
  const eventId = newEventId();
  const dataText = JSON.stringify(encodeEventData(event.type, event.data));
  const hash = eventHash(current.lastHash, { memberId: event.memberId, version, eventId, type: event.type, occurredAt, recordedAt, causationId, dataText });
  fold.apply(canonical ? event : ({ ...event, occurredAt } as NewLedgerEvent), version);
  // The entry moves on with its state, in place like the state itself: a touched entry never
  // goes back to the cache unless its batch commits (see `failed`).
  current.lastHash = hash;
  return { memberId: event.memberId, version, eventId, type: event.type, occurredAt: storedInstantText(occurredAt), causationId, dataText, hash };
};
