import { SetMetadata, applyDecorators } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { RoleKind } from './api-tokens';

export const ROLES_KEY = 'tally:roles';
export const PUBLIC_KEY = 'tally:public';

/**
 * Who may call a handler besides `ops` (always allowed). `read` only ever passes on GET/HEAD;
 * `store` passes for any store token, and the controller then checks the store id (`assertCallerMayActFor`);
 * `app` passes for the programme's member-facing backend.
 * Without `@Roles`, GET/HEAD accept any valid token and other methods are for `ops` only.
 */
export const Roles = (...roles: RoleKind[]) => SetMetadata(ROLES_KEY, roles);

/** No token needed: health, metrics. */
export const Public = () => applyDecorators(SetMetadata(PUBLIC_KEY, true), ApiExtension(PUBLIC_EXTENSION, true));

/** Marks a public operation in the OpenAPI document, which then asks no bearer token of it. */
export const PUBLIC_EXTENSION = 'x-tally-public';
