import { ROOT_CONTEXT, context, trace } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import {
  activeTraceFields,
  captureTraceContext,
  injectTraceHeaders,
  installContextManager,
  restoreTraceContext,
} from './trace-context';

describe('trace context helpers', () => {
  const tracer = new BasicTracerProvider().getTracer('test');
  beforeAll(() => installContextManager());

  it('captures the active span as a W3C carrier and restores it as the parent of later work', () => {
    const span = tracer.startSpan('webhook');
    const carrier = context.with(trace.setSpan(ROOT_CONTEXT, span), () => captureTraceContext());
    span.end();
    const { traceId, spanId } = span.spanContext();
    expect(carrier).toEqual({ traceparent: `00-${traceId}-${spanId}-01` });

    // What a JSON column gives back, as an object or as text.
    for (const stored of [carrier, JSON.stringify(carrier)]) {
      const parent = trace.getSpanContext(restoreTraceContext(stored));
      expect(parent).toMatchObject({ traceId, spanId, isRemote: true });
    }
  });

  it('captures nothing outside a span, and restores nothing from junk', () => {
    expect(captureTraceContext()).toBeUndefined();
    for (const junk of [null, undefined, 42, '{not json', { traceparent: 'garbage' }, { traceparent: 7 }]) {
      expect(trace.getSpanContext(restoreTraceContext(junk))).toBeUndefined();
    }
  });

  it('gives log lines the ids of the active span, and outbound requests its traceparent', () => {
    expect(activeTraceFields()).toEqual({});
    const span = tracer.startSpan('request');
    context.with(trace.setSpan(context.active(), span), () => {
      const { traceId, spanId } = span.spanContext();
      expect(activeTraceFields()).toEqual({ trace_id: traceId, span_id: spanId });
      const headers: Record<string, string> = {};
      injectTraceHeaders(headers);
      expect(headers.traceparent).toBe(`00-${traceId}-${spanId}-01`);
    });
    span.end();
  });
});
