import { parseArgs } from 'node:util';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { appConfig } from '../config/app.config';
import { redisConfig } from '../config/redis.config';
import { resilienceConfig, resilienceOptions } from '../config/resilience.config';
import { DatabaseModule } from '../core/database/database.module';
import { DurableModule } from '../core/durable/durable.module';
import { isIntegrationError } from '../core/errors/integration.error';
import { ResilienceModule } from '../core/resilience/resilience.module';
import { HealthModule } from '../health/health.module';
import { EmailModule } from '../integrations/email/email.module';
import { StorageModule } from '../integrations/storage/storage.module';
import { SuppressionSync } from '../integrations/email/suppressions/suppression-sync.service';
import { CliUsageError, createCliContext, runCli } from './cli-context';

const USAGE = 'usage: npm run email:suppressions:sync -- [--page-size 500]   (1..500)';

/**
 * Pulls SendGrid's bounce, spam-report, global-unsubscribe and
 * group-unsubscribe lists into the suppression ledger. Safe to repeat; an
 * interrupted run resumes from its last saved page.
 */
runCli(async () => {
  const { values } = parseArgs({ options: { 'page-size': { type: 'string' } } });
  const pageSize = values['page-size'] === undefined ? 500 : Number(values['page-size']);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 500) throw new CliUsageError(USAGE);
  const context = await createCliContext([
    DatabaseModule,
    // The ledger is read by the running app; this one-shot process polls no queue.
    DurableModule.forRoot({ useFactory: () => ({ runWorkers: false, shutdownTimeoutMs: 5_000 }) }),
    EventEmitterModule.forRoot(),
    HealthModule,
    ResilienceModule.forRootAsync({
      inject: [resilienceConfig.KEY, appConfig.KEY, redisConfig.KEY],
      useFactory: resilienceOptions,
    }),
    // Email reads attachments through the (global) storage module.
    StorageModule.forRoot(),
    EmailModule,
  ]);
  try {
    const sync = context.get(SuppressionSync);
    if (!sync.configured)
      throw new CliUsageError('SendGrid is not configured (SENDGRID_API_KEY is not set): nothing to sync');
    const result = await sync.run(pageSize).catch((error: unknown) => {
      throw isIntegrationError(error)
        ? new CliUsageError(`Sync stopped: ${error.message}. Run it again to resume where it stopped.`)
        : error;
    });
    const lists = Object.entries(result.listed)
      .map(([list, n]) => `${list} ${n}`)
      .join(', ');
    process.stdout.write(
      `Suppression sync ${result.resumed ? 'resumed and ' : ''}finished: SendGrid listed ${lists || 'nothing'}.\n`,
    );
  } finally {
    await context.close();
  }
});
