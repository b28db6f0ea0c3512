import { type DynamicModule, Global, Module, type FactoryProvider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DurableEventEntity } from './durable-event.entity';
import { DurableEvents } from './durable-events';
import { DurableProcessor } from './durable.processor';
import { DURABLE_MODULE_OPTIONS, type DurableModuleOptions } from './durable.options';

/**
 * Global, so every feature module can inject `DurableProcessor` (register a
 * queue; ask `runsWorkers` before starting a scheduler) and `DurableEvents`
 * (publish durable reactions). Options come in through a token; core code
 * reads no configuration of its own.
 *
 * @example
 * DurableModule.forRoot({ inject: [appConfig.KEY], useFactory: (app) => ({ runWorkers: app.role !== 'api', shutdownTimeoutMs: app.shutdownTimeoutMs }) })
 */
@Global()
@Module({})
export class DurableModule {
  static forRoot(options: Pick<FactoryProvider<DurableModuleOptions>, 'inject' | 'useFactory'>): DynamicModule {
    return {
      module: DurableModule,
      imports: [TypeOrmModule.forFeature([DurableEventEntity]), DiscoveryModule],
      providers: [{ provide: DURABLE_MODULE_OPTIONS, ...options }, DurableProcessor, DurableEvents],
      exports: [DurableProcessor, DurableEvents],
    };
  }
}
