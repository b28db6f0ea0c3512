import { SetMetadata, applyDecorators } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { Scope } from './scopes';

export const REQUIRED_SCOPES = 'portico:required-scopes';

/** The OpenAPI extension listing an operation's scopes; api-docs.ts adds a line to each description from it. */
export const SCOPES_EXTENSION = 'x-required-scopes';

/**
 * The scopes a caller needs for this route (or every route of a controller;
 * a method's declaration beats its class's). The global guard refuses a
 * caller without all of them with 403 naming the missing scope. Every route
 * declares this, `@Authenticated()` or `@Public()`; one that declares nothing
 * needs `admin` (fail closed).
 * @example `@RequireScopes('payments:manage')`
 */
export const RequireScopes = (...scopes: [Scope, ...Scope[]]): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(REQUIRED_SCOPES, scopes), ApiExtension(SCOPES_EXTENSION, scopes));

/**
 * Any authenticated caller, no scope: for routes about the caller itself
 * (`/auth/me`, `/auth/logout`) whose handler decides what it serves.
 */
export const Authenticated = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(REQUIRED_SCOPES, []), ApiExtension(SCOPES_EXTENSION, []));
