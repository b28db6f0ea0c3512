import { Injectable } from '@nestjs/common';
import { isIntegrationError } from '../../../core/errors/integration.error';

/** Consecutive failed sends after which `/health/ready` reports the transport `degraded`. */
const DEGRADED_AFTER = 5;

/**
 * What the outbox has seen of the transport lately, for the provider
 * registry: several sends in a row failing means mail is not going out.
 */
@Injectable()
export class TransportHealth {
  private consecutiveFailures = 0;
  private lastError?: string;
  private lastSuccessAt?: Date;

  succeeded(): void {
    this.consecutiveFailures = 0;
    this.lastSuccessAt = new Date();
  }

  failed(error: unknown): void {
    this.consecutiveFailures += 1;
    this.lastError = isIntegrationError(error)
      ? `${error.name}${error.upstreamStatus ? ` (${error.upstreamStatus})` : ''}`
      : 'Error';
  }

  get degraded(): boolean {
    return this.consecutiveFailures >= DEGRADED_AFTER;
  }

  details(): Record<string, unknown> {
    return {
      consecutiveFailures: this.consecutiveFailures,
      ...(this.lastError ? { lastError: this.lastError } : {}),
      ...(this.lastSuccessAt ? { lastSuccessAt: this.lastSuccessAt.toISOString() } : {}),
    };
  }
}
