/* eslint-disable @nx/enforce-module-boundaries -- the model drives the services' own command builders */
import { InputEvent, Topics } from '@tally/contracts';
import { EarnContext } from '@tally/earning';
import { LedgerCommand } from '@tally/ledger';
import { Program } from '@tally/program';
import { RedemptionRecord } from '@tally/redemption';
import { earnCommand } from '../../apps/earn/src/consume/earn.command';
import { HoldRef, captureRequest, holdRequest, releaseRequest } from '../../apps/redeem/src/holds/hold.requests';
import { redeemRequest, reverseRequest } from '../../apps/redeem/src/redemptions/redemption.requests';
import { idempotentCommand } from '../../apps/redeem/src/shared/idempotent-command';
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
      return {
        topic: Topics.checkIns.name,
        input: { eventId: spec.eventId, type: 'member.checked-in', occurredAt: spec.occurredAt, memberId: spec.memberId, storeId: STORE } as InputEvent,
      };
    case 'referral': {
      const { eventId, referrerId, refereeId, occurredAt } = spec;
      return { topic: Topics.referrals.name, input: { eventId, type: 'referral.completed', occurredAt, referrerId, refereeId } as InputEvent };
    }
    default:
      throw new Error(`${spec.kind} is not an earn input`);
  }
};

/**
 * The hold a capture or release is about, as the service finds it. The model does not keep when it
 * expires, so a hold that is no longer open counts as resolved by a request that raced with this one.
 */
const heldBy = (spec: { holdId: string; memberId: string; occurredAt: string }): HoldRef => ({
  holdId: spec.holdId,
  memberId: spec.memberId,
  storeId: STORE,
  expiresAt: '9999-12-31T23:59:59.999Z',
});

/** The ledger command a service would run for this spec: the services' own command builders. */
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
      return idempotentCommand(redeemRequest({ redemptionId, memberId, points, storeId: STORE }, occurredAt, program)) as LedgerCommand<unknown>;
    }
    case 'reverse':
      return idempotentCommand(reverseRequest(spec.redemptionId, spec.memberId, spec.record, spec.occurredAt)) as LedgerCommand<unknown>;
    case 'hold': {
      const { holdId, memberId, points, ttlSeconds, occurredAt } = spec;
      return idempotentCommand(holdRequest({ holdId, memberId, points, storeId: STORE, ttlSeconds }, occurredAt)) as LedgerCommand<unknown>;
    }
    case 'capture':
      return idempotentCommand(
        captureRequest(heldBy(spec), spec.points === undefined ? {} : { points: spec.points }, spec.occurredAt),
      ) as LedgerCommand<unknown>;
    case 'release':
      return idempotentCommand(releaseRequest(heldBy(spec), spec.occurredAt)) as LedgerCommand<unknown>;
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
