import {
  LedgerEventDataMap,
  LedgerEventType,
  MemberActivity,
  MemberCheckedIn,
  NewLedgerEvent,
  PurchaseCompleted,
  PurchaseRefunded,
  InputEvent,
  ReferralCompleted,
  membersOf,
} from '@tally/contracts';
import { MemberState, evolveMember, initialMemberState } from '@tally/member-ledger';
import { MEMBER_ID } from '@tally/member-ledger/testing';
import { DEFAULT_PROGRAM, Program } from '@tally/program';
import { decideEarn } from '../earn.decider';
import { EarnContext, EarnDecision, EarnRefusalCode } from '../earn.decision';

/** Test support: "given" states are folded from real ledger events with the member ledger's own fold. */
export const MEMBER = MEMBER_ID;
export const NOW = new Date('2026-11-23T12:00:00Z');

export const programWith = (overrides: { [K in keyof Program]?: Partial<Program[K]> | Program[K] }): Program =>
  ({ ...DEFAULT_PROGRAM, ...overrides }) as Program;

export const purchaseRule = (rule: Partial<Program['purchase']>): Program => programWith({ purchase: { ...DEFAULT_PROGRAM.purchase, ...rule } });

/** A context whose lot ids count up from `lot-1`. */
export const contextFor = (program: Program = DEFAULT_PROGRAM): EarnContext => {
  let next = 0;
  return { program, now: NOW, newLotId: () => `lot-${++next}` };
};

export type Fold = (state: MemberState, event: NewLedgerEvent, version: number) => MemberState;

export const fold = (state: MemberState, events: readonly NewLedgerEvent[], evolve: Fold = evolveMember): MemberState =>
  events.reduce((next, event) => (event.memberId === next.memberId ? evolve(next, event, next.version + 1) : next), state);

export const given = (memberId: string, ...events: NewLedgerEvent[]): MemberState => fold(initialMemberState(memberId), events);

export type Members = Record<string, MemberState>;

/** Folds an accepted decision into the states of the members it touches. */
export const applied = (members: Members, decision: EarnDecision, evolve: Fold = evolveMember): Members => {
  if (decision.kind !== 'append') return members;
  const next = { ...members };
  for (const event of decision.events) {
    next[event.memberId] = fold(next[event.memberId] ?? initialMemberState(event.memberId), [event], evolve);
  }
  return next;
};

/** Decides inputs one after another, as the earn service does, folding each accepted decision. */
export const run = (
  inputs: readonly Parameters<typeof decideEarn>[0][],
  ctx: EarnContext,
  members: Members = {},
  evolve: Fold = evolveMember,
): { members: Members; decisions: EarnDecision[] } => {
  const decisions: EarnDecision[] = [];
  let state = members;
  for (const input of inputs) {
    const touched = Object.fromEntries(membersOf(input).map((id) => [id, state[id] ?? initialMemberState(id)]));
    const decision = decideEarn(input, touched, ctx);
    decisions.push(decision);
    state = applied(state, decision, evolve);
  }
  return { members: state, decisions };
};

/** The states the ledger hands a decision on members with no history yet. */
export const initialStatesOf = (input: InputEvent): Members => Object.fromEntries(membersOf(input).map((id) => [id, initialMemberState(id)]));

/** Decides an input for members with no history yet. */
export const decideFresh = (input: InputEvent, ctx: EarnContext): EarnDecision => decideEarn(input, initialStatesOf(input), ctx);

export { eventsOf } from '@tally/member-ledger/testing';

export const dataOf = <K extends LedgerEventType>(type: K, event: NewLedgerEvent): LedgerEventDataMap[K] => {
  if (event.type !== type) throw new Error(`expected ${type}, got ${event.type}`);
  return event.data as LedgerEventDataMap[K];
};

export const tierChanged = (memberId: string, to: string, occurredAt = '2026-01-01T00:00:00Z'): NewLedgerEvent => ({
  type: 'tier.changed',
  memberId,
  occurredAt,
  data: { from: 'member', to, qualifyingPoints: 0, reason: 'threshold-reached' },
});

export const purchase = (overrides: Partial<PurchaseCompleted> = {}): PurchaseCompleted => ({
  eventId: 'pos-7-000123',
  type: 'purchase.completed',
  occurredAt: '2026-11-23T10:15:00+08:00',
  memberId: MEMBER,
  storeId: 'sh-07',
  channel: 'store',
  orderId: 'o-555',
  amountMinor: 12_990,
  currency: 'CNY',
  ...overrides,
});

export const refund = (overrides: Partial<PurchaseRefunded> = {}): PurchaseRefunded => ({
  eventId: 'pos-7-000124',
  type: 'purchase.refunded',
  occurredAt: '2026-11-24T09:00:00+08:00',
  memberId: MEMBER,
  storeId: 'sh-07',
  orderId: 'o-555',
  refundId: 'r-1',
  amountMinor: 3_000,
  currency: 'CNY',
  ...overrides,
});

export const checkIn = (occurredAt: string, overrides: Partial<MemberCheckedIn> = {}): MemberCheckedIn => ({
  eventId: `app-ci-${occurredAt}`,
  type: 'member.checked-in',
  occurredAt,
  memberId: MEMBER,
  ...overrides,
});

export const referral = (referrerId: string, refereeId: string, overrides: Partial<ReferralCompleted> = {}): ReferralCompleted => ({
  eventId: `ref-${referrerId}-${refereeId}`,
  type: 'referral.completed',
  occurredAt: '2026-11-23T12:00:00+08:00',
  referrerId,
  refereeId,
  ...overrides,
});

export const activity = (name: string, occurredAt = '2026-11-23T12:30:00+08:00', overrides: Partial<MemberActivity> = {}): MemberActivity => ({
  eventId: `app-${name}-${occurredAt}`,
  type: 'member.activity',
  activity: name,
  occurredAt,
  memberId: MEMBER,
  ...overrides,
});

/** The member ledger's fold, which tracks each order's refunded total from `refundedMinor` on clawbacks. */
export const evolveTrackingRefunds: Fold = evolveMember;

/** An earn rule's refusal of an input, as a decider returns it: final, with no events. */
export const refusedAs = (code: EarnRefusalCode, message: string, memberId = MEMBER): EarnDecision => ({
  kind: 'reject',
  result: { outcome: 'refused' },
  memberId,
  code,
  message,
});
