import { NewLedgerEvent } from '../ledger/ledger-events';

/**
 * What a pure decider says should happen, in the one shape every decider returns and the ledger
 * takes as it is (`LedgerCommand.decide`): events to append, a refusal with a stable code, or
 * nothing to do. `result` is what the ledger keeps as the causation's answer (and gives back to a
 * redelivery or a retry). A refusal's answer may be of another type (`F`) than a success's.
 */
export type Decision<R = undefined, C extends string = string, F = R> = Append<R> | Reject<F, C> | Skip<R>;

export interface Append<R> {
  kind: 'append';
  events: NewLedgerEvent[];
  result: R;
}

/** An expected business refusal: a value with a stable code, recorded for ops, never an exception. */
export interface Reject<R, C extends string = string> {
  kind: 'reject';
  /** The member the refusal is recorded against. */
  memberId: string;
  code: C;
  message: string;
  /** What the refusal is about, beside its code (`available` and `requested` for too few points). */
  details?: Readonly<Record<string, unknown>>;
  result: R;
  /**
   * False for a refusal that rests on the member's state (not enough points, a tier too low):
   * it is logged, but it is not the answer of its causation, so the same causation decides
   * again. Otherwise (the default) the refusal is the causation's answer for good.
   */
  final?: boolean;
}

/** Nothing to record: the same causation may be decided again later (e.g. an input that waits). */
export interface Skip<R> {
  kind: 'skip';
  result: R;
}

export const appendEvents = <R>(events: NewLedgerEvent[], result: R): Append<R> => ({ kind: 'append', events, result });

/** A refusal with no answer of its own (the service answers it from the code and details). */
export const refusalOf = <C extends string>(
  memberId: string,
  code: C,
  message: string,
  details: Record<string, unknown> | undefined,
  final: boolean,
): Reject<undefined, C> => ({
  kind: 'reject',
  memberId,
  code,
  message,
  ...(details === undefined ? {} : { details }),
  result: undefined,
  final,
});

export const nothingToDo = <R>(result: R): Skip<R> => ({ kind: 'skip', result });

/** Events when there are any, else nothing to do (nothing is recorded, so the next trigger decides again). */
export const appendOrSkip = <R>(events: NewLedgerEvent[], result: R): Append<R> | Skip<R> =>
  events.length > 0 ? appendEvents(events, result) : nothingToDo(result);

/** The events a decision appends: none unless it appends. */
export const decidedEvents = (decision: Decision<unknown>): NewLedgerEvent[] => (decision.kind === 'append' ? decision.events : []);

/** The same decision with its success's (and a skip's) answer made by `answer`; a refusal as it is. */
export const mapAnswer = <R, S, C extends string, F>(decision: Decision<R, C, F>, answer: (result: R) => S): Decision<S, C, F> =>
  decision.kind === 'reject' ? decision : { ...decision, result: answer(decision.result) };
