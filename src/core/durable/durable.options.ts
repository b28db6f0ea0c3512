import { Inject } from '@nestjs/common';

/** How this process runs durable work (given to `DurableModule.forRoot`). */
export interface DurableModuleOptions {
  /**
   * Whether this process claims and handles rows and runs schedulers
   * (`PORTICO_ROLE` `all` or `worker`). False (`api`): queues are
   * registered — rows are stored and replayable — but never polled here.
   */
  readonly runWorkers: boolean;
  /** Shutdown budget; in-flight handlers get part of it to finish. */
  readonly shutdownTimeoutMs: number;
}

export const DURABLE_MODULE_OPTIONS = Symbol('DURABLE_MODULE_OPTIONS');

export const InjectDurableOptions = (): ParameterDecorator => Inject(DURABLE_MODULE_OPTIONS);
