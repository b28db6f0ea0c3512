import { Inject, Injectable, type OnModuleInit, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { stripeConfig } from './stripe.config';
import { ProviderStatusRegistry } from '../../health/provider-status.registry';

/** Reports Stripe in `/health/ready`: `not_configured`, or `up` with the key's mode. */
@Injectable()
export class StripeStatusProbe implements OnModuleInit {
  constructor(
    // Absent in one-shot CLI contexts, which have no health endpoint.
    @Optional() @Inject(ProviderStatusRegistry) private readonly registry: ProviderStatusRegistry | null,
    @Inject(stripeConfig.KEY) private readonly config: ConfigType<typeof stripeConfig>,
  ) {}

  onModuleInit(): void {
    const { configured, livemode, webhookSecrets } = this.config;
    this.registry?.register('stripe', () =>
      configured
        ? { status: 'up', mode: livemode ? 'live' : 'test', webhookSecrets: webhookSecrets.length }
        : { status: 'not_configured' },
    );
  }
}
