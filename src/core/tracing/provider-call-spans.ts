import { type Context, type Span, SpanKind, SpanStatusCode, type Tracer, context, trace } from '@opentelemetry/api';

/** Span attribute names of provider calls (documented in docs/DEPLOY.md). */
export const CALL_ATTRIBUTES = {
  provider: 'portico.provider',
  operation: 'portico.operation',
  attempt: 'portico.attempt',
  attempts: 'portico.attempts',
  outcome: 'portico.outcome',
  breakerState: 'portico.breaker.state',
} as const;

/**
 * Spans of one provider operation (what `@Monitored`/`@Resilient` wrap): one
 * span per call, one child span per attempt, so retries show as siblings
 * under the call with a `retry` event (delay) between them.
 */
export class ProviderCallSpans {
  private readonly callName: string;
  private readonly attemptName: string;

  constructor(
    private readonly tracer: Tracer,
    readonly provider: string,
    readonly operation: string,
  ) {
    this.callName = `${provider} ${operation}`;
    this.attemptName = `${provider} ${operation} attempt`;
  }

  /** Starts the span of one call, as a child of the active span. */
  start(): ProviderCallSpan {
    const parent = context.active();
    const span = this.tracer.startSpan(
      this.callName,
      {
        kind: SpanKind.INTERNAL,
        attributes: { [CALL_ATTRIBUTES.provider]: this.provider, [CALL_ATTRIBUTES.operation]: this.operation },
      },
      parent,
    );
    return new ProviderCallSpan(this, span, trace.setSpan(parent, span));
  }

  /** @internal used by ProviderCallSpan */
  startAttempt(parent: Context, attempt: number): Span {
    return this.tracer.startSpan(
      this.attemptName,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          [CALL_ATTRIBUTES.provider]: this.provider,
          [CALL_ATTRIBUTES.operation]: this.operation,
          [CALL_ATTRIBUTES.attempt]: attempt,
        },
      },
      parent,
    );
  }
}

/** The span of one running call. Records no error message: upstream errors may echo request data. */
export class ProviderCallSpan {
  constructor(
    private readonly owner: ProviderCallSpans,
    private readonly span: Span,
    readonly context: Context,
  ) {}

  /** Runs one attempt (numbered from 1) in its own child span; the outbound request sees it as parent. */
  attempt<T>(attempt: number, run: () => Promise<T>, outcomeOf: (error: unknown) => string): Promise<T> {
    const span = this.owner.startAttempt(this.context, attempt);
    return context.with(trace.setSpan(this.context, span), run).then(
      (value) => {
        span.setAttribute(CALL_ATTRIBUTES.outcome, 'success');
        span.end();
        return value;
      },
      (error: unknown) => {
        finishFailed(span, outcomeOf(error), error);
        throw error;
      },
    );
  }

  /** A retry was decided: `attempt` (from 1) runs after `delayMs`. */
  retrying(attempt: number, delayMs: number): void {
    this.span.addEvent('retry', { [CALL_ATTRIBUTES.attempt]: attempt, 'portico.retry.delay_ms': delayMs });
  }

  end(outcome: string, attempts: number, breakerState: string | undefined, error?: unknown): void {
    this.span.setAttribute(CALL_ATTRIBUTES.attempts, attempts);
    if (breakerState !== undefined) this.span.setAttribute(CALL_ATTRIBUTES.breakerState, breakerState);
    if (outcome === 'success') {
      this.span.setAttribute(CALL_ATTRIBUTES.outcome, outcome);
      this.span.end();
    } else finishFailed(this.span, outcome, error);
  }
}

function finishFailed(span: Span, outcome: string, error: unknown): void {
  const type = error instanceof Error ? error.name : typeof error;
  span.setAttributes({ [CALL_ATTRIBUTES.outcome]: outcome, 'error.type': type });
  span.setStatus({ code: SpanStatusCode.ERROR, message: type });
  span.end();
}
