import type { Logger } from '@nestjs/common';
import { type RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimitedError } from '../errors/integration.error';
import { RATE_LIMITED } from './failure-classification';

export interface RateLimitGateOptions {
  readonly provider: string;
  /** Bucket key (`stripe`, or `stripe:paymentIntents.create` for an operation's own bucket). */
  readonly key: string;
  readonly maxWaitMs: number;
  readonly maxQueue: number;
  readonly logger: Logger;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Bounded waiting in front of a rate-limiter-flexible limiter (memory or
 * Redis, shared by every instance using the same key). A call takes a
 * token at once when one is free; otherwise it waits for the next one as
 * long as that fits in `maxWaitMs` and fewer than `maxQueue` calls are
 * already waiting, and fails with `RateLimitedError` (429) otherwise.
 *
 * Not rate-limiter-flexible's `RateLimiterQueue`: that one has no wait
 * deadline, and a waiter given up on would still consume a token later.
 */
export class RateLimitGate {
  private waiting = 0;
  private storeFailureLogged = false;

  constructor(
    private readonly limiter: RateLimiterAbstract,
    private readonly options: RateLimitGateOptions,
  ) {}

  /**
   * Resolves with the time waited (ms) once a token is taken.
   * @throws RateLimitedError when no token comes within the allowed wait.
   */
  take(operation: string): Promise<number> {
    // Fast path: one limiter call, no waiting machinery.
    return this.limiter.consume(this.options.key).then(
      () => 0,
      (rejection: unknown) => this.wait(operation, rejection),
    );
  }

  private async wait(operation: string, firstRejection: unknown): Promise<number> {
    if (!(firstRejection instanceof RateLimiterRes)) return this.storeFailed(firstRejection);
    if (this.waiting >= this.options.maxQueue)
      throw this.limited(operation, firstRejection.msBeforeNext, 'too many calls already waiting');
    const started = Date.now();
    this.waiting++;
    try {
      let rejection = firstRejection;
      for (;;) {
        const waited = Date.now() - started;
        // Give up early when the next token comes too late anyway.
        if (waited + rejection.msBeforeNext > this.options.maxWaitMs) {
          throw this.limited(operation, rejection.msBeforeNext, `no token within ${this.options.maxWaitMs} ms`);
        }
        await sleep(Math.max(1, rejection.msBeforeNext));
        const next = await this.tryConsume();
        if (next === undefined) return Date.now() - started;
        rejection = next;
      }
    } finally {
      this.waiting--;
    }
  }

  /** undefined when a token was taken; the limiter's answer when none was free. */
  private async tryConsume(): Promise<RateLimiterRes | undefined> {
    try {
      await this.limiter.consume(this.options.key);
      return undefined;
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return rejection;
      this.storeFailed(rejection);
      return undefined;
    }
  }

  /** The store failed (and had no insurance): calls go on unthrottled rather than failing. */
  private storeFailed(error: unknown): number {
    if (!this.storeFailureLogged) {
      this.storeFailureLogged = true;
      this.options.logger.warn(
        { err: error, provider: this.options.provider },
        'Rate-limit store failed; calls are not throttled',
      );
    }
    return 0;
  }

  private limited(operation: string, retryAfterMs: number, why: string): RateLimitedError {
    return new RateLimitedError(`${this.options.provider} rate limit reached (${why})`, {
      provider: this.options.provider,
      operation,
      code: RATE_LIMITED,
      retryAfterMs: Math.max(1, retryAfterMs),
    });
  }
}
