import { ROOT_CONTEXT, context, trace } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { installContextManager, restoreTraceContext } from '../tracing/trace-context';
import { rowTraceContext } from './durable-trace';

describe(rowTraceContext.name, () => {
  beforeAll(() => installContextManager());

  it('is null outside a span (tracing off): the column stays NULL', () => {
    expect(rowTraceContext()).toBeNull();
  });

  it('is the active span as JSON text, which restores as the parent of the row’s processing', () => {
    const span = new BasicTracerProvider().getTracer('test').startSpan('webhook');
    const stored = context.with(trace.setSpan(ROOT_CONTEXT, span), () => rowTraceContext());
    span.end();
    expect(typeof stored).toBe('string');
    expect(trace.getSpanContext(restoreTraceContext(stored))).toMatchObject({
      traceId: span.spanContext().traceId,
      spanId: span.spanContext().spanId,
    });
  });
});
