import { IncomingHttpHeaders } from 'node:http';
import { HttpStatus } from '@nestjs/common';
import { AppError } from '../http/app.error';
import { ApiRole, describeRole } from './api-tokens';

const CALLER = Symbol('tally:caller');

/** What Tally reads of a request, whichever HTTP adapter carries it (Fastify's request, Node's IncomingMessage). */
export interface RequestLike {
  method?: string;
  url?: string;
  headers: IncomingHttpHeaders;
}

/** What a handler that answers 200 instead of its route's default status calls on the reply. */
export interface ReplyLike {
  status(code: number): unknown;
}

type WithCaller = RequestLike & { [CALLER]?: ApiRole };

export const attachCaller = (request: RequestLike, role: ApiRole): void => {
  (request as WithCaller)[CALLER] = role;
};

/** The role the guard authenticated for this request; undefined on public routes. */
export const callerOf = (request: RequestLike): ApiRole | undefined => (request as WithCaller)[CALLER];

/** The caller's store id when it is a store token, else undefined (ops and read act for no single store). */
export const callerStoreId = (request: RequestLike): string | undefined => {
  const caller = callerOf(request);
  return caller?.kind === 'store' ? caller.storeId : undefined;
};

/** Whether the caller may act for (and see what belongs to) a store: ops for any, a store token for its own. */
export const callerMayActFor = (request: RequestLike, storeId: string): boolean => {
  const caller = callerOf(request);
  return caller?.kind === 'ops' || (caller?.kind === 'store' && caller.storeId === storeId);
};

/**
 * Refuses with 403 when a store token acts for another store named in its own request; ops may act
 * for any store. For something the caller looks up by id, use `callerMayActFor` and answer as if it
 * did not exist: a 403 would tell another store's ids apart from unknown ones.
 */
export const assertCallerMayActFor = (request: RequestLike, storeId: string): void => {
  if (callerMayActFor(request, storeId)) return;
  const caller = callerOf(request);
  throw new AppError({
    status: HttpStatus.FORBIDDEN,
    error: 'forbidden',
    message: `${caller ? describeRole(caller) : 'anonymous'} may not act for store ${storeId}`,
  });
};
