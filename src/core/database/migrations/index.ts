import { CreateApiKeys1764230400000 } from './1764230400000-create-api-keys';
import { CreatePayments1764300000000 } from './1764300000000-create-payments';
import { CreateEmails1764400000000 } from './1764400000000-create-emails';
import { CreateFiles1764500000000 } from './1764500000000-create-files';
import { CreateAuth1764600000000 } from './1764600000000-create-auth';
import { AddApiKeyExpiry1765000000000 } from './1765000000000-add-api-key-expiry';
import { AddUserDisabled1765000100000 } from './1765000100000-add-user-disabled';
import { CreateDurableEvents1765200000000 } from './1765200000000-create-durable-events';
import { AddTraceContext1765300000000 } from './1765300000000-add-trace-context';
import { CreateBilling1766000000000 } from './1766000000000-create-billing';
import { EmailDeliverability1766100000000 } from './1766100000000-email-deliverability';
import { AddIdentityLifecycle1766200000000 } from './1766200000000-add-identity-lifecycle';

/**
 * Every migration, oldest first. Listed explicitly (no glob) so the same
 * list works from `dist/`, from ts sources under jest, and in the CLI.
 */
export const MIGRATIONS = [
  CreateApiKeys1764230400000,
  CreatePayments1764300000000,
  CreateEmails1764400000000,
  CreateFiles1764500000000,
  CreateAuth1764600000000,
  AddApiKeyExpiry1765000000000,
  AddUserDisabled1765000100000,
  CreateDurableEvents1765200000000,
  AddTraceContext1765300000000,
  CreateBilling1766000000000,
  EmailDeliverability1766100000000,
  AddIdentityLifecycle1766200000000,
];
