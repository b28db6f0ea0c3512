import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { stripeConfig } from './stripe.config';
import { DurableProcessor } from '../../core/durable/durable.processor';
import { isRecord } from './handlers/stripe-objects';
import { InjectPaymentGateway, type PaymentGateway } from './payment-gateway.port';
import { StripeEventInbox } from './webhooks/stripe-event.inbox';

export interface CatchUpResult {
  /** Events Stripe listed since the given time. */
  readonly seen: number;
  /** Of those, events the inbox did not have yet. */
  readonly stored: number;
}

const PAGE_SIZE = 100;

/**
 * Feeds Stripe's events list into the webhook inbox, for when our endpoint
 * was down longer than Stripe retries (3 days; the list reaches back 30).
 * Dedupe on event id makes overlapping runs and concurrent webhooks harmless.
 * Runs from `npm run stripe:catch-up` and, with STRIPE_CATCH_UP_INTERVAL_MINUTES,
 * on a timer (each run looks back two intervals plus five minutes).
 */
@Injectable()
export class StripeCatchUpService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(StripeCatchUpService.name);
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    @InjectPaymentGateway() private readonly gateway: PaymentGateway,
    private readonly inbox: StripeEventInbox,
    @Inject(stripeConfig.KEY) private readonly config: ConfigType<typeof stripeConfig>,
    @Optional() @Inject(DurableProcessor) private readonly processor: DurableProcessor | null,
  ) {}

  onApplicationBootstrap(): void {
    const minutes = this.config.catchUpIntervalMinutes;
    // The timer is background work: worker (and all) processes only.
    if (!this.config.configured || minutes <= 0 || this.processor?.runsWorkers !== true) return;
    this.timer = setInterval(() => void this.scheduled(minutes), minutes * 60_000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
  }

  /** Pages through every event created at or after `since` and stores the unseen ones. */
  async catchUp(since: Date): Promise<CatchUpResult> {
    let seen = 0;
    let stored = 0;
    let startingAfter: string | undefined;
    for (;;) {
      const page = await this.gateway.listEvents({
        createdGte: Math.floor(since.getTime() / 1000),
        limit: PAGE_SIZE,
        startingAfter,
      });
      for (const listed of page.events) {
        seen += 1;
        const event = toInboxEvent(JSON.parse(listed.raw));
        if (event === undefined || event.livemode !== this.config.livemode) continue;
        if (await this.inbox.store(event, listed.raw, 'catch-up')) stored += 1;
      }
      startingAfter = page.events.at(-1)?.id;
      if (!page.hasMore || startingAfter === undefined) break;
    }
    return { seen, stored };
  }

  private async scheduled(minutes: number): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const result = await this.catchUp(new Date(Date.now() - (2 * minutes + 5) * 60_000));
      if (result.stored > 0)
        this.logger.warn(`Catch-up stored ${result.stored} event(s) the webhook had not delivered`);
    } catch (error) {
      this.logger.error({ err: error }, 'Scheduled Stripe catch-up failed');
    } finally {
      this.running = false;
    }
  }
}

function toInboxEvent(value: unknown): { id: string; type: string; created: number; livemode: boolean } | undefined {
  if (
    !isRecord(value) ||
    typeof value.id !== 'string' ||
    typeof value.type !== 'string' ||
    typeof value.created !== 'number' ||
    typeof value.livemode !== 'boolean'
  ) {
    return undefined;
  }
  return { id: value.id, type: value.type, created: value.created, livemode: value.livemode };
}
