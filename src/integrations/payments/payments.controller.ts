import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiProblemResponses } from '../../core/errors/api-problem-responses.decorator';
import { CurrentPrincipal } from '../../core/security/current-principal.decorator';
import type { Principal } from '../../core/security/principal';
import { RequireScopes } from '../../core/security/require-scopes.decorator';
import {
  CreatePaymentIntentDto,
  CreateRefundDto,
  ListPaymentsQueryDto,
  PaymentDto,
  PaymentIntentCreatedDto,
  PaymentPageDto,
  RefundDto,
} from './dto/payment.dto';
import { IDEMPOTENCY_KEY_HEADER, resolveIdempotencyKey } from './idempotency-key';
import { PaymentsService } from './payments.service';

@ApiTags('payments')
@ApiProblemResponses(401, 404, 503)
@Controller('payments')
export class PaymentsController {
  constructor(private readonly payments: PaymentsService) {}

  @Post('intents')
  @RequireScopes('payments:write')
  @ApiOperation({ summary: 'Create a payment intent (idempotent per Idempotency-Key)' })
  @ApiHeader(IDEMPOTENCY_KEY_HEADER)
  @ApiCreatedResponse({
    type: PaymentIntentCreatedDto,
    headers: {
      'Idempotency-Key': { description: 'The key used' },
      'Idempotent-Replayed': { description: '`true` on a replay' },
    },
  })
  @ApiProblemResponses(400, 402, 409, 422, 429, 502, 504)
  async create(
    @Body() dto: CreatePaymentIntentDto,
    @CurrentPrincipal() principal: Principal,
    @Headers('idempotency-key') header: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PaymentIntentCreatedDto> {
    const key = resolveIdempotencyKey(header);
    res.setHeader('Idempotency-Key', key);
    const result = await this.payments.createIntent(principal, dto, key);
    if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
    return result.body;
  }

  @Get()
  @RequireScopes('payments:read')
  @ApiOperation({ summary: 'List your payments, newest first (admins see all)' })
  @ApiOkResponse({ type: PaymentPageDto })
  @ApiProblemResponses(400)
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListPaymentsQueryDto): Promise<PaymentPageDto> {
    return this.payments.list(principal, query);
  }

  @Get(':id')
  @RequireScopes('payments:read')
  @ApiOperation({ summary: 'A payment with its status history and refunds' })
  @ApiOkResponse({ type: PaymentDto })
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<PaymentDto> {
    return this.payments.get(principal, id);
  }

  @Post(':id/capture')
  @RequireScopes('payments:manage')
  @HttpCode(200)
  @ApiOperation({ summary: 'Capture an authorised (captureMethod=manual) payment' })
  @ApiOkResponse({ type: PaymentDto })
  @ApiProblemResponses(409, 422, 429, 502, 504)
  capture(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<PaymentDto> {
    return this.payments.capture(principal, id);
  }

  @Post(':id/cancel')
  @RequireScopes('payments:manage')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a payment that has not succeeded' })
  @ApiOkResponse({ type: PaymentDto })
  @ApiProblemResponses(409, 422, 429, 502, 504)
  cancel(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<PaymentDto> {
    return this.payments.cancel(principal, id);
  }

  @Post(':id/refunds')
  @RequireScopes('payments:manage')
  @ApiOperation({ summary: 'Refund part or all of a succeeded payment' })
  @ApiCreatedResponse({ type: RefundDto })
  @ApiProblemResponses(400, 409, 422, 429, 502, 504)
  refund(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() dto: CreateRefundDto,
  ): Promise<RefundDto> {
    return this.payments.refund(principal, id, dto);
  }
}
