import { AsyncLocalStorage } from 'node:async_hooks';

/** What a `@Resilient` method can learn about the attempt it runs in. */
export interface CallContext {
  readonly provider: string;
  readonly operation: string;
  /** 0 for the first attempt, 1 for the first retry, ... */
  readonly attempt: number;
  /** Aborted when this attempt times out: pass it to `fetch`, the SDK, or your own waits. */
  readonly signal: AbortSignal;
  /** The call's idempotency key, from the decorator's `idempotencyKey` extractor. */
  readonly idempotencyKey?: string;
  /** `performance.now()` at which this attempt times out. */
  readonly deadline: number;
}

// Holds no state between calls: each attempt runs inside its own context.
const storage = new AsyncLocalStorage<CallContext>();

/**
 * The context of the `@Resilient` attempt running now, or undefined outside one.
 *
 * @example
 * ```ts
 * @Resilient('github') @Monitored('github', 'repos.list')
 * async listRepos(user: string) {
 *   return fetch(url, { signal: currentCallSignal() });
 * }
 * ```
 */
export function currentCallContext(): CallContext | undefined {
  return storage.getStore();
}

/** The abort signal of the current attempt (aborted on its timeout), or undefined outside one. */
export function currentCallSignal(): AbortSignal | undefined {
  return storage.getStore()?.signal;
}

/** Runs `fn` with `context` as the current call context; always returns a promise. */
export function runInCallContext<T>(context: CallContext, fn: () => T | Promise<T>): Promise<T> {
  try {
    const result = storage.run(context, fn);
    return result instanceof Promise ? result : Promise.resolve(result);
  } catch (error) {
    return Promise.reject(error);
  }
}
