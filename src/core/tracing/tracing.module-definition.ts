import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { TracingOptions } from './tracing.options';

export const { ConfigurableModuleClass: ConfigurableTracingModule, MODULE_OPTIONS_TOKEN: TRACING_OPTIONS } =
  new ConfigurableModuleBuilder<TracingOptions>().setClassMethodName('forRoot').build();
