import {
  type Context,
  ROOT_CONTEXT,
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  isSpanContextValid,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/** W3C `traceparent`/`tracestate`: what goes on outbound requests and into durable rows. */
const propagator = new W3CTraceContextPropagator();

/**
 * The trace context of a span in a form that survives a queue: store it in a
 * JSON column beside the row, restore it when the row is processed.
 */
export interface TraceCarrier {
  readonly traceparent: string;
  readonly tracestate?: string;
}

let contextManagerInstalled = false;

/**
 * Makes `context.with` carry the active span across awaits (AsyncLocalStorage).
 * Process-wide by nature (OpenTelemetry's context API is); installed once, and
 * only when tracing is on. An already registered manager (a preloaded agent's) is kept.
 */
export function installContextManager(): void {
  if (contextManagerInstalled) return;
  contextManagerInstalled = true;
  const manager = new AsyncLocalStorageContextManager();
  if (context.setGlobalContextManager(manager.enable())) return;
  manager.disable();
}

/**
 * `trace_id`/`span_id` of the active span, for log lines (pino mixin); empty outside a span.
 * Always a new object: pino merges the line's own fields into it.
 */
export function activeTraceFields(): { trace_id?: string; span_id?: string } {
  // Tracing off: no span can be active, so skip the context lookup on every log line.
  if (!contextManagerInstalled) return {};
  const span = trace.getSpan(context.active());
  if (span === undefined) return {};
  const ids = span.spanContext();
  return isSpanContextValid(ids) ? { trace_id: ids.traceId, span_id: ids.spanId } : {};
}

/** Adds `traceparent` (and `tracestate`) of the active span to outbound headers; nothing outside a span. */
export function injectTraceHeaders(headers: Record<string, string>, from: Context = context.active()): void {
  propagator.inject(from, headers, defaultTextMapSetter);
}

/** The parent context an inbound request carries in its headers (ROOT when none or malformed). */
export function extractTraceHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): Context {
  return propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
}

/** The active trace context as a carrier for a durable row; undefined outside a (sampled or not) span. */
export function captureTraceContext(from?: Context): TraceCarrier | undefined {
  // Tracing off: nothing to capture, and every durable insert asks (the column stays NULL).
  if (!contextManagerInstalled && from === undefined) return undefined;
  const carrier: Record<string, string> = {};
  propagator.inject(from ?? context.active(), carrier, defaultTextMapSetter);
  if (carrier.traceparent === undefined) return undefined;
  return carrier.tracestate === undefined
    ? { traceparent: carrier.traceparent }
    : { traceparent: carrier.traceparent, tracestate: carrier.tracestate };
}

/**
 * The context stored with a row, ready to parent the span that processes it.
 * Accepts what a JSON column gives back (an object or its text); anything
 * unusable yields ROOT_CONTEXT, so a bad column never stops processing.
 */
export function restoreTraceContext(stored: unknown): Context {
  let value = stored;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return ROOT_CONTEXT;
    }
  }
  if (typeof value !== 'object' || value === null) return ROOT_CONTEXT;
  const { traceparent, tracestate } = value as Record<string, unknown>;
  if (typeof traceparent !== 'string') return ROOT_CONTEXT;
  return extractTraceHeaders({ traceparent, tracestate: typeof tracestate === 'string' ? tracestate : undefined });
}
