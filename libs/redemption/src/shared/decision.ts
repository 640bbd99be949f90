import { Append, Reject, refusalOf } from '@tally/contracts';
import { restsOnState } from './refusals-on-state';

/**
 * A redemption refusal: the shared `Reject`, with the code's details and no answer of its own (the
 * service answers it). Final unless it rests on the member's state: then the same request decides again.
 */
export type Refusal<C extends string = string> = Reject<undefined, C>;

/**
 * What a redemption decider returns: the shared `Decision` (a `Decision<R, C, undefined>`), whose
 * refusals carry no answer; a request is always decided, so never "nothing to do".
 */
export type RedemptionDecision<R, C extends string = string> = Append<R> | Refusal<C>;

export const refuse = <C extends string>(memberId: string, code: C, message: string, details?: Record<string, unknown>): Refusal<C> =>
  refusalOf(memberId, code, message, details, !restsOnState(code));

export const isRefusal = (value: object): value is Refusal => (value as { kind?: unknown }).kind === 'reject';
