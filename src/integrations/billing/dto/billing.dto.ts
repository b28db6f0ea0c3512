import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { PageOf, PageQuery } from '../../../core/http/pagination';

/** Stripe price ids as Stripe writes them (`price_…`); anything else is refused before Stripe is asked. */
export const PRICE_ID = /^price_[A-Za-z0-9_]{1,250}$/;
const PRICE_MESSAGE = 'price must be a Stripe price id (price_…)';
const URL_MESSAGE = '$property must be an absolute http(s) URL';
const HTTP_URL = /^https?:\/\/\S+$/;

export class CustomerDto {
  @ApiProperty({ description: 'Stripe customer id (cus_…)' }) id!: string;
  @ApiProperty({ description: '`key:<id>` or `user:<id>`' }) ownerId!: string;
  @ApiProperty() createdAt!: string;
}

export class SubscriptionItemDto {
  @ApiProperty({ description: 'Subscription item id (si_…)' }) id!: string;
  @ApiProperty({ type: String, nullable: true }) price!: string | null;
  @ApiProperty({ type: String, nullable: true }) product!: string | null;
  @ApiProperty() quantity!: number;
}

export class SubscriptionDto {
  @ApiProperty({ description: 'Our id' }) id!: string;
  @ApiProperty({ description: 'Stripe subscription id (sub_…); accepted wherever our id is' }) stripeId!: string;
  @ApiProperty({
    enum: ['incomplete', 'incomplete_expired', 'trialing', 'active', 'past_due', 'canceled', 'unpaid', 'paused'],
  })
  status!: string;
  @ApiProperty({ type: [SubscriptionItemDto] }) items!: SubscriptionItemDto[];
  @ApiProperty({ type: String, nullable: true, description: 'ISO time' }) currentPeriodEnd!: string | null;
  @ApiProperty() cancelAtPeriodEnd!: boolean;
  @ApiProperty({ type: String, nullable: true, description: 'ISO time' }) trialEnd!: string | null;
  @ApiProperty({ type: String, nullable: true }) latestInvoice!: string | null;
  @ApiProperty() updatedAt!: string;
}

export class SubscriptionPageDto extends PageOf(SubscriptionDto) {}

export class ListSubscriptionsQueryDto extends PageQuery() {}

export class CancelSubscriptionDto {
  @ApiPropertyOptional({ description: 'true: at the end of the paid period (default); false: now', default: true })
  @IsOptional()
  @IsBoolean()
  atPeriodEnd?: boolean;
}

export class ChangePriceDto {
  @ApiProperty({ example: 'price_1Pro' })
  @IsString()
  @Matches(PRICE_ID, { message: PRICE_MESSAGE })
  price!: string;

  @ApiPropertyOptional({ enum: ['create_prorations', 'none', 'always_invoice'], default: 'create_prorations' })
  @IsOptional()
  @IsIn(['create_prorations', 'none', 'always_invoice'])
  prorationBehavior?: 'create_prorations' | 'none' | 'always_invoice';
}

export class EntitlementsDto {
  @ApiProperty({ type: [String], description: 'Features granted now (BILLING_ENTITLEMENTS), sorted' })
  features!: string[];
}

export class CheckoutItemDto {
  @ApiProperty({ example: 'price_1Pro' })
  @IsString()
  @Matches(PRICE_ID, { message: PRICE_MESSAGE })
  price!: string;

  @ApiProperty({ minimum: 1, maximum: 999 })
  @IsInt()
  @Min(1)
  @Max(999)
  quantity!: number;
}

export class CreateCheckoutSessionDto {
  @ApiProperty({ enum: ['payment', 'subscription', 'setup'] })
  @IsIn(['payment', 'subscription', 'setup'])
  mode!: 'payment' | 'subscription' | 'setup';

  @ApiPropertyOptional({ type: [CheckoutItemDto], description: '1–20 items (none for `setup`)' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => CheckoutItemDto)
  items?: CheckoutItemDto[];

  @ApiProperty({ description: 'On PUBLIC_URL or AUTH_REDIRECT_ALLOWLIST; may contain {CHECKOUT_SESSION_ID}' })
  @IsString()
  @MaxLength(2048)
  @Matches(HTTP_URL, { message: URL_MESSAGE })
  successUrl!: string;

  @ApiProperty({ description: 'On PUBLIC_URL or AUTH_REDIRECT_ALLOWLIST' })
  @IsString()
  @MaxLength(2048)
  @Matches(HTTP_URL, { message: URL_MESSAGE })
  cancelUrl!: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 730, description: 'Subscription mode only' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(730)
  trialDays?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  allowPromotionCodes?: boolean;
}

export class CheckoutSessionCreatedDto {
  @ApiProperty({ description: 'Stripe Checkout Session id (cs_…)' }) id!: string;
  @ApiProperty({ description: 'Where to send the customer' }) url!: string;
}

export class CreatePortalSessionDto {
  @ApiProperty({ description: 'On PUBLIC_URL or AUTH_REDIRECT_ALLOWLIST' })
  @IsString()
  @MaxLength(2048)
  @Matches(HTTP_URL, { message: URL_MESSAGE })
  returnUrl!: string;
}

export class PortalSessionDto {
  @ApiProperty({ description: 'Short-lived: create one per click' }) url!: string;
}
