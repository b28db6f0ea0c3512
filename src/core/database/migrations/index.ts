import { CreateApiKeys1764230400000 } from './1764230400000-create-api-keys';
import { CreatePayments1764300000000 } from './1764300000000-create-payments';

/**
 * Every migration, oldest first. Listed explicitly (no glob) so the same
 * list works from `dist/`, from ts sources under jest, and in the CLI.
 */
export const MIGRATIONS = [CreateApiKeys1764230400000, CreatePayments1764300000000];
