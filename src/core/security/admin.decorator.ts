import { SetMetadata } from '@nestjs/common';

export const REQUIRES_ADMIN = 'portico:requires-admin';

/** Only principals with the admin scope (admin API keys) may call this route. */
export const AdminOnly = (): MethodDecorator & ClassDecorator => SetMetadata(REQUIRES_ADMIN, true);
