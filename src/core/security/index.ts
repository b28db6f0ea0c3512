export * from './admin.decorator';
export * from './current-principal.decorator';
export * from './principal';
export * from './public.decorator';
export * from './session-verifier.port';
export * from './scopes.metadata';
