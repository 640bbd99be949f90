import { isInfrastructureError } from '@tally/platform';
import type { ConsumedMessage } from './batch.consumer';
import type { LetterToSend } from './dead-letter.packer';
import { toDeadLetter } from './dead-letters';

export interface IsolationOptions<M> {
  handle: (messages: M[]) => Promise<void>;
  /** The message that still fails alone: dead-letter it, so the rest proceed. */
  deadLetter: (message: M, error: unknown) => Promise<void>;
  /** Failures no message causes: passed on (to be retried), never searched. Default `isInfrastructureError`. */
  isInfrastructure?: (error: unknown) => boolean;
  /** Told of each failed call that is split in two. */
  onSplit?: (count: number, error: unknown) => void;
  /** Runs before each half is handed over (a search can take many calls: the consumer heartbeats here). */
  between?: () => Promise<void>;
}

/**
 * Hands `messages` to `handle`. A call that fails on something other than infrastructure is
 * split in halves, each handed over alone, and so on down, so that the one message that still
 * fails alone is dead-lettered and every other one is handled: a single input, however it
 * breaks the handler, never stops the consumer. The first half goes before the second, so each
 * partition's messages keep their offset order. An infrastructure failure, at any depth, is
 * passed on and the whole call retried later: what was handled meanwhile is handled again, which
 * the handlers' idempotency (the ledger dedupes by causation) makes harmless.
 */
export const handleIsolatingFailures = async <M>(messages: M[], options: IsolationOptions<M>): Promise<void> => {
  if (messages.length === 0) return;
  try {
    await options.handle(messages);
    return;
  } catch (error) {
    if ((options.isInfrastructure ?? isInfrastructureError)(error)) throw error;
    if (messages.length === 1) return options.deadLetter(messages[0], error);
    options.onSplit?.(messages.length, error);
  }
  const half = Math.ceil(messages.length / 2);
  for (const part of [messages.slice(0, half), messages.slice(half)]) {
    await options.between?.();
    await handleIsolatingFailures(part, options);
  }
};

/** Publishes one letter to the dead-letter topic and keeps it for ops (`dead_letters`). */
export type DeadLetterSink = (item: LetterToSend) => Promise<void>;

const MAX_MESSAGE_CHARS = 1000;

const errorText = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, MAX_MESSAGE_CHARS);

/** Printable ASCII only: nothing PostgreSQL (a NUL) or JSON (a lone surrogate) could refuse. */
const printable = (text: string): string => text.replace(/[^\x20-\x7e]/g, '?');

const safeTimestamp = (message: ConsumedMessage): string => {
  try {
    return message.timestamp;
  } catch {
    return '';
  }
};

/** The original reduced to where it was: no key, value or headers that could be what failed. */
const bare = (message: ConsumedMessage): ConsumedMessage => ({
  topic: message.topic,
  contractTopic: message.contractTopic,
  partition: message.partition,
  offset: message.offset,
  key: null,
  value: null,
  headers: {},
  timestamp: safeTimestamp(message),
});

/**
 * Dead-letters a message the handler fails on alone, with reason `processing_failed` and the
 * error. If its letter cannot be sent or kept, for a reason that is not infrastructure (the very
 * bytes that broke the handler may break the letter), a minimal letter goes instead: the reason,
 * the error in printable ASCII, and where the original is (topic, partition, offset), so a letter
 * never blocks its partition. An infrastructure failure is passed on, and the call retried.
 */
export const deadLetterAlone = async (send: DeadLetterSink, message: ConsumedMessage, error: unknown, consumerGroup: string, now: Date): Promise<void> => {
  const problem = { reason: 'processing_failed' as const, message: errorText(error) };
  try {
    await send({ letter: toDeadLetter(message, problem, consumerGroup, now), original: message });
  } catch (failure) {
    if (isInfrastructureError(failure)) throw failure;
    const original = bare(message);
    const text = printable(`${problem.message} (the whole letter could not be kept: ${errorText(failure)})`);
    await send({ letter: toDeadLetter(original, { reason: 'processing_failed', message: text }, printable(consumerGroup), now), original });
  }
};
