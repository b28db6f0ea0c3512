import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiProblemResponses } from '../../core/errors/api-problem-responses.decorator';
import { CurrentPrincipal } from '../../core/security/current-principal.decorator';
import { type Principal, ownerIdOf } from '../../core/security/principal';
import { RequireScopes } from '../../core/security/require-scopes.decorator';
import { CustomersService } from '../payments/customers.service';
import { IDEMPOTENCY_KEY_HEADER, resolveIdempotencyKey } from '../payments/idempotency-key';
import { customerView } from './billing-views';
import { CheckoutService } from './checkout.service';
import {
  CancelSubscriptionDto,
  ChangePriceDto,
  CheckoutSessionCreatedDto,
  CreateCheckoutSessionDto,
  CreatePortalSessionDto,
  CustomerDto,
  EntitlementsDto,
  ListSubscriptionsQueryDto,
  PortalSessionDto,
  SubscriptionDto,
  SubscriptionPageDto,
} from './dto/billing.dto';
import { EntitlementsService } from './entitlements/entitlements.service';
import { SubscriptionsService } from './subscriptions.service';

@ApiTags('billing')
@ApiProblemResponses(401, 403, 503)
@Controller('billing')
export class BillingController {
  constructor(
    private readonly customers: CustomersService,
    private readonly subscriptions: SubscriptionsService,
    private readonly entitlements: EntitlementsService,
    private readonly checkout: CheckoutService,
  ) {}

  @Get('customer')
  // It may create the customer at Stripe, so it needs the scope that creates payments.
  @RequireScopes('payments:write')
  @ApiOperation({ summary: 'Your Stripe customer (created on first call)' })
  @ApiOkResponse({ type: CustomerDto })
  @ApiProblemResponses(429, 502, 504)
  async customer(@CurrentPrincipal() principal: Principal): Promise<CustomerDto> {
    return customerView(await this.customers.forOwner(ownerIdOf(principal)));
  }

  @Get('subscriptions')
  @RequireScopes('payments:read')
  @ApiOperation({ summary: 'Your subscriptions, newest first (admins see all)' })
  @ApiOkResponse({ type: SubscriptionPageDto })
  @ApiProblemResponses(400)
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListSubscriptionsQueryDto,
  ): Promise<SubscriptionPageDto> {
    return this.subscriptions.list(principal, query);
  }

  @Post('subscriptions/:id/cancel')
  @RequireScopes('payments:write')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel at period end (default) or now; id is ours or sub_…' })
  @ApiOkResponse({ type: SubscriptionDto })
  @ApiProblemResponses(400, 404, 409, 429, 502, 504)
  cancel(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() dto: CancelSubscriptionDto,
  ): Promise<SubscriptionDto> {
    return this.subscriptions.cancel(principal, id, dto.atPeriodEnd ?? true);
  }

  @Post('subscriptions/:id/resume')
  @RequireScopes('payments:write')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume a paused subscription or take back a cancellation at period end' })
  @ApiOkResponse({ type: SubscriptionDto })
  @ApiProblemResponses(404, 409, 429, 502, 504)
  resume(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<SubscriptionDto> {
    return this.subscriptions.resume(principal, id);
  }

  @Post('subscriptions/:id/price')
  @RequireScopes('payments:write')
  @HttpCode(200)
  @ApiOperation({ summary: 'Move the subscription to another price' })
  @ApiOkResponse({ type: SubscriptionDto })
  @ApiProblemResponses(400, 404, 409, 429, 502, 504)
  changePrice(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() dto: ChangePriceDto,
  ): Promise<SubscriptionDto> {
    return this.subscriptions.changePrice(principal, id, dto);
  }

  @Get('entitlements')
  @RequireScopes('payments:read')
  @ApiOperation({ summary: 'Features your subscriptions grant now (active, trialing, or past_due within grace)' })
  @ApiOkResponse({ type: EntitlementsDto })
  async entitlementsOf(@CurrentPrincipal() principal: Principal): Promise<EntitlementsDto> {
    return { features: await this.entitlements.featuresOf(ownerIdOf(principal)) };
  }

  @Post('checkout-sessions')
  @RequireScopes('payments:write')
  @ApiOperation({ summary: 'Create a Stripe Checkout Session (idempotent per Idempotency-Key)' })
  @ApiHeader(IDEMPOTENCY_KEY_HEADER)
  @ApiCreatedResponse({
    type: CheckoutSessionCreatedDto,
    headers: {
      'Idempotency-Key': { description: 'The key used' },
      'Idempotent-Replayed': { description: '`true` on a replay' },
    },
  })
  @ApiProblemResponses(400, 409, 429, 502, 504)
  async createCheckoutSession(
    @Body() dto: CreateCheckoutSessionDto,
    @CurrentPrincipal() principal: Principal,
    @Headers('idempotency-key') header: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CheckoutSessionCreatedDto> {
    const key = resolveIdempotencyKey(header);
    res.setHeader('Idempotency-Key', key);
    const result = await this.checkout.create(principal, dto, key);
    if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
    return result.body;
  }

  @Post('portal-sessions')
  @RequireScopes('payments:write')
  @ApiOperation({ summary: 'A Stripe customer portal session for your customer (short-lived url)' })
  @ApiCreatedResponse({ type: PortalSessionDto })
  @ApiProblemResponses(400, 429, 502, 504)
  portal(@CurrentPrincipal() principal: Principal, @Body() dto: CreatePortalSessionDto): Promise<PortalSessionDto> {
    return this.checkout.portal(principal, dto);
  }
}
