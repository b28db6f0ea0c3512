import type { PaymentDto, PaymentIntentCreatedDto, PaymentSummaryDto, RefundDto } from './dto/payment.dto';
import type { PaymentEntity } from './entities/payment.entity';
import type { PaymentStatusChangeEntity } from './entities/payment-status-change.entity';
import type { RefundEntity } from './entities/refund.entity';
import { PAYMENT_ID_METADATA_KEY } from './payment-links';

export function createdView(payment: PaymentEntity): PaymentIntentCreatedDto {
  return {
    id: payment.id,
    clientSecret: payment.clientSecret,
    status: payment.status,
    amount: payment.amount,
    currency: payment.currency,
  };
}

export function refundView(refund: RefundEntity): RefundDto {
  return {
    id: refund.id,
    paymentId: refund.paymentId,
    amount: refund.amount,
    currency: refund.currency,
    status: refund.status,
    reason: refund.reason,
    createdAt: refund.createdAt.toISOString(),
  };
}

export function summaryView(payment: PaymentEntity): PaymentSummaryDto {
  return {
    id: payment.id,
    status: payment.status,
    amount: payment.amount,
    currency: payment.currency,
    amountRefunded: payment.amountRefunded,
    createdAt: payment.createdAt.toISOString(),
  };
}

export function paymentView(
  payment: PaymentEntity,
  history: PaymentStatusChangeEntity[],
  refunds: RefundEntity[],
): PaymentDto {
  const metadata = { ...(payment.metadata ?? {}) };
  delete metadata[PAYMENT_ID_METADATA_KEY];
  return {
    id: payment.id,
    stripeId: payment.stripeId,
    status: payment.status,
    amount: payment.amount,
    currency: payment.currency,
    amountReceived: payment.amountReceived,
    amountRefunded: payment.amountRefunded,
    description: payment.description,
    captureMethod: payment.captureMethod,
    disputeStatus: payment.disputeStatus,
    metadata,
    createdAt: payment.createdAt.toISOString(),
    updatedAt: payment.updatedAt.toISOString(),
    history: history.map((change) => ({
      status: change.status,
      source: change.source,
      eventId: change.eventId,
      occurredAt: change.occurredAt.toISOString(),
    })),
    refunds: refunds.map(refundView),
  };
}
