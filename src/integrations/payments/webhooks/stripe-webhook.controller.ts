import { Controller, Headers, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { RawBodyRequest } from '@nestjs/common';
import type { Request } from 'express';
import { ApiProblemResponses } from '../../../core/errors/api-problem-responses.decorator';
import { Public } from '../../../core/security/public.decorator';
import { SkipRateLimit } from '../../../core/security/rate-limit/skip-rate-limit.decorator';
import { StripeEventInbox } from './stripe-event.inbox';
import { StripeSignatureVerifier } from './stripe-signature.verifier';

/**
 * Stripe's webhook endpoint: verify, store (unique on event id), answer 200.
 * Nothing else happens on this path — handlers run from the inbox — so Stripe
 * gets its answer fast and a slow handler never causes a redelivery.
 */
@ApiTags('webhooks')
@Public()
@SkipRateLimit()
@Controller('webhooks')
export class StripeWebhookController {
  constructor(
    private readonly verifier: StripeSignatureVerifier,
    private readonly inbox: StripeEventInbox,
  ) {}

  @Post('stripe')
  @HttpCode(200)
  @ApiOperation({ summary: 'Stripe webhook (signed with Stripe-Signature); stores the event, then answers 200' })
  @ApiOkResponse({ description: '`{ received: true, duplicate }`: stored now, or already stored before' })
  @ApiProblemResponses(400, 503)
  async receive(
    @Req() req: RawBodyRequest<Request>,
    @Headers('stripe-signature') signature: string | undefined,
  ): Promise<{ received: true; duplicate: boolean }> {
    const payload = req.rawBody?.toString('utf8') ?? '';
    const event = this.verifier.verify(payload, signature);
    const stored = await this.inbox.store(event, payload, 'webhook');
    return { received: true, duplicate: !stored };
  }
}
