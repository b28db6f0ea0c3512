import { OTLPTraceExporter as OtlpJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ConsoleSpanExporter } from '@opentelemetry/sdk-trace-base';
import { buildSpanExporter, buildTracerProvider } from './tracer-provider.factory';
import type { TracingOptions } from './tracing.options';

const base: TracingOptions = {
  exporter: 'otlp',
  otlp: { url: 'http://127.0.0.1:4318/v1/traces', protocol: 'http/protobuf', headers: {} },
  serviceName: 'portico',
  exportDelayMs: 5_000,
};

describe(buildSpanExporter.name, () => {
  it('picks the exporter the options name', () => {
    expect(buildSpanExporter(base)).toBeInstanceOf(OtlpProtoTraceExporter);
    expect(buildSpanExporter({ ...base, otlp: { ...base.otlp, protocol: 'http/json' } })).toBeInstanceOf(
      OtlpJsonTraceExporter,
    );
    expect(buildSpanExporter({ ...base, exporter: 'console' })).toBeInstanceOf(ConsoleSpanExporter);
  });

  it('builds no provider at all when tracing is off', () => {
    expect(buildTracerProvider({ ...base, exporter: 'none' })).toBeUndefined();
  });
});
