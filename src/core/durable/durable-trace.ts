import { captureTraceContext } from '../tracing/trace-context';

/**
 * The value of a new durable row's `trace_context` column: the active trace
 * context as JSON, or null outside a span (always, when tracing is off).
 * Every insert into a durable table sets it, so the row's processing
 * (`durable.process <queue>`) continues the trace that queued it.
 */
export function rowTraceContext(): string | null {
  const carrier = captureTraceContext();
  return carrier === undefined ? null : JSON.stringify(carrier);
}
