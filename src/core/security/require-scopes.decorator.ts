import { SetMetadata } from '@nestjs/common';
import type { Scope } from './scopes';

import { REQUIRED_SCOPES } from './scopes.metadata';

export { REQUIRED_SCOPES };

/**
 * The scopes a caller needs for this route (or every route of a controller;
 * a method's declaration beats its class's). The global guard refuses a
 * caller without all of them with 403 naming the missing scope. Every route
 * declares this, `@Authenticated()` or `@Public()`; one that declares nothing
 * needs `admin` (fail closed).
 * @example `@RequireScopes('payments:manage')`
 */
export const RequireScopes = (...scopes: [Scope, ...Scope[]]): MethodDecorator & ClassDecorator =>
  SetMetadata(REQUIRED_SCOPES, scopes);

/**
 * Any authenticated caller, no scope: for routes about the caller itself
 * (`/auth/me`, `/auth/logout`) whose handler decides what it serves.
 */
export const Authenticated = (): MethodDecorator & ClassDecorator => SetMetadata(REQUIRED_SCOPES, []);
