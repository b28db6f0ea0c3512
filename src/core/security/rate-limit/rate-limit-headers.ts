/** One budget's state after a request took (or failed to take) a point from it. */
export interface BudgetState {
  /** Policy name as shown in the headers (`caller`, `anonymous`). */
  readonly policy: string;
  /** Requests allowed per window. */
  readonly quota: number;
  readonly windowSeconds: number;
  readonly remaining: number;
  /** Until the window resets, ms. */
  readonly resetMs: number;
}

/**
 * Headers of the IETF draft "RateLimit header fields for HTTP"
 * (draft-ietf-httpapi-ratelimit-headers, structured-field form):
 * `RateLimit-Policy: "caller";q=600;w=60` and `RateLimit: "caller";r=12;t=31`.
 */
export function rateLimitHeaders(state: BudgetState): Record<string, string> {
  const reset = Math.max(0, Math.ceil(state.resetMs / 1000));
  return {
    'RateLimit-Policy': `"${state.policy}";q=${state.quota};w=${state.windowSeconds}`,
    RateLimit: `"${state.policy}";r=${Math.max(0, state.remaining)};t=${reset}`,
  };
}
