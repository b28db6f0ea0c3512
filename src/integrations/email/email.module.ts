import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ProviderConfigModule } from '../../config/provider-config';
import { emailConfig } from '../../config/email.config';
import { sendgridConfig } from './sendgrid.config';
import { AdminEmailsController } from './admin-emails.controller';
import { EmailProviderStatus } from './email-provider.status';
import { EmailEvent } from './entities/email-event.entity';
import { EmailMessage } from './entities/email-message.entity';
import { SendGridEventRecord } from './entities/sendgrid-event.entity';
import { EmailsController } from './emails.controller';
import { EmailQuota } from './email-quota';
import { EmailsService } from './emails.service';
import { BatchClaimer } from './outbox/batch-claimer';
import { EmailOutbox } from './outbox/email-outbox';
import { InvoiceEmailListener } from './receipts/invoice-email.listener';
import { ReceiptListener } from './receipts/receipt.listener';
import { EmailTransport } from './transports/email-transport.port';
import { LogTransport } from './transports/log-email.adapter';
import { SendGridTransport } from './transports/sendgrid-email.adapter';
import { TransportHealth } from './transports/transport-health';
import { EmailEventApplier } from './webhook/email-event.applier';
import { SendGridEventsInbox } from './webhook/sendgrid-events.inbox';
import { SendGridWebhookController } from './webhook/sendgrid-webhook.controller';
import { ResiliencePolicyRegistry } from '../../core/resilience/policy-registry';
import { AttachmentReader } from './attachments/attachment-reader';
import { AttachmentPolicy } from './attachments/attachment-policy';
import { SenderPolicy } from './senders/sender-policy';
import { ScheduledSends } from './scheduling/scheduled-sends';
import { SuppressionSyncProgress } from './entities/suppression-sync-progress.entity';
import { SuppressionSync } from './suppressions/suppression-sync.service';
import { deliverabilityConfig } from './deliverability.config';
import { EmailSuppression } from './entities/email-suppression.entity';
import { AdminSuppressionsController } from './suppressions/admin-suppressions.controller';
import { SuppressionAdmin } from './suppressions/suppression-admin.service';
import { SuppressionGate } from './suppressions/suppression-gate';
import { SuppressionLedger } from './suppressions/suppression-ledger';
import { EmailAccount } from './transports/email-account.port';
import { LogAccount } from './transports/log-account.adapter';
import { SendGridAccount } from './transports/sendgrid-account.adapter';
import { createSendGridClient } from './transports/sendgrid-client';

/**
 * Email: `POST /emails` into a durable outbox sent through the configured
 * transport (SendGrid, or the log transport by default), SendGrid's signed
 * event webhook, and receipts on `payment.succeeded`. Attachments are read
 * through the global StorageModule's `FilesService`.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      EmailMessage,
      EmailEvent,
      SendGridEventRecord,
      EmailSuppression,
      SuppressionSyncProgress,
    ]),
    ProviderConfigModule.forFeature(sendgridConfig),
    ProviderConfigModule.forFeature(deliverabilityConfig),
  ],
  controllers: [EmailsController, AdminEmailsController, SendGridWebhookController, AdminSuppressionsController],
  providers: [
    {
      provide: EmailTransport,
      inject: [emailConfig.KEY, sendgridConfig.KEY, ResiliencePolicyRegistry],
      useFactory: (
        email: ConfigType<typeof emailConfig>,
        sendgrid: ConfigType<typeof sendgridConfig>,
        resilience: ResiliencePolicyRegistry,
      ) =>
        email.transport === 'sendgrid'
          ? new SendGridTransport(sendgrid, resilience.settingsFor('sendgrid').timeoutMs)
          : new LogTransport(),
    },
    {
      provide: EmailAccount,
      inject: [emailConfig.KEY, sendgridConfig.KEY, ResiliencePolicyRegistry],
      useFactory: (
        email: ConfigType<typeof emailConfig>,
        sendgrid: ConfigType<typeof sendgridConfig>,
        resilience: ResiliencePolicyRegistry,
      ) =>
        email.transport === 'sendgrid'
          ? new SendGridAccount(createSendGridClient(sendgrid, resilience.settingsFor('sendgrid').timeoutMs))
          : new LogAccount(),
    },
    EmailsService,
    EmailQuota,
    SuppressionLedger,
    SuppressionGate,
    SuppressionAdmin,
    AttachmentReader,
    AttachmentPolicy,
    SenderPolicy,
    ScheduledSends,
    SuppressionSync,
    EmailOutbox,
    BatchClaimer,
    TransportHealth,
    EmailEventApplier,
    SendGridEventsInbox,
    ReceiptListener,
    InvoiceEmailListener,
    EmailProviderStatus,
  ],
  exports: [EmailsService, SuppressionSync],
})
export class EmailModule {}
