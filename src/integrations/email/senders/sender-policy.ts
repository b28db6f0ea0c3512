import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { emailConfig } from '../../../config/email.config';
import { ProblemException } from '../../../core/errors/problem.exception';
import type { Principal } from '../../../core/security';
import { type DeliverabilityConfig, type Sender, deliverabilityConfig } from '../deliverability.config';

/**
 * Which `from` a caller may use: EMAIL_FROM for everyone; a sender of
 * EMAIL_SENDERS only for admins and for the keys and users EMAIL_SENDER_GRANTS
 * names (`key:<name or id>`, `user:<id or email>`, or `*` for every caller).
 */
@Injectable()
export class SenderPolicy {
  constructor(
    @Inject(emailConfig.KEY) private readonly email: ConfigType<typeof emailConfig>,
    @Inject(deliverabilityConfig.KEY) private readonly config: DeliverabilityConfig,
  ) {}

  /**
   * The sender for `from` (undefined: the default, EMAIL_FROM).
   * @throws ProblemException 400 when `from` is not a configured sender, 403 when the caller may not use it.
   */
  resolve(principal: Principal, from: string | undefined): Sender | undefined {
    if (from === undefined) return undefined;
    const address = from.toLowerCase();
    if (address === this.email.from.toLowerCase()) return undefined;
    const sender = this.config.senders.find((s) => s.email === address);
    if (sender === undefined)
      throw new ProblemException(400, `from ${address} is not one of the configured senders (EMAIL_SENDERS)`, {
        slug: 'unknown-sender',
        title: 'Unknown sender',
      });
    if (!principal.admin && !this.granted(principal, address))
      throw new ProblemException(403, `You may not send as ${address}`, {
        slug: 'sender-not-allowed',
        title: 'Sender not allowed',
      });
    return sender;
  }

  private granted(principal: Principal, address: string): boolean {
    const names =
      principal.kind === 'api_key'
        ? ['*', `key:${principal.name}`, `key:${principal.id}`]
        : ['*', `user:${principal.id}`, ...(principal.email ? [`user:${principal.email.toLowerCase()}`] : [])];
    return names.some((name) => this.config.senderGrants.get(name)?.has(address) ?? false);
  }
}
