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

/** Refuses with 403 when a store token acts for another store; ops may act for any store. */
export const assertCallerMayActFor = (request: RequestLike, storeId: string): void => {
  const caller = callerOf(request);
  if (caller?.kind === 'ops') return;
  if (caller?.kind === 'store' && caller.storeId === storeId) return;
  throw new AppError({
    status: HttpStatus.FORBIDDEN,
    error: 'forbidden',
    message: `${caller ? describeRole(caller) : 'anonymous'} may not act for store ${storeId}`,
  });
};
