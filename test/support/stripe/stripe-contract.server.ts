import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeBilling } from './billing-contract';
import { errorBody, str, strings, token } from './contract-answers';
import { type FormObject, canonicalParams, parseForm } from './form';
import { signedHeaders, stripeEvent } from './stripe-fixtures';

/**
 * A loopback HTTP server that follows Stripe's published API contract for
 * the calls Portico makes, so the real `stripe` SDK runs against it (via
 * `STRIPE_API_BASE`): form-encoded bodies, bearer secret keys, `Idempotency-Key`
 * replay (`Idempotent-Replayed: true`; different parameters → 400
 * `idempotency_error`), Stripe's error JSON, scripted 429/5xx answers with or
 * without `Stripe-Should-Retry`, slow answers, and counts of what it received.
 */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly idempotencyKey: string | undefined;
  readonly params: FormObject;
  readonly status: number;
  readonly replayed: boolean;
}

export interface ScriptedAnswer {
  readonly status: number;
  /** Stripe error body; defaults to an `api_error` for 5xx, `rate_limit_error` for 429. */
  readonly error?: Record<string, string>;
  /** Value of `Stripe-Should-Retry` (omitted when undefined). */
  readonly shouldRetry?: boolean;
  readonly retryAfterSeconds?: number;
  /** Answer only requests whose path starts with this (default: any). */
  readonly pathPrefix?: string;
  /** Wait this long before answering. */
  readonly delayMs?: number;
}

export interface FakeIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_received: number;
  currency: string;
  status: string;
  capture_method: string;
  client_secret: string;
  created: number;
  description: string | null;
  receipt_email: string | null;
  metadata: Record<string, string>;
  livemode: false;
}

export interface FakeRefund {
  id: string;
  object: 'refund';
  amount: number;
  currency: string;
  payment_intent: string;
  status: string;
  reason: string | null;
  metadata: Record<string, string>;
  created: number;
}

interface SavedResult {
  readonly fingerprint: string;
  readonly status: number;
  readonly body: string;
}

export class StripeContractServer {
  readonly intents = new Map<string, FakeIntent>();
  readonly refunds = new Map<string, FakeRefund>();
  /** Customers, prices, Checkout and portal sessions, subscriptions and invoices. */
  readonly billing = new FakeBilling();
  readonly requests: RecordedRequest[] = [];
  /** Events served by `GET /v1/events` (newest first, as Stripe lists them). */
  events: Array<Record<string, unknown> & { id: string; created: number }> = [];
  private readonly script: ScriptedAnswer[] = [];
  private readonly saved = new Map<string, SavedResult>();
  private server: Server | undefined;
  /** Delay for every answer (slow-provider tests). */
  delayMs = 0;
  /** Where `emit` delivers events (the app's `POST /webhooks/stripe`). */
  webhookUrl: string | undefined;

  constructor(readonly secretKey = 'sk_test_portico_contract_server') {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.route(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this.url;
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The next `times` matching requests get `answer` instead of being executed (nothing is saved for replay). */
  failNext(times: number, answer: ScriptedAnswer): void {
    for (let i = 0; i < times; i += 1) this.script.push(answer);
  }

  reset(): void {
    this.requests.length = 0;
    this.script.length = 0;
    this.delayMs = 0;
  }

  /** Requests to `method path` (path prefix). */
  received(method: string, pathPrefix: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && r.path.startsWith(pathPrefix));
  }

  /**
   * Emits an event as Stripe does: a snapshot of `object` now, listed by `GET /v1/events`
   * and, when `webhookUrl` is set, delivered there signed with the endpoint secret.
   * Resolves with the event and the endpoint's HTTP status.
   */
  async emit(
    type: string,
    object: object,
    created = Math.floor(Date.now() / 1000),
  ): Promise<{ event: Record<string, unknown> & { id: string; created: number }; status: number | undefined }> {
    const event = stripeEvent(type, structuredClone(object) as Record<string, unknown>, created);
    this.events.unshift(event);
    if (this.webhookUrl === undefined) return { event, status: undefined };
    const payload = JSON.stringify(event);
    const res = await fetch(this.webhookUrl, { method: 'POST', headers: signedHeaders(payload), body: payload });
    await res.arrayBuffer();
    return { event, status: res.status };
  }

  /** Moves an intent as a customer's confirmation would (e.g. to `requires_capture` or `succeeded`). */
  setIntentStatus(id: string, status: string): FakeIntent {
    const intent = this.mustIntent(id);
    intent.status = status;
    if (status === 'succeeded') intent.amount_received = intent.amount;
    return intent;
  }

  private mustIntent(id: string): FakeIntent {
    const intent = this.intents.get(id);
    if (!intent) throw new Error(`no intent ${id}`);
    return intent;
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const params =
      method === 'GET' ? parseForm(url.searchParams.toString()) : parseForm(Buffer.concat(chunks).toString('utf8'));
    const idempotencyKey = header(req, 'idempotency-key');
    const record = (status: number, replayed = false): void => {
      this.requests.push({ method, path: url.pathname, idempotencyKey, params, status, replayed });
    };
    const scripted = this.takeScripted(url.pathname);
    const delay = (scripted?.delayMs ?? 0) + this.delayMs;
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    if (res.destroyed || req.socket.destroyed) return; // the client gave up (timeout): Stripe would not see it either

    if (header(req, 'authorization') !== `Bearer ${this.secretKey}`) {
      record(401);
      return send(res, 401, errorBody({ type: 'invalid_request_error', message: 'Invalid API Key provided' }));
    }
    if (scripted !== undefined) {
      record(scripted.status);
      const extra: Record<string, string> = {};
      if (scripted.shouldRetry !== undefined) extra['Stripe-Should-Retry'] = String(scripted.shouldRetry);
      if (scripted.retryAfterSeconds !== undefined) extra['Retry-After'] = String(scripted.retryAfterSeconds);
      const error =
        scripted.error ??
        (scripted.status === 429
          ? { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests' }
          : { type: 'api_error', message: 'An unknown error occurred' });
      return send(res, scripted.status, errorBody(error), extra);
    }

    const fingerprint = `${method} ${url.pathname} ${canonicalParams(params)}`;
    if (method === 'POST' && idempotencyKey !== undefined) {
      const saved = this.saved.get(idempotencyKey);
      if (saved !== undefined) {
        if (saved.fingerprint !== fingerprint) {
          record(400);
          return send(
            res,
            400,
            errorBody({
              type: 'idempotency_error',
              message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
            }),
          );
        }
        record(saved.status, true);
        return sendRaw(res, saved.status, saved.body, {
          'Idempotent-Replayed': 'true',
          'Idempotency-Key': idempotencyKey,
        });
      }
    }
    const [status, body] = this.execute(method, url.pathname, params);
    const text = JSON.stringify(body);
    if (method === 'POST' && idempotencyKey !== undefined)
      this.saved.set(idempotencyKey, { fingerprint, status, body: text });
    record(status);
    sendRaw(res, status, text, idempotencyKey === undefined ? {} : { 'Idempotency-Key': idempotencyKey });
  }

  private takeScripted(path: string): ScriptedAnswer | undefined {
    const index = this.script.findIndex((s) => s.pathPrefix === undefined || path.startsWith(s.pathPrefix));
    return index === -1 ? undefined : this.script.splice(index, 1)[0];
  }

  private execute(method: string, path: string, params: FormObject): [number, unknown] {
    const parts = path.split('/').filter((p) => p !== '');
    if (parts[0] !== 'v1') return notFound(path);
    if (method === 'POST' && path === '/v1/payment_intents') return this.createIntent(params);
    if (parts[1] === 'payment_intents' && parts[2] !== undefined) {
      const intent = this.intents.get(parts[2]);
      if (!intent)
        return [
          404,
          errorBody({
            type: 'invalid_request_error',
            code: 'resource_missing',
            param: 'intent',
            message: `No such payment_intent: '${parts[2]}'`,
          }),
        ];
      if (method === 'GET' && parts.length === 3) return [200, intent];
      if (method === 'POST' && parts[3] === 'capture') {
        if (intent.status !== 'requires_capture') return unexpectedState(intent, 'capture');
        intent.status = 'succeeded';
        intent.amount_received = intent.amount;
        return [200, intent];
      }
      if (method === 'POST' && parts[3] === 'cancel') {
        if (intent.status === 'succeeded' || intent.status === 'canceled' || intent.status === 'processing')
          return unexpectedState(intent, 'cancel');
        intent.status = 'canceled';
        return [200, intent];
      }
    }
    if (method === 'POST' && path === '/v1/refunds') return this.createRefund(params);
    if (method === 'GET' && path === '/v1/events') return this.listEvents(params);
    return this.billing.execute(method, parts, params) ?? notFound(path);
  }

  private createIntent(params: FormObject): [number, unknown] {
    const amount = Number(str(params.amount));
    const currency = str(params.currency);
    if (!Number.isInteger(amount) || amount < 1)
      return [
        400,
        errorBody({
          type: 'invalid_request_error',
          code: 'parameter_invalid_integer',
          param: 'amount',
          message: 'Invalid positive integer',
        }),
      ];
    if (currency === undefined)
      return [
        400,
        errorBody({
          type: 'invalid_request_error',
          code: 'parameter_missing',
          param: 'currency',
          message: 'Missing required param: currency.',
        }),
      ];
    const id = `pi_${token(24)}`;
    const intent: FakeIntent = {
      id,
      object: 'payment_intent',
      amount,
      amount_received: 0,
      currency,
      status: 'requires_payment_method',
      capture_method: str(params.capture_method) ?? 'automatic_async',
      client_secret: `${id}_secret_${token(24)}`,
      created: Math.floor(Date.now() / 1000),
      description: str(params.description) ?? null,
      receipt_email: str(params.receipt_email) ?? null,
      metadata: strings(params.metadata),
      livemode: false,
    };
    this.intents.set(id, intent);
    return [200, intent];
  }

  private createRefund(params: FormObject): [number, unknown] {
    const intentId = str(params.payment_intent);
    const intent = intentId === undefined ? undefined : this.intents.get(intentId);
    if (!intent)
      return [
        400,
        errorBody({
          type: 'invalid_request_error',
          code: 'resource_missing',
          param: 'payment_intent',
          message: 'No such payment_intent',
        }),
      ];
    if (intent.status !== 'succeeded')
      return [
        400,
        errorBody({
          type: 'invalid_request_error',
          code: 'charge_not_refundable',
          message: 'This PaymentIntent has no successful charge to refund.',
        }),
      ];
    const refunded = [...this.refunds.values()]
      .filter((r) => r.payment_intent === intent.id && r.status !== 'failed')
      .reduce((sum, r) => sum + r.amount, 0);
    const left = intent.amount_received - refunded;
    const amount = params.amount === undefined ? left : Number(str(params.amount));
    if (left <= 0)
      return [
        400,
        errorBody({
          type: 'invalid_request_error',
          code: 'charge_already_refunded',
          message: 'Charge has already been refunded.',
        }),
      ];
    if (amount > left)
      return [
        400,
        errorBody({
          type: 'invalid_request_error',
          code: 'amount_too_large',
          param: 'amount',
          message: `Refund amount (${amount}) is greater than unrefunded amount on charge (${left})`,
        }),
      ];
    const refund: FakeRefund = {
      id: `re_${token(24)}`,
      object: 'refund',
      amount,
      currency: intent.currency,
      payment_intent: intent.id,
      status: 'succeeded',
      reason: str(params.reason) ?? null,
      metadata: strings(params.metadata),
      created: Math.floor(Date.now() / 1000),
    };
    this.refunds.set(refund.id, refund);
    return [200, refund];
  }

  private listEvents(params: FormObject): [number, unknown] {
    const created = params.created;
    const gte = typeof created === 'object' ? Number(str(created.gte) ?? 0) : 0;
    const limit = Math.min(Number(str(params.limit) ?? 10), 100);
    const after = str(params.starting_after);
    let list = [...this.events]
      .sort((a, b) => b.created - a.created || (a.id < b.id ? 1 : -1))
      .filter((e) => e.created >= gte);
    if (after !== undefined) list = list.slice(list.findIndex((e) => e.id === after) + 1);
    return [200, { object: 'list', url: '/v1/events', data: list.slice(0, limit), has_more: list.length > limit }];
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function notFound(path: string): [number, unknown] {
  return [404, errorBody({ type: 'invalid_request_error', message: `Unrecognized request URL (${path}).` })];
}

function unexpectedState(intent: FakeIntent, action: string): [number, unknown] {
  return [
    400,
    errorBody({
      type: 'invalid_request_error',
      code: 'payment_intent_unexpected_state',
      message: `This PaymentIntent could not be ${action === 'capture' ? 'captured' : 'canceled'} because it has a status of ${intent.status}.`,
    }),
  ];
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendRaw(res, status, JSON.stringify(body), headers);
}

function sendRaw(res: ServerResponse, status: number, body: string, headers: Record<string, string>): void {
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Request-Id': `req_${token(14)}`,
    'Stripe-Version': '2026-10-28.endive',
    ...headers,
  });
  res.end(body);
}
