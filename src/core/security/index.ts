export * from './admin.decorator';
export * from './current-principal.decorator';
export * from './principal';
export * from './public.decorator';
export * from './require-scopes.decorator';
export * from './scopes';
export * from './session-verifier.port';
export * from './rate-limit/skip-rate-limit.decorator';
