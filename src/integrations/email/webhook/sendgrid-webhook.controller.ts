import { Controller, Headers, HttpCode, Inject, Post, Req } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { RawBodyRequest } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { KeyObject } from 'node:crypto';
import { sendgridConfig } from '../sendgrid.config';
import { ProviderNotConfiguredError } from '../../../core/errors/integration.error';
import { ApiProblemResponses } from '../../../core/errors/api-problem-responses.decorator';
import { ProblemException } from '../../../core/errors/problem.exception';
import { Public, SkipRateLimit } from '../../../core/security';
import { SendGridEventsInbox, type SendGridWebhookEvent } from './sendgrid-events.inbox';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, checkSignature, parseWebhookPublicKey } from './sendgrid-signature';

const REFUSALS = {
  missing: 'The X-Twilio-Email-Event-Webhook-Signature and -Timestamp headers are required',
  invalid: 'The event webhook signature does not verify',
  stale: 'The event webhook timestamp is outside the accepted window',
} as const;

/**
 * SendGrid's signed event webhook. Verifies the ECDSA signature over the raw
 * body, stores every event (once per sg_event_id) and only then answers 200;
 * events are applied to messages afterwards by the inbox processor.
 */
@ApiTags('webhooks')
@Public()
@SkipRateLimit()
@Controller('webhooks/sendgrid')
export class SendGridWebhookController {
  private readonly key?: KeyObject;

  constructor(
    @Inject(sendgridConfig.KEY) private readonly config: ConfigType<typeof sendgridConfig>,
    private readonly inbox: SendGridEventsInbox,
  ) {
    // Validated at start-up (sendgrid.config.ts), so parsing cannot fail here.
    this.key = config.webhookPublicKey === undefined ? undefined : parseWebhookPublicKey(config.webhookPublicKey);
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'SendGrid event webhook (signed; configure its URL and public key in SendGrid)' })
  @ApiHeader({ name: 'X-Twilio-Email-Event-Webhook-Signature', required: true, description: 'base64 ECDSA signature' })
  @ApiHeader({ name: 'X-Twilio-Email-Event-Webhook-Timestamp', required: true, description: 'Unix seconds' })
  @ApiOkResponse({
    description: 'Every event stored',
    schema: { type: 'object', properties: { received: { type: 'integer' } } },
  })
  @ApiProblemResponses(400, 503)
  async receive(
    @Req() req: RawBodyRequest<Request>,
    @Headers(SIGNATURE_HEADER) signature: string | undefined,
    @Headers(TIMESTAMP_HEADER) timestamp: string | undefined,
  ): Promise<{ received: number }> {
    if (this.key === undefined)
      throw new ProviderNotConfiguredError('sendgrid', ['SENDGRID_WEBHOOK_PUBLIC_KEY'], 'eventWebhook');
    const rawBody = req.rawBody ?? Buffer.alloc(0);
    const check = checkSignature({
      key: this.key,
      signature,
      timestamp,
      rawBody,
      toleranceSeconds: this.config.webhookToleranceSeconds,
    });
    if (check !== 'valid')
      throw new ProblemException(400, REFUSALS[check], {
        slug: 'invalid-webhook-signature',
        title: 'Invalid webhook signature',
      });
    const events = parseEvents(rawBody);
    await this.inbox.store(events);
    return { received: events.length };
  }
}

function parseEvents(rawBody: Buffer): SendGridWebhookEvent[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new ProblemException(400, 'The request body is not valid JSON', {
      slug: 'malformed-body',
      title: 'Bad Request',
    });
  }
  if (!Array.isArray(parsed))
    throw new ProblemException(400, 'The body must be a JSON array of events', {
      slug: 'invalid-webhook-payload',
      title: 'Invalid webhook payload',
    });
  const bad = parsed.findIndex(
    (e) =>
      typeof e !== 'object' || e === null || Array.isArray(e) || typeof (e as { event?: unknown }).event !== 'string',
  );
  if (bad >= 0)
    throw new ProblemException(400, `Event ${bad} has no "event" name`, {
      slug: 'invalid-webhook-payload',
      title: 'Invalid webhook payload',
    });
  return parsed as SendGridWebhookEvent[];
}
