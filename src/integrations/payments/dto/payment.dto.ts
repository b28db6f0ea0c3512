import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { PageOf, PageQuery } from '../../../core/http/pagination';
import { PAYMENT_STATUSES } from '../payment-status';
import { IsStripeMetadata } from './stripe-metadata.validator';

/** ISO 4217 codes this runtime knows, lower-case as Stripe writes them. */
export const CURRENCIES: readonly string[] = Intl.supportedValuesOf('currency').map((code) => code.toLowerCase());
const CURRENCY_SET = new Set(CURRENCIES);

export class CreatePaymentIntentDto {
  @ApiProperty({
    description: 'Amount in the currency’s minor unit (cents)',
    minimum: 1,
    maximum: 99_999_999,
    example: 1999,
  })
  @IsInt()
  @Min(1)
  @Max(99_999_999)
  amount!: number;

  @ApiProperty({ description: 'ISO 4217 code, lower-case', example: 'eur' })
  @IsString()
  @IsIn([...CURRENCY_SET], { message: 'currency must be a lower-case ISO 4217 code (e.g. usd, eur)' })
  currency!: string;

  @ApiPropertyOptional({ maxLength: 1000 })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: '≤ 49 keys, key ≤ 40 chars, value ≤ 500 chars',
    example: { orderId: 'A-1001' },
  })
  @IsOptional()
  @IsStripeMetadata()
  metadata?: Record<string, string>;

  @ApiPropertyOptional({ description: 'Where Stripe sends the receipt', example: 'ada@example.com' })
  @IsOptional()
  @IsEmail()
  @MaxLength(320)
  customerEmail?: string;

  @ApiPropertyOptional({
    enum: ['automatic', 'manual'],
    description: '`manual`: authorise now, capture later with /capture',
  })
  @IsOptional()
  @IsIn(['automatic', 'manual'])
  captureMethod?: 'automatic' | 'manual';

  @ApiPropertyOptional({
    enum: ['on_session', 'off_session'],
    description:
      'Save the payment method on your Stripe customer for later payments (the customer is created if you have none yet)',
  })
  @IsOptional()
  @IsIn(['on_session', 'off_session'])
  setupFutureUsage?: 'on_session' | 'off_session';
}

export class PaymentIntentCreatedDto {
  @ApiProperty({ description: 'Our payment id' }) id!: string;
  @ApiProperty({ type: String, description: 'For Stripe.js on the client to confirm the payment', nullable: true })
  clientSecret!: string | null;
  @ApiProperty({ enum: PAYMENT_STATUSES }) status!: string;
  @ApiProperty() amount!: number;
  @ApiProperty() currency!: string;
}

export class ListPaymentsQueryDto extends PageQuery() {
  @ApiPropertyOptional({ enum: PAYMENT_STATUSES })
  @IsOptional()
  @IsIn([...PAYMENT_STATUSES])
  status?: string;
}

export class CreateRefundDto {
  @ApiPropertyOptional({ description: 'Minor units; omitted → everything not yet refunded', minimum: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(99_999_999)
  amount?: number;

  @ApiPropertyOptional({ enum: ['duplicate', 'fraudulent', 'requested_by_customer'] })
  @IsOptional()
  @IsIn(['duplicate', 'fraudulent', 'requested_by_customer'])
  reason?: 'duplicate' | 'fraudulent' | 'requested_by_customer';
}

export class StatusChangeDto {
  @ApiProperty() status!: string;
  @ApiProperty({ enum: ['api', 'webhook', 'catch-up'] }) source!: string;
  @ApiProperty({ type: String, nullable: true }) eventId!: string | null;
  @ApiProperty() occurredAt!: string;
}

export class RefundDto {
  @ApiProperty() id!: string;
  @ApiProperty() paymentId!: string;
  @ApiProperty() amount!: number;
  @ApiProperty() currency!: string;
  @ApiProperty() status!: string;
  @ApiProperty({ type: String, nullable: true }) reason!: string | null;
  @ApiProperty() createdAt!: string;
}

export class PaymentDto {
  @ApiProperty() id!: string;
  @ApiProperty({ type: String, nullable: true }) stripeId!: string | null;
  @ApiProperty({ enum: PAYMENT_STATUSES }) status!: string;
  @ApiProperty() amount!: number;
  @ApiProperty() currency!: string;
  @ApiProperty() amountReceived!: number;
  @ApiProperty() amountRefunded!: number;
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty({ type: String, nullable: true }) captureMethod!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: '`disputed` while a chargeback is open, then `won`, `lost` or `warning_closed`',
  })
  disputeStatus!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) metadata!: Record<string, string>;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
  @ApiProperty({ type: [StatusChangeDto] }) history!: StatusChangeDto[];
  @ApiProperty({ type: [RefundDto] }) refunds!: RefundDto[];
}

export class PaymentSummaryDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: PAYMENT_STATUSES }) status!: string;
  @ApiProperty() amount!: number;
  @ApiProperty() currency!: string;
  @ApiProperty() amountRefunded!: number;
  @ApiProperty() createdAt!: string;
}

export class PaymentPageDto extends PageOf(PaymentSummaryDto) {}
