import { Module } from '@nestjs/common';
import { AdminDeadLettersController } from './admin-dead-letters.controller';
import { AdminOverviewController } from './admin-overview.controller';
import { ConsolePageController } from './console-page.controller';
import { OVERVIEW_CLOCK, type OverviewClock, OverviewService } from './overview.service';
import { Registry } from 'prom-client';
import { DurableProcessor } from '../core/durable/durable.processor';
import { ProviderStatusRegistry } from '../health/provider-status.registry';

/**
 * The operator console at `/console` and the admin routes only it needs
 * (overview, dead letters); the rest of what it shows comes from the
 * existing admin and list routes.
 */
@Module({
  controllers: [ConsolePageController, AdminOverviewController, AdminDeadLettersController],
  providers: [
    { provide: OVERVIEW_CLOCK, useValue: (() => Date.now()) satisfies OverviewClock },
    {
      provide: OverviewService,
      inject: [Registry, ProviderStatusRegistry, DurableProcessor, OVERVIEW_CLOCK],
      useFactory: (
        registry: Registry,
        statuses: ProviderStatusRegistry,
        processor: DurableProcessor,
        clock: OverviewClock,
      ) => new OverviewService(registry, statuses, processor, clock),
    },
  ],
})
export class ConsoleModule {}
