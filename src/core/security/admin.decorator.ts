import { RequireScopes } from './require-scopes.decorator';

/**
 * @deprecated Use `@RequireScopes('admin')`; kept so branches written before
 * scopes still compile (it means exactly that).
 */
export const AdminOnly = (): MethodDecorator & ClassDecorator => RequireScopes('admin');
