import { InputEvent, membersOf, shortFingerprintOf } from '@tally/contracts';
import { EarnContext, EarnDecision, EarnResult, OrderPurchase, decideEarn, decideWaitingRefund } from '@tally/earning';
import { LedgerCommand } from '@tally/ledger';

/**
 * The fingerprint of a validated input (fields the contract does not name are gone): the same
 * `eventId` with another fingerprint is a reused id, not a redelivery.
 */
export const inputFingerprint = (input: InputEvent): string => shortFingerprintOf(input);

/**
 * One input event as a ledger command: idempotent on (topic, eventId), decided by the pure earn
 * rules on the states of every member it touches. `purchase`: for a refund that waited for its
 * purchase, what that purchase came to. `onDecided` sees each decision made (the store may decide
 * again on fresh state: the last one is what an append wrote).
 */
export const earnCommand = (
  topic: string,
  input: InputEvent,
  context: () => EarnContext,
  { purchase, onDecided }: { purchase?: OrderPurchase; onDecided?: (decision: EarnDecision) => void } = {},
): LedgerCommand<EarnResult> => {
  const command: LedgerCommand<EarnResult> = {
    scope: topic,
    causationId: input.eventId,
    memberIds: membersOf(input),
    fingerprint: inputFingerprint(input),
    refused: { input, occurredAt: input.occurredAt },
    decide: (states) => {
      const decision = input.type === 'purchase.refunded' ? decideWaitingRefund(input, states, context(), purchase) : decideEarn(input, states, context());
      onDecided?.(decision);
      return decision;
    },
  };
  // A purchase's order is expected new (an earlier earning of it is refused, and almost never there);
  // a refund reads what its order earned.
  if (input.type === 'purchase.completed') command.newOrders = [{ memberId: input.memberId, orderId: input.orderId }];
  if (input.type === 'purchase.refunded') command.orders = [{ memberId: input.memberId, orderId: input.orderId }];
  return command;
};
