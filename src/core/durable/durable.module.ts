import { Global, Module } from '@nestjs/common';
import { DurableProcessor } from './durable.processor';

/** Global, so every feature module can inject `DurableProcessor` and register its queue. */
@Global()
@Module({
  providers: [DurableProcessor],
  exports: [DurableProcessor],
})
export class DurableModule {}
