import { ConfigurableModuleBuilder } from '@nestjs/common';

/** What the app tells the durable module (core reads no configuration itself). */
export interface DurableOptions {
  /** The app's shutdown budget, ms; workers get part of it to finish in-flight rows. */
  readonly shutdownTimeoutMs: number;
}

export const { ConfigurableModuleClass: DurableModuleClass, MODULE_OPTIONS_TOKEN: DURABLE_OPTIONS } =
  new ConfigurableModuleBuilder<DurableOptions>().setClassMethodName('forRoot').build();
