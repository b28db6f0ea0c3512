/* eslint-disable @typescript-eslint/no-require-imports -- loaded on demand, see `load` */
import type * as OtlpHttp from '@opentelemetry/exporter-trace-otlp-http';
import type * as OtlpProto from '@opentelemetry/exporter-trace-otlp-proto';
import type * as Resources from '@opentelemetry/resources';
import type * as SdkTraceBase from '@opentelemetry/sdk-trace-base';
import type { BasicTracerProvider, Sampler, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type * as SemanticConventions from '@opentelemetry/semantic-conventions';
import type { TracingOptions } from './tracing.options';

/**
 * The SDK and the exporters, required only when tracing is on: about 230
 * modules (the OTLP transformer pulls in the metrics and logs SDKs) that an
 * untraced process would load for nothing — a slower start for every
 * instance, CLI command and test app.
 */
const load = {
  sdk: (): typeof SdkTraceBase => require('@opentelemetry/sdk-trace-base') as typeof SdkTraceBase,
  otlpJson: (): typeof OtlpHttp => require('@opentelemetry/exporter-trace-otlp-http') as typeof OtlpHttp,
  otlpProto: (): typeof OtlpProto => require('@opentelemetry/exporter-trace-otlp-proto') as typeof OtlpProto,
  resources: (): typeof Resources => require('@opentelemetry/resources') as typeof Resources,
  conventions: (): typeof SemanticConventions =>
    require('@opentelemetry/semantic-conventions') as typeof SemanticConventions,
};

/** The exporter the options ask for (OTLP over HTTP as protobuf or JSON, or the console); undefined when off. */
export function buildSpanExporter(options: TracingOptions): SpanExporter | undefined {
  switch (options.exporter) {
    case 'otlp': {
      const settings = { url: options.otlp.url, headers: { ...options.otlp.headers } };
      return options.otlp.protocol === 'http/json'
        ? new (load.otlpJson().OTLPTraceExporter)(settings)
        : new (load.otlpProto().OTLPTraceExporter)(settings);
    }
    case 'console':
      return new (load.sdk().ConsoleSpanExporter)();
    default:
      return undefined;
  }
}

/**
 * The sampler `OTEL_TRACES_SAMPLER` names, as the OpenTelemetry specification
 * defines each one. Built here from the validated config, so the SDK does not
 * read the environment itself (it would fall back silently on a bad value).
 */
export function buildSampler({ kind, ratio }: TracingOptions['sampler']): Sampler {
  const sdk = load.sdk();
  const root = kind.endsWith('always_off')
    ? new sdk.AlwaysOffSampler()
    : kind.endsWith('traceidratio')
      ? new sdk.TraceIdRatioBasedSampler(ratio)
      : new sdk.AlwaysOnSampler();
  return kind.startsWith('parentbased_') ? new sdk.ParentBasedSampler({ root }) : root;
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
  const { BasicTracerProvider: Provider, BatchSpanProcessor, SimpleSpanProcessor } = load.sdk();
  const processor: SpanProcessor =
    options.exporter === 'console'
      ? new SimpleSpanProcessor(exporter)
      : new BatchSpanProcessor(exporter, { scheduledDelayMillis: options.exportDelayMs, maxQueueSize: 8_192 });
  return new Provider({
    resource: load.resources().resourceFromAttributes({
      [load.conventions().ATTR_SERVICE_NAME]: options.serviceName,
    }),
    spanProcessors: [processor],
    sampler: buildSampler(options.sampler),
  });
}
