import { Global, Module } from '@nestjs/common';
import { ConfigurableTracingModule } from './tracing.module-definition';
import { Tracing } from './tracing.service';

/**
 * OpenTelemetry traces (off unless an exporter is configured). Provides
 * `Tracing` everywhere: the HTTP server spans (bootstrap), provider-call spans
 * (the resilience explorer) and queued-work spans use it. Options come through
 * `TracingModule.forRoot({...})` / `forRootAsync({ inject, useFactory })`.
 */
@Global()
@Module({ providers: [Tracing], exports: [Tracing] })
export class TracingModule extends ConfigurableTracingModule {}
