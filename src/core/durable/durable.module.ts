import { Global, Module } from '@nestjs/common';
import { DurableModuleClass } from './durable.options';
import { DurableProcessor } from './durable.processor';

/**
 * Global, so every feature module can inject `DurableProcessor` and register its queue.
 * Options from the app: `DurableModule.forRoot({ shutdownTimeoutMs })` or `forRootAsync(...)`.
 */
@Global()
@Module({
  providers: [DurableProcessor],
  exports: [DurableProcessor],
})
export class DurableModule extends DurableModuleClass {}
