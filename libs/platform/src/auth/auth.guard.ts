import { CanActivate, ExecutionContext, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppError } from '../http/app.error';
import { ApiRole, ApiTokens, RoleKind, describeRole } from './api-tokens';
import { RequestLike, attachCaller } from './caller';
import { PUBLIC_KEY, ROLES_KEY } from './roles.decorator';
import { TokenMatcher } from './token.matcher';

export const API_TOKENS = Symbol('API_TOKENS');

const SAFE_METHODS = new Set(['GET', 'HEAD']);

const bearerToken = (request: RequestLike): string | undefined => {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
};

/** The access rule, pure so it can be tested without Nest; see `@Roles` for its meaning. */
export const mayCall = (role: ApiRole, required: RoleKind[] | undefined, method: string): boolean => {
  const safe = SAFE_METHODS.has(method.toUpperCase());
  if (role.kind === 'ops') return true;
  if (required === undefined || required.length === 0) return safe;
  if (role.kind === 'read') return safe && required.includes('read');
  return required.includes(role.kind);
};

/** Bearer-token authentication and role authorization for every route not marked `@Public()`. */
@Injectable()
export class ApiAuthGuard implements CanActivate {
  private readonly matcher: TokenMatcher;

  constructor(
    private readonly reflector: Reflector,
    @Inject(API_TOKENS) tokens: ApiTokens,
  ) {
    this.matcher = new TokenMatcher(tokens);
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<RequestLike>();
    const role = this.authenticate(request);
    const required = this.reflector.getAllAndOverride<RoleKind[] | undefined>(ROLES_KEY, targets);
    if (!mayCall(role, required, request.method ?? 'GET')) {
      throw new AppError({
        status: HttpStatus.FORBIDDEN,
        error: 'forbidden',
        message: `role ${describeRole(role)} may not ${request.method} this resource`,
      });
    }
    attachCaller(request, role);
    return true;
  }

  private authenticate(request: RequestLike): ApiRole {
    const token = bearerToken(request);
    const role = token === undefined ? undefined : this.matcher.match(token);
    if (role) return role;
    throw new AppError({
      status: HttpStatus.UNAUTHORIZED,
      error: 'unauthorized',
      message: token === undefined ? 'a bearer token is required (Authorization: Bearer <token>)' : 'the bearer token is not valid',
      headers: { 'WWW-Authenticate': 'Bearer' },
    });
  }
}
