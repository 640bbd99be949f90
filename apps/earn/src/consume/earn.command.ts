import { InputEvent, NewLedgerEvent, membersOf, shortFingerprintOf } from '@tally/contracts';
import { EarnContext, decideEarn } from '@tally/earning';
import { LedgerCommand } from '@tally/ledger';

/** What the earn service remembers of a handled input, and what it does with a deferred one. */
export type EarnResult =
  | { outcome: 'earned' | 'refused'; /** Abuse rules that flagged the member with this earning. */ flagged?: string[] }
  | { outcome: 'deferred'; waitKey: string };

/** Shared by every earning: results are only ever read and stored. */
const EARNED: EarnResult = Object.freeze({ outcome: 'earned' });

/** An earning that raised abuse flags remembers their rules (for the metrics); almost none does. */
const flaggedResult = (events: readonly NewLedgerEvent[]): EarnResult | undefined => {
  if (events.length < 2) return undefined;
  const flagged = events.flatMap((e) => (e.type === 'member.flagged' ? [e.data.ruleId] : []));
  return flagged.length > 0 ? { outcome: 'earned', flagged } : undefined;
};

/** Orders a refund waits for are keyed like this in `parked_inputs`. */
export const orderWaitKey = (orderId: string) => `order:${orderId}`;

/**
 * The fingerprint of a validated input (fields the contract does not name are gone): the same
 * `eventId` with another fingerprint is a reused id, not a redelivery.
 */
export const inputFingerprint = (input: InputEvent): string => shortFingerprintOf(input);

/**
 * One input event as a ledger command: idempotent on (topic, eventId), decided by the pure earn
 * rules on the states of every member it touches.
 */
export const earnCommand = (topic: string, input: InputEvent, context: () => EarnContext): LedgerCommand<EarnResult> => {
  const command: LedgerCommand<EarnResult> = {
    scope: topic,
    causationId: input.eventId,
    memberIds: membersOf(input),
    fingerprint: inputFingerprint(input),
    decide: (states) => {
      const decision = decideEarn(input, states, context());
      switch (decision.kind) {
        case 'append':
          return { kind: 'append', events: decision.events, result: flaggedResult(decision.events) ?? EARNED };
        case 'reject':
          return {
            kind: 'reject',
            memberId: decision.memberId,
            code: decision.code,
            message: decision.message,
            occurredAt: input.occurredAt,
            input,
            result: { outcome: 'refused' },
          };
        case 'defer':
          return { kind: 'skip', result: { outcome: 'deferred', waitKey: orderWaitKey(decision.orderId) } };
        default: {
          const unhandled: never = decision;
          throw new Error(`unhandled earn decision ${JSON.stringify(unhandled)}`);
        }
      }
    },
  };
  // A purchase's order is expected new (an earlier earning of it is refused, and almost never there);
  // a refund reads what its order earned.
  if (input.type === 'purchase.completed') command.newOrders = [{ memberId: input.memberId, orderId: input.orderId }];
  if (input.type === 'purchase.refunded') command.orders = [{ memberId: input.memberId, orderId: input.orderId }];
  return command;
};
