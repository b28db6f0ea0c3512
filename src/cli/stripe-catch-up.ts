import { parseArgs } from 'node:util';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { appConfig } from '../config/app.config';
import { redisConfig } from '../config/redis.config';
import { resilienceConfig, resilienceOptions } from '../config/resilience.config';
import { DatabaseModule } from '../core/database/database.module';
import { DurableModule } from '../core/durable/durable.module';
import { isIntegrationError } from '../core/errors/integration.error';
import { ResilienceModule } from '../core/resilience/resilience.module';
import { PaymentsModule } from '../integrations/payments/payments.module';
import { StripeCatchUpService } from '../integrations/payments/stripe-catch-up.service';
import { CliUsageError, createCliContext, runCli } from './cli-context';

const USAGE =
  'usage: npm run stripe:catch-up -- --since 2026-11-01T00:00:00Z   (at most 30 days back: Stripe keeps events that long)';

/**
 * Pages through Stripe's events list since `--since` and stores every event
 * the inbox does not have yet; the running app's processor handles them.
 * Safe to repeat: the inbox is unique on event id.
 */
runCli(async () => {
  const { values } = parseArgs({ options: { since: { type: 'string' } } });
  const since = values.since === undefined ? Number.NaN : Date.parse(values.since);
  if (Number.isNaN(since)) throw new CliUsageError(USAGE);
  if (since < Date.now() - 30 * 24 * 3600_000 || since > Date.now())
    throw new CliUsageError(`--since must be within the last 30 days\n${USAGE}`);
  const context = await createCliContext([
    DatabaseModule,
    // Rows are stored for the running workers; this one-shot process polls nothing.
    DurableModule.forRoot({ useFactory: () => ({ runWorkers: false, shutdownTimeoutMs: 5_000 }) }),
    EventEmitterModule.forRoot(),
    // The Stripe client takes its timeout from the stripe policy, as in the app.
    ResilienceModule.forRootAsync({
      inject: [resilienceConfig.KEY, appConfig.KEY, redisConfig.KEY],
      useFactory: resilienceOptions,
    }),
    PaymentsModule,
  ]);
  try {
    const result = await context
      .get(StripeCatchUpService)
      .catchUp(new Date(since))
      .catch((error: unknown) => {
        // Not configured, Stripe refusing our key, Stripe down: say so in one line, no stack.
        throw isIntegrationError(error) ? new CliUsageError(`Catch-up failed: ${error.message}`) : error;
      });
    process.stdout.write(
      `Stripe listed ${result.seen} event(s) since ${new Date(since).toISOString()}; ${result.stored} were new and are now in the inbox.\n`,
    );
  } finally {
    await context.close();
  }
});
