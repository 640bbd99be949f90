/* eslint-disable @nx/enforce-module-boundaries -- the model drives the services' own command builders */
import { InputEvent, NewLedgerEvent, Topics, fingerprintOf } from '@tally/contracts';
import { EarnContext } from '@tally/earning';
import { CommandOutcome, LedgerCommand } from '@tally/ledger';
import { MemberState } from '@tally/member-ledger';
import { Program } from '@tally/program';
import { RedemptionRecord, decideCapture, decideHold, decideRedeem, decideRelease, decideReverse, restsOnState } from '@tally/redemption';
import { earnCommand } from '../../apps/earn/src/consume/earn.command';
import { expiryCommand } from '../../apps/expiry/src/sweep/expiry.command';
import { dailyEvaluationCommand, upgradeCommand } from '../../apps/tier/src/tiers/tier.commands';

/**
 * One command of the model, as data: what a service would ask of the ledger. The same spec is
 * built into a ledger command by a store process (the system under test) and by the oracle (which
 * decides it on a state read fresh from the database), so both decide with the same rules.
 */
export type ModelSpec =
  | { kind: 'purchase'; eventId: string; memberId: string; orderId: string; amountMinor: number; occurredAt: string }
  | { kind: 'refund'; eventId: string; memberId: string; orderId: string; refundId: string; amountMinor: number; occurredAt: string }
  | { kind: 'check-in'; eventId: string; memberId: string; occurredAt: string }
  | { kind: 'referral'; eventId: string; referrerId: string; refereeId: string; occurredAt: string }
  | { kind: 'redeem'; redemptionId: string; memberId: string; points: number; occurredAt: string }
  | { kind: 'reverse'; redemptionId: string; memberId: string; record?: RedemptionRecord; occurredAt: string }
  | { kind: 'hold'; holdId: string; memberId: string; points: number; ttlSeconds: number; occurredAt: string }
  | { kind: 'capture'; holdId: string; memberId: string; points?: number; occurredAt: string }
  | { kind: 'release'; holdId: string; memberId: string; occurredAt: string }
  | { kind: 'upgrade'; memberId: string; trigger: number; asOf: string }
  | { kind: 'daily'; memberId: string; asOf: string }
  | { kind: 'sweep'; memberId: string; asOf: string; sweepId: string };

/** What a request stores as its result: enough to find a redemption again for its reversal. */
export type RequestResult = { ok: true; memberId: string; fromLots?: RedemptionRecord['fromLots']; points?: number } | { ok: false; memberId: string; code: string };

const STORE = 'sh-07';

/** An earn input's lot ids, minted afresh for every decision (the store may decide more than once). */
const earnContext = (program: Program, occurredAt: string, eventId: string) => (): EarnContext => {
  let lots = 0;
  return { program, now: new Date(occurredAt), newLotId: () => `${eventId}.lot-${++lots}` };
};

const inputOf = (spec: ModelSpec & { eventId: string }): { topic: string; input: InputEvent } => {
  switch (spec.kind) {
    case 'purchase': {
      const { eventId, memberId, orderId, amountMinor, occurredAt } = spec;
      const input = { eventId, type: 'purchase.completed', occurredAt, memberId, storeId: STORE, channel: 'store', orderId, amountMinor, currency: 'CNY' };
      return { topic: Topics.purchases.name, input: input as InputEvent };
    }
    case 'refund': {
      const { eventId, memberId, orderId, refundId, amountMinor, occurredAt } = spec;
      const input = { eventId, type: 'purchase.refunded', occurredAt, memberId, storeId: STORE, orderId, refundId, amountMinor, currency: 'CNY' };
      return { topic: Topics.purchases.name, input: input as InputEvent };
    }
    case 'check-in':
      return { topic: Topics.checkIns.name, input: { eventId: spec.eventId, type: 'member.checked-in', occurredAt: spec.occurredAt, memberId: spec.memberId, storeId: STORE } as InputEvent };
    case 'referral': {
      const { eventId, referrerId, refereeId, occurredAt } = spec;
      return { topic: Topics.referrals.name, input: { eventId, type: 'referral.completed', occurredAt, referrerId, refereeId } as InputEvent };
    }
    default:
      throw new Error(`${spec.kind} is not an earn input`);
  }
};

type Verdict = { events: NewLedgerEvent[]; result: RequestResult } | { ok: false; code: string; message: string };

/** A request of the redeem service: idempotent on (scope, key), a refusal final unless it rests on the member's state. */
const requestCommand = (scope: string, key: string, memberId: string, input: object, decide: (state: MemberState) => Verdict): LedgerCommand<RequestResult> => ({
  scope,
  causationId: key,
  memberIds: [memberId],
  fingerprint: fingerprintOf(input),
  decide: (states): CommandOutcome<RequestResult> => {
    const verdict = decide(states[memberId]);
    if ('events' in verdict) return { kind: 'append', events: verdict.events, result: verdict.result };
    const { code, message } = verdict;
    return { kind: 'reject', memberId, code, message, result: { ok: false, memberId, code }, final: !restsOnState(code) };
  },
});

/** The ledger command a service would run for this spec. */
export const commandOf = (spec: ModelSpec, program: Program): LedgerCommand<unknown> => {
  switch (spec.kind) {
    case 'purchase':
    case 'refund':
    case 'check-in':
    case 'referral': {
      const { topic, input } = inputOf(spec);
      return earnCommand(topic, input, earnContext(program, spec.occurredAt, spec.eventId)) as LedgerCommand<unknown>;
    }
    case 'redeem': {
      const { redemptionId, memberId, points, occurredAt } = spec;
      return requestCommand('redemption', redemptionId, memberId, { redemptionId, memberId, points, storeId: STORE }, (state) => {
        const decision = decideRedeem(state, { redemptionId, points, storeId: STORE, occurredAt }, program);
        return decision.ok ? { events: decision.events, result: { ok: true, memberId, points: decision.points, fromLots: decision.fromLots } } : decision;
      });
    }
    case 'reverse': {
      const { redemptionId, memberId, record, occurredAt } = spec;
      return requestCommand('redemption-reverse', redemptionId, memberId, { redemptionId }, (state) => {
        const decision = decideReverse(state, record, { redemptionId, occurredAt });
        return decision.ok ? { events: decision.events, result: { ok: true, memberId, points: decision.points } } : decision;
      });
    }
    case 'hold': {
      const { holdId, memberId, points, ttlSeconds, occurredAt } = spec;
      return requestCommand('hold', holdId, memberId, { holdId, memberId, points, storeId: STORE, ttlSeconds }, (state) => {
        const decision = decideHold(state, { holdId, points, storeId: STORE, ttlSeconds, occurredAt });
        return decision.ok ? { events: decision.events, result: { ok: true, memberId, points } } : decision;
      });
    }
    case 'capture': {
      const { holdId, memberId, points, occurredAt } = spec;
      return requestCommand('hold-capture', holdId, memberId, { holdId, points }, (state) => {
        const decision = decideCapture(state, { holdId, points, occurredAt });
        return decision.ok ? { events: decision.events, result: { ok: true, memberId, points: decision.captured } } : decision;
      });
    }
    case 'release': {
      const { holdId, memberId, occurredAt } = spec;
      return requestCommand('hold-release', holdId, memberId, { holdId }, (state) => {
        const decision = decideRelease(state, { holdId, occurredAt, reason: 'released' });
        return decision.ok ? { events: decision.events, result: { ok: true, memberId, points: decision.points } } : decision;
      });
    }
    case 'upgrade':
      return upgradeCommand(spec.memberId, spec.trigger, spec.asOf, program) as LedgerCommand<unknown>;
    case 'daily':
      return dailyEvaluationCommand(spec.memberId, spec.asOf, program) as LedgerCommand<unknown>;
    case 'sweep':
      return expiryCommand(spec.memberId, spec.asOf, spec.sweepId) as LedgerCommand<unknown>;
    default: {
      const unknown: never = spec;
      throw new Error(`unknown model spec ${JSON.stringify(unknown)}`);
    }
  }
};

/** A command result as it crosses from a store process: plain data. */
export interface ResultSummary {
  status: 'appended' | 'rejected' | 'skipped' | 'duplicate';
  code?: string;
  final?: boolean;
  /** Of a duplicate: what the first execution did, and whether this one came with the same body. */
  outcome?: string;
  sameFingerprint?: boolean;
  /** Of an append: each event's member, version and type. */
  events?: { memberId: string; version: number; type: string }[];
}
