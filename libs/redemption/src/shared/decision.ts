import { NewLedgerEvent } from '@tally/contracts';

/** An expected business refusal: a value with a stable code, never an exception. */
export interface Refusal<C extends string> {
  ok: false;
  code: C;
  message: string;
}

export type Accepted<R extends object = object> = { ok: true; events: NewLedgerEvent[] } & R;

export const refuse = <C extends string, D extends object = object>(code: C, message: string, details?: D): Refusal<C> & D =>
  ({ ok: false, code, message, ...details }) as Refusal<C> & D;
