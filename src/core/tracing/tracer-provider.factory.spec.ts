import { OTLPTraceExporter as OtlpJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ConsoleSpanExporter } from '@opentelemetry/sdk-trace-base';
import { ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { buildSpanExporter, buildTracerProvider } from './tracer-provider.factory';
import type { TraceSamplerKind, TracingOptions } from './tracing.options';

const base: TracingOptions = {
  exporter: 'otlp',
  otlp: { url: 'http://127.0.0.1:4318/v1/traces', protocol: 'http/protobuf', headers: {} },
  serviceName: 'portico',
  exportDelayMs: 5_000,
  sampler: { kind: 'parentbased_always_on', ratio: 1 },
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

describe('sampling (OTEL_TRACES_SAMPLER)', () => {
  /** A caller's `traceparent` that says whether it sampled the trace. */
  const fromCaller = (sampled: boolean) =>
    trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
      isRemote: true,
    });

  /** Whether a new trace, and a request continuing a sampled and an unsampled caller's trace, are recorded. */
  async function recorded(kind: TraceSamplerKind, ratio = 1) {
    const provider = buildTracerProvider({ ...base, sampler: { kind, ratio } });
    if (provider === undefined) throw new Error('tracing is on in these options');
    const tracer = provider.getTracer('test');
    const record = (parent = ROOT_CONTEXT): boolean => {
      const span = tracer.startSpan('request', {}, parent);
      // Not ended: an ended span would be exported when the provider shuts down, and no collector listens here.
      return span.isRecording();
    };
    const result = {
      newTrace: record(),
      sampledCaller: record(fromCaller(true)),
      unsampledCaller: record(fromCaller(false)),
    };
    await provider.shutdown();
    return result;
  }

  it('records every trace by default and follows the caller (parentbased_always_on)', async () => {
    expect(await recorded('parentbased_always_on')).toEqual({
      newTrace: true,
      sampledCaller: true,
      unsampledCaller: false,
    });
  });

  it('keeps none of the new traces at ratio 0, yet follows a caller that sampled (parentbased_traceidratio)', async () => {
    expect(await recorded('parentbased_traceidratio', 0)).toEqual({
      newTrace: false,
      sampledCaller: true,
      unsampledCaller: false,
    });
  });

  it('decides alone, whatever the caller says, without parentbased_', async () => {
    expect(await recorded('always_off')).toEqual({ newTrace: false, sampledCaller: false, unsampledCaller: false });
    expect(await recorded('always_on')).toEqual({ newTrace: true, sampledCaller: true, unsampledCaller: true });
    expect(await recorded('traceidratio', 1)).toEqual({ newTrace: true, sampledCaller: true, unsampledCaller: true });
  });

  it('keeps about the ratio of new traces asked for (traceidratio 0.25)', async () => {
    const provider = buildTracerProvider({ ...base, sampler: { kind: 'traceidratio', ratio: 0.25 } });
    const tracer = provider?.getTracer('test');
    let kept = 0;
    for (let i = 0; i < 2_000; i += 1) {
      const span = tracer?.startSpan('request');
      if (span?.isRecording() === true) kept += 1;
    }
    await provider?.shutdown();
    // Random trace ids: 500 expected; 380..620 is more than 5 standard deviations (19) either side.
    expect(kept).toBeGreaterThan(380);
    expect(kept).toBeLessThan(620);
  });
});
