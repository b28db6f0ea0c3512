/**
 * Narrow readers for the `data.object` of stored events. Events are parsed
 * from JSON we stored, so fields are checked rather than trusted by type.
 */
export interface IntentSnapshot {
  readonly id: string;
  readonly amount: number;
  readonly amountReceived: number;
  readonly currency: string;
  readonly description: string | null;
  readonly captureMethod: string | null;
  readonly receiptEmail: string | null;
  readonly metadata: Record<string, string>;
}

export interface ChargeSnapshot {
  readonly paymentIntent: string | null;
  readonly amount: number;
  readonly amountRefunded: number;
  readonly currency: string;
  readonly description: string | null;
  readonly receiptEmail: string | null;
  readonly metadata: Record<string, string>;
}

export interface RefundSnapshot {
  readonly id: string;
  readonly paymentIntent: string | null;
  readonly amount: number;
  readonly currency: string;
  readonly status: string;
  readonly reason: string | null;
  readonly metadata: Record<string, string>;
}

export function readIntent(object: unknown): IntentSnapshot | undefined {
  if (!isRecord(object) || object.object !== 'payment_intent' || typeof object.id !== 'string') return undefined;
  return {
    id: object.id,
    amount: num(object.amount),
    amountReceived: num(object.amount_received),
    currency: typeof object.currency === 'string' ? object.currency : 'usd',
    description: str(object.description),
    captureMethod: str(object.capture_method),
    receiptEmail: str(object.receipt_email),
    metadata: strings(object.metadata),
  };
}

export function readCharge(object: unknown): ChargeSnapshot | undefined {
  if (!isRecord(object) || object.object !== 'charge') return undefined;
  return {
    paymentIntent: idOf(object.payment_intent),
    amount: num(object.amount),
    amountRefunded: num(object.amount_refunded),
    currency: typeof object.currency === 'string' ? object.currency : 'usd',
    description: str(object.description),
    receiptEmail: str(object.receipt_email),
    metadata: strings(object.metadata),
  };
}

export function readRefund(object: unknown): RefundSnapshot | undefined {
  if (!isRecord(object) || object.object !== 'refund' || typeof object.id !== 'string') return undefined;
  return {
    id: object.id,
    paymentIntent: idOf(object.payment_intent),
    amount: num(object.amount),
    currency: typeof object.currency === 'string' ? object.currency : 'usd',
    status: typeof object.status === 'string' ? object.status : 'pending',
    reason: str(object.reason),
    metadata: strings(object.metadata),
  };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An expandable reference: the id string, or the expanded object's id. */
function idOf(value: unknown): string | null {
  if (typeof value === 'string') return value;
  return isRecord(value) && typeof value.id === 'string' ? value.id : null;
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function strings(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  return Object.fromEntries(
    Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}
