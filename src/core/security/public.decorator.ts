import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'portico:public';

/**
 * Opens a route (or a whole controller) to unauthenticated callers: health,
 * docs, webhooks (they verify signatures instead) and the login redirects.
 */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);
