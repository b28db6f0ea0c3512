import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import {
  type Attributes,
  type Context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  context,
  trace,
} from '@opentelemetry/api';
import type { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { ProviderCallSpans } from './provider-call-spans';
import { installContextManager, restoreTraceContext } from './trace-context';
import { buildTracerProvider } from './tracer-provider.factory';
import { TRACING_OPTIONS } from './tracing.module-definition';
import type { TracingOptions } from './tracing.options';

/**
 * The app's tracer (OpenTelemetry), or nothing when tracing is off: callers
 * check `tracer` once and skip all span work otherwise. Flushes the spans
 * still buffered when the application shuts down.
 */
@Injectable()
export class Tracing implements OnApplicationShutdown {
  /** Undefined when tracing is off. */
  readonly tracer: Tracer | undefined;
  private readonly provider: BasicTracerProvider | undefined;

  constructor(@Inject(TRACING_OPTIONS) options: TracingOptions) {
    this.provider = buildTracerProvider(options);
    if (this.provider !== undefined) installContextManager();
    this.tracer = this.provider?.getTracer('portico');
  }

  get enabled(): boolean {
    return this.tracer !== undefined;
  }

  /** Spans for one provider operation; undefined when tracing is off. */
  providerCalls(provider: string, operation: string): ProviderCallSpans | undefined {
    return this.tracer === undefined ? undefined : new ProviderCallSpans(this.tracer, provider, operation);
  }

  /**
   * Runs the processing of a durable row (inbox/outbox) in a consumer span that
   * continues the trace stored with the row (`captureTraceContext()` when it was
   * written), so the request that queued it and the work it causes form one trace.
   * The stored context is the span's parent (one trace, as operators read it)
   * and also its link (what OpenTelemetry's messaging conventions ask of a
   * consumer span, and how backends mark the hop across the queue).
   */
  async inQueuedSpan<T>(name: string, stored: unknown, attributes: Attributes, work: () => Promise<T>): Promise<T> {
    if (this.tracer === undefined) return work();
    const parent = restoreTraceContext(stored);
    const producer = trace.getSpanContext(parent);
    const span = this.tracer.startSpan(
      name,
      { kind: SpanKind.CONSUMER, attributes, links: producer === undefined ? [] : [{ context: producer }] },
      parent,
    );
    return runIn(span, trace.setSpan(parent, span), work);
  }

  /**
   * Runs `work` in an internal child span of the active one (e.g. a payment's
   * status change, so the work it queues hangs under it); just runs it when tracing is off.
   * `describe` adds attributes from the result (never personal data).
   */
  async inSpan<T>(
    name: string,
    attributes: Attributes,
    work: () => Promise<T>,
    describe?: (result: T) => Attributes,
  ): Promise<T> {
    if (this.tracer === undefined) return work();
    const parent = context.active();
    const span = this.tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes }, parent);
    return runIn(span, trace.setSpan(parent, span), async () => {
      const result = await work();
      if (describe !== undefined) span.setAttributes(describe(result));
      return result;
    });
  }

  /** Sends the spans still buffered. */
  async flush(): Promise<void> {
    await this.provider?.forceFlush();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.provider?.shutdown();
  }
}

/** Runs `work` with `span` active, then ends the span; a failure records its type, never its message. */
async function runIn<T>(span: Span, active: Context, work: () => Promise<T>): Promise<T> {
  try {
    return await context.with(active, work);
  } catch (error) {
    const type = error instanceof Error ? error.name : typeof error;
    span.setAttribute('error.type', type);
    span.setStatus({ code: SpanStatusCode.ERROR, message: type });
    throw error;
  } finally {
    span.end();
  }
}
