import { IncomingMessage } from 'node:http';
import { Controller, ExecutionContext, Get, Post } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppError } from '../http/app.error';
import { parseApiTokens } from './api-tokens';
import { ApiAuthGuard } from './auth.guard';
import { assertCallerMayActFor, callerMayActFor, callerOf, callerStoreId } from './caller';
import { Public, Roles } from './roles.decorator';

@Controller()
class SampleController {
  @Public() @Get() health() {
    return undefined;
  }
  @Get() balance() {
    return undefined;
  }
  @Post() adjust() {
    return undefined;
  }
  @Roles('store') @Post() redeem() {
    return undefined;
  }
  @Roles('ops') @Get() audit() {
    return undefined;
  }
  @Roles('read') @Get() report() {
    return undefined;
  }
  @Roles('read') @Post() mislabelled() {
    return undefined;
  }
  @Roles('app') @Post() transfer() {
    return undefined;
  }
}

@Roles('ops')
@Controller()
class OpsController {
  @Get() replayStatus() {
    return undefined;
  }
  @Roles('store') @Post() override() {
    return undefined;
  }
}

type Handler = keyof SampleController | keyof OpsController;

const guard = new ApiAuthGuard(new Reflector(), parseApiTokens('o-tok=ops,r-tok=read,s-tok=store:sh-07,a-tok=app').tokens);

const requestWith = (method: string, token?: string): IncomingMessage =>
  ({ method, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } }) as IncomingMessage;

const contextFor = (request: IncomingMessage, handler: Handler, controller: object = SampleController): ExecutionContext =>
  ({
    getType: () => 'http',
    getHandler: () => (controller as { prototype: Record<string, unknown> }).prototype[handler],
    getClass: () => controller,
    switchToHttp: () => ({ getRequest: () => request }),
  }) as unknown as ExecutionContext;

const decide = (method: string, handler: Handler, token?: string, controller?: object): number | 'ok' => {
  try {
    guard.canActivate(contextFor(requestWith(method, token), handler, controller));
    return 'ok';
  } catch (error) {
    if (error instanceof AppError) return error.getStatus();
    throw error;
  }
};

const bodyOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return (error as AppError).body;
  }
  throw new Error('expected a refusal');
};

describe('ApiAuthGuard', () => {
  it('lets anyone call a public route', () => {
    expect(decide('GET', 'health')).toBe('ok');
  });

  it('answers 401 unauthorized without a token or with an unknown one', () => {
    expect(decide('GET', 'balance')).toBe(401);
    expect(decide('GET', 'balance', 'nope')).toBe(401);
    expect(decide('GET', 'balance', 'o-tok-and-more')).toBe(401);
    expect(bodyOf(() => guard.canActivate(contextFor(requestWith('GET'), 'balance')))).toEqual({
      error: 'unauthorized',
      message: expect.stringContaining('bearer token is required'),
    });
  });

  it('only accepts the Bearer scheme', () => {
    const request = { method: 'GET', headers: { authorization: 'Basic o-tok' } } as IncomingMessage;
    expect(() => guard.canActivate(contextFor(request, 'balance'))).toThrow(AppError);
  });

  it.each([
    ['GET', 'balance'],
    ['POST', 'adjust'],
    ['POST', 'redeem'],
    ['GET', 'audit'],
    ['GET', 'report'],
    ['POST', 'mislabelled'],
  ] as const)('lets ops %s %s', (method, handler) => {
    expect(decide(method, handler, 'o-tok')).toBe('ok');
  });

  it.each([
    ['GET', 'balance', 'ok'],
    ['POST', 'adjust', 403],
    ['POST', 'redeem', 403],
    ['GET', 'audit', 403],
    ['GET', 'report', 'ok'],
    ['POST', 'mislabelled', 403],
  ] as const)('read: %s %s -> %s', (method, handler, expected) => {
    expect(decide(method, handler, 'r-tok')).toBe(expected);
  });

  it.each([
    ['GET', 'balance', 'ok'],
    ['POST', 'adjust', 403],
    ['POST', 'redeem', 'ok'],
    ['GET', 'audit', 403],
    ['GET', 'report', 403],
  ] as const)('store: %s %s -> %s', (method, handler, expected) => {
    expect(decide(method, handler, 's-tok')).toBe(expected);
  });

  it.each([
    ['GET', 'balance', 'ok'],
    ['POST', 'transfer', 'ok'],
    ['POST', 'redeem', 403],
    ['POST', 'adjust', 403],
    ['GET', 'audit', 403],
  ] as const)('app: %s %s -> %s', (method, handler, expected) => {
    expect(decide(method, handler, 'a-tok')).toBe(expected);
  });

  it('keeps transfers from store and read tokens', () => {
    expect(decide('POST', 'transfer', 's-tok')).toBe(403);
    expect(decide('POST', 'transfer', 'r-tok')).toBe(403);
    expect(decide('POST', 'transfer', 'o-tok')).toBe('ok');
  });

  it('takes @Roles from the controller unless the handler says otherwise', () => {
    expect(decide('GET', 'replayStatus', 'r-tok', OpsController)).toBe(403);
    expect(decide('GET', 'replayStatus', 'o-tok', OpsController)).toBe('ok');
    expect(decide('POST', 'override', 's-tok', OpsController)).toBe('ok');
  });

  it('answers 403 forbidden naming the role', () => {
    expect(bodyOf(() => guard.canActivate(contextFor(requestWith('POST', 'r-tok'), 'adjust')))).toEqual({
      error: 'forbidden',
      message: 'role read may not POST this resource',
    });
  });

  it("exposes the caller, and refuses a store token acting for another store's id", () => {
    const request = requestWith('POST', 's-tok');
    guard.canActivate(contextFor(request, 'redeem'));
    expect(callerOf(request)).toEqual({ kind: 'store', storeId: 'sh-07' });
    expect(callerStoreId(request)).toBe('sh-07');
    expect(() => assertCallerMayActFor(request, 'sh-07')).not.toThrow();
    expect([callerMayActFor(request, 'sh-07'), callerMayActFor(request, 'bj-01')]).toEqual([true, false]);
    expect(bodyOf(() => assertCallerMayActFor(request, 'bj-01'))).toEqual({
      error: 'forbidden',
      message: 'store:sh-07 may not act for store bj-01',
    });
  });

  it('lets ops act for any store', () => {
    const request = requestWith('POST', 'o-tok');
    guard.canActivate(contextFor(request, 'redeem'));
    expect(callerStoreId(request)).toBeUndefined();
    expect(() => assertCallerMayActFor(request, 'bj-01')).not.toThrow();
    expect(callerMayActFor(request, 'bj-01')).toBe(true);
  });

  it('refuses everything but public routes when no tokens are configured', () => {
    const closed = new ApiAuthGuard(new Reflector(), new Map());
    expect(() => closed.canActivate(contextFor(requestWith('GET', ''), 'balance'))).toThrow(AppError);
    expect(closed.canActivate(contextFor(requestWith('GET'), 'health'))).toBe(true);
  });
});
