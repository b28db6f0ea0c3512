import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { emailConfig } from '../../config/email.config';
import { ProviderStatusRegistry } from '../../health/provider-status.registry';
import { TransportHealth } from './transports/transport-health';

/**
 * The `sendgrid` entry of `/health/ready`: not configured while mail goes to
 * the log transport; degraded while sends keep failing.
 */
@Injectable()
export class EmailProviderStatus implements OnModuleInit {
  constructor(
    private readonly registry: ProviderStatusRegistry,
    private readonly health: TransportHealth,
    @Inject(emailConfig.KEY) private readonly config: ConfigType<typeof emailConfig>,
  ) {}

  onModuleInit(): void {
    this.registry.register('sendgrid', () => {
      if (this.config.transport !== 'sendgrid') return { status: 'not_configured' };
      return this.health.degraded ? { status: 'degraded', ...this.health.details() } : { status: 'up' };
    });
  }
}
