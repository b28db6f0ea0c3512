import { OTLPTraceExporter as OtlpJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { TracingOptions } from './tracing.options';

/** The exporter the options ask for (OTLP over HTTP as protobuf or JSON, or the console); undefined when off. */
export function buildSpanExporter(options: TracingOptions): SpanExporter | undefined {
  switch (options.exporter) {
    case 'otlp': {
      const settings = { url: options.otlp.url, headers: { ...options.otlp.headers } };
      return options.otlp.protocol === 'http/json'
        ? new OtlpJsonTraceExporter(settings)
        : new OtlpProtoTraceExporter(settings);
    }
    case 'console':
      return new ConsoleSpanExporter();
    default:
      return undefined;
  }
}

/**
 * A tracer provider of our own, not registered as the global one: each app
 * (and each test app in one process) exports through its own pipeline and
 * flushes it when it closes. Spans leave in batches off the request path;
 * the console exporter writes each span as it ends.
 */
export function buildTracerProvider(options: TracingOptions): BasicTracerProvider | undefined {
  const exporter = buildSpanExporter(options);
  if (exporter === undefined) return undefined;
  const processor: SpanProcessor =
    options.exporter === 'console'
      ? new SimpleSpanProcessor(exporter)
      : new BatchSpanProcessor(exporter, { scheduledDelayMillis: options.exportDelayMs, maxQueueSize: 8_192 });
  return new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName }),
    spanProcessors: [processor],
  });
}
