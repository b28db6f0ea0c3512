import { createHash, randomBytes } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { FakeSendGridAccount } from './sendgrid-account-fake';

/** One scripted answer of the fake (instead of its normal validation + 202). */
export type FakeAnswer =
  | {
      readonly status: 400;
      readonly errors: ReadonlyArray<{ message: string; field?: string | null; help?: string | null }>;
    }
  | { readonly status: 401 | 403 | 413 | 500 | 502 | 503 }
  | { readonly status: 429; readonly retryAfterSeconds?: number; readonly resetInSeconds?: number }
  | { readonly status: 'hang' };

/** Random failures for reliability tests: fractions of requests answered 503 / 429. */
export interface FakeChaos {
  readonly unavailable?: number;
  readonly rateLimited?: number;
  readonly retryAfterSeconds?: number;
}

export interface ReceivedRequest {
  readonly body: Record<string, unknown>;
  readonly headers: IncomingMessage['headers'];
  readonly status: number;
  /** Our message ids (custom_args.portico_message_id of each personalization). */
  readonly messageIds: string[];
  /** When the answer was decided (ms since epoch). */
  readonly at: number;
  /** Attachments as decoded (their base64 content is dropped from `body` to keep memory small). */
  readonly attachments: ReadonlyArray<{ filename: string; bytes: number; sha256: string; contentId?: string }>;
}

const MESSAGE_ID_ARG = 'portico_message_id';
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const TEMPLATE_ID = /^d-[0-9a-f]{32}$/i;

/**
 * A loopback HTTP server following SendGrid's v3 `POST /v3/mail/send`
 * contract: bearer auth, personalizations (1..1000, 1..1000 recipients in
 * total, unique addresses), from, subject, content or template_id,
 * custom_args under 10,000 bytes; 202 with X-Message-Id; SendGrid's
 * `{ errors: [...] }` bodies. Answers can be scripted (400 with errors,
 * 401, 413, 429 with Retry-After, 500, hang) or randomly failed (chaos).
 * It counts what it accepted per message id, so tests see duplicates.
 */
export class FakeSendGrid {
  readonly requests: ReceivedRequest[] = [];
  /** Accepted (202) deliveries per message id. */
  readonly accepted = new Map<string, number>();
  /** Suppression lists, unsubscribe groups and scheduled-send batches. */
  readonly account = new FakeSendGridAccount();
  private readonly script: FakeAnswer[] = [];
  private chaos: FakeChaos = {};
  private delayMs = 0;
  private holding = false;
  private readonly sockets = new Set<Socket>();
  private server?: Server;
  url = '';

  constructor(readonly apiKey = 'SG.test-key.fake') {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The next requests get these answers, in order (then normal behaviour again). */
  answer(...answers: FakeAnswer[]): void {
    this.script.push(...answers);
  }

  setChaos(chaos: FakeChaos): void {
    this.chaos = chaos;
  }

  /** While on, every request is left unanswered and not counted (a SendGrid that stopped answering). */
  hold(on: boolean): void {
    this.holding = on;
  }

  /** Every answer waits this long (to catch a sender mid-drain). */
  setDelay(ms: number): void {
    this.delayMs = ms;
  }

  reset(): void {
    this.requests.length = 0;
    this.accepted.clear();
    this.script.length = 0;
    this.chaos = {};
    this.delayMs = 0;
    this.holding = false;
    this.account.reset();
  }

  /** How many times the message was accepted (sent, from SendGrid's point of view). */
  timesSent(messageId: string): number {
    return this.accepted.get(messageId) ?? 0;
  }

  /** Message ids accepted more than once, with their counts. */
  duplicates(): Map<string, number> {
    return new Map([...this.accepted].filter(([, n]) => n > 1));
  }

  /** Accepted requests that carried this message id. */
  requestsFor(messageId: string): ReceivedRequest[] {
    return this.requests.filter((r) => r.status === 202 && r.messageIds.includes(messageId));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    } catch {
      // answered below as a 400 like SendGrid's
    }
    if (req.method !== 'POST' || req.url !== '/v3/mail/send') return this.handleAccount(req, res, body);
    const messageIds = idsOf(body);
    const attachments = decodeAttachments(body);
    const record = (status: number): void =>
      void this.requests.push({ body, headers: req.headers, status, messageIds, at: Date.now(), attachments });

    const scripted = this.holding ? ({ status: 'hang' } as const) : (this.script.shift() ?? this.randomFailure());
    if (scripted !== undefined) {
      if (scripted.status === 'hang') {
        record(0);
        return; // never answers; the socket is destroyed on close()
      }
      record(scripted.status);
      return this.replyScripted(res, scripted);
    }
    if (req.headers.authorization !== `Bearer ${this.apiKey}`) {
      record(401);
      return this.reply(res, 401, {
        errors: [
          { message: 'The provided authorization grant is invalid, expired, or revoked', field: null, help: null },
        ],
      });
    }
    if (raw.length > 30 * 1024 * 1024) {
      record(413);
      return this.reply(res, 413, { errors: [{ message: 'Payload too large', field: null, help: null }] });
    }
    const errors = validate(body);
    if (typeof body.batch_id === 'string' && !this.account.useBatch(body.batch_id, numberOr(body.send_at)))
      errors.push({ field: 'batch_id', message: 'The batch_id is not valid.', help: null });
    if (errors.length > 0) {
      record(400);
      return this.reply(res, 400, { errors });
    }
    record(202);
    for (const id of messageIds) this.accepted.set(id, (this.accepted.get(id) ?? 0) + 1);
    res.writeHead(202, {
      'X-Message-Id': randomBytes(16).toString('base64url').slice(0, 22),
      'X-RateLimit-Limit': '600',
      'X-RateLimit-Remaining': '599',
      'X-RateLimit-Reset': String(Math.ceil(Date.now() / 1000) + 60),
    });
    res.end();
  }

  private handleAccount(req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>): void {
    if (req.headers.authorization !== `Bearer ${this.apiKey}`)
      return this.reply(res, 401, { errors: [{ message: 'authorization required', field: null, help: null }] });
    const answer = this.account.handle(req.method ?? 'GET', req.url ?? '/', body);
    if (answer === undefined)
      return this.reply(res, 404, { errors: [{ message: 'not found', field: null, help: null }] });
    if (answer.body === undefined) {
      res.writeHead(answer.status);
      res.end();
      return;
    }
    return this.reply(res, answer.status, answer.body);
  }

  private randomFailure(): FakeAnswer | undefined {
    const roll = Math.random();
    const unavailable = this.chaos.unavailable ?? 0;
    if (roll < unavailable) return { status: 503 };
    if (roll < unavailable + (this.chaos.rateLimited ?? 0))
      return { status: 429, retryAfterSeconds: this.chaos.retryAfterSeconds ?? 1 };
    return undefined;
  }

  private replyScripted(res: ServerResponse, answer: Exclude<FakeAnswer, { status: 'hang' }>): void {
    if (answer.status === 400)
      return this.reply(res, 400, { errors: answer.errors.map((e) => ({ field: null, help: null, ...e })) });
    if (answer.status === 429) {
      const headers: Record<string, string> = { 'X-RateLimit-Limit': '600', 'X-RateLimit-Remaining': '0' };
      if (answer.retryAfterSeconds !== undefined) headers['Retry-After'] = String(answer.retryAfterSeconds);
      headers['X-RateLimit-Reset'] = String(
        Math.ceil(Date.now() / 1000) + (answer.resetInSeconds ?? answer.retryAfterSeconds ?? 1),
      );
      return this.reply(res, 429, { errors: [{ message: 'too many requests', field: null, help: null }] }, headers);
    }
    const messages: Record<number, string> = {
      401: 'The provided authorization grant is invalid, expired, or revoked',
      403: 'access forbidden',
      413: 'Payload too large',
      500: 'internal error',
      502: 'bad gateway',
      503: 'service unavailable',
    };
    return this.reply(res, answer.status, { errors: [{ message: messages[answer.status], field: null, help: null }] });
  }

  private reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }
}

function numberOr(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

/** Digests of the attachments (content replaced by its size, so kept requests stay small). */
function decodeAttachments(body: Record<string, unknown>): ReceivedRequest['attachments'] {
  if (!Array.isArray(body.attachments)) return [];
  return (body.attachments as Array<Record<string, unknown>>).map((a) => {
    const content = typeof a.content === 'string' ? a.content : '';
    const bytes = Buffer.from(content, 'base64');
    if (BASE64.test(content) && content.length % 4 === 0) a.content = `<${content.length} base64 characters>`;
    return {
      filename: String(a.filename),
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      ...(typeof a.content_id === 'string' ? { contentId: a.content_id } : {}),
    };
  });
}

function idsOf(body: Record<string, unknown>): string[] {
  const personalizations = Array.isArray(body.personalizations)
    ? (body.personalizations as Array<Record<string, unknown>>)
    : [];
  const top = (body.custom_args as Record<string, unknown> | undefined)?.[MESSAGE_ID_ARG];
  return personalizations
    .map((p) => (p.custom_args as Record<string, unknown> | undefined)?.[MESSAGE_ID_ARG] ?? top)
    .filter((id): id is string => typeof id === 'string');
}

type SendGridError = { message: string; field: string | null; help: string | null };

/** The checks SendGrid's v3 mail/send documents (a useful subset). */
function validate(body: Record<string, unknown>): SendGridError[] {
  const errors: SendGridError[] = [];
  const fail = (field: string | null, message: string): void => void errors.push({ field, message, help: null });
  const personalizations = body.personalizations;
  if (!Array.isArray(personalizations) || personalizations.length === 0) {
    fail('personalizations', 'The personalizations field is required and must have at least one personalization.');
    return errors;
  }
  if (personalizations.length > 1000)
    fail('personalizations', 'You may not have more than 1000 personalizations per API request.');
  let recipients = 0;
  personalizations.forEach((p: Record<string, unknown>, i) => {
    const seen = new Set<string>();
    for (const kind of ['to', 'cc', 'bcc']) {
      const list = p[kind];
      if (list === undefined && kind !== 'to') continue;
      if (!Array.isArray(list) || (kind === 'to' && list.length === 0)) {
        fail(
          `personalizations.${i}.${kind}`,
          `The ${kind} array is required for all personalization objects, and must have at least one email object with a valid email address.`,
        );
        continue;
      }
      for (const entry of list as Array<{ email?: unknown }>) {
        recipients += 1;
        const email = typeof entry?.email === 'string' ? entry.email.toLowerCase() : '';
        if (!EMAIL.test(email)) fail(`personalizations.${i}.${kind}`, 'Does not contain a valid address.');
        if (seen.has(email))
          fail(
            `personalizations.${i}`,
            'Each email address in the personalization block should be unique between to, cc, and bcc.',
          );
        seen.add(email);
      }
    }
  });
  if (recipients > 1000)
    fail('personalizations', 'The total number of recipients (to, cc and bcc) must be less than 1000.');
  const from = body.from as { email?: unknown } | undefined;
  if (typeof from?.email !== 'string' || !EMAIL.test(from.email))
    fail(
      'from.email',
      'The from object must be provided for every email send. It is an object that requires the email parameter, but may also contain a name parameter.',
    );
  const templateId = body.template_id;
  if (templateId !== undefined && (typeof templateId !== 'string' || !TEMPLATE_ID.test(templateId)))
    fail('template_id', 'The template_id must be a valid GUID.');
  const content = body.content;
  if (templateId === undefined) {
    if (!Array.isArray(content) || content.length === 0)
      fail('content', 'Unless a valid template_id is provided, the content parameter is required.');
    else {
      (content as Array<{ type?: unknown; value?: unknown }>).forEach((c, i) => {
        if (typeof c.type !== 'string' || typeof c.value !== 'string' || c.value === '')
          fail(`content.${i}`, 'The content value must be a string at least one character in length.');
      });
      if ((content as Array<{ type?: unknown }>).findIndex((c) => c.type === 'text/plain') > 0)
        fail('content', 'If present, text/plain must be first, followed by text/html.');
    }
    const everySubject = personalizations.every((p: Record<string, unknown>) => typeof p.subject === 'string');
    if (typeof body.subject !== 'string' && !everySubject)
      fail(
        'subject',
        'The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.',
      );
  }
  const customArgsBytes =
    Buffer.byteLength(JSON.stringify(body.custom_args ?? {})) +
    personalizations.reduce(
      (n: number, p: Record<string, unknown>) => n + Buffer.byteLength(JSON.stringify(p.custom_args ?? {})),
      0,
    );
  if (customArgsBytes > 10_000) fail('custom_args', 'The custom_args parameter must be less than 10000 bytes.');
  validateAsm(body.asm, fail);
  validateAttachments(body.attachments, fail);
  return errors;
}

/** `asm: { group_id, groups_to_display (≤ 25) }`. */
function validateAsm(asm: unknown, fail: (field: string | null, message: string) => void): void {
  if (asm === undefined) return;
  const value = asm as { group_id?: unknown; groups_to_display?: unknown };
  if (!Number.isInteger(value.group_id) || (value.group_id as number) < 1)
    fail('asm.group_id', 'The asm group_id must be a positive integer.');
  const display = value.groups_to_display;
  if (display !== undefined && (!Array.isArray(display) || display.length > 25 || !display.every(Number.isInteger)))
    fail('asm.groups_to_display', 'groups_to_display must be an array of at most 25 group ids.');
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** `attachments: [{ content (base64), filename, type, disposition, content_id }]`, checked as documented. */
function validateAttachments(attachments: unknown, fail: (field: string | null, message: string) => void): void {
  if (attachments === undefined) return;
  if (!Array.isArray(attachments)) return fail('attachments', 'attachments must be an array.');
  (attachments as Array<Record<string, unknown>>).forEach((a, i) => {
    const content = a.content;
    // decodeAttachments replaced valid content by its size note; a note never reaches here for bad content.
    if (
      typeof content !== 'string' ||
      (!content.startsWith('<') && (!BASE64.test(content) || content.length % 4 !== 0))
    )
      fail(`attachments.${i}.content`, 'The attachment content must be base64 encoded.');
    if (typeof a.filename !== 'string' || a.filename === '')
      fail(`attachments.${i}.filename`, 'The attachment filename parameter is required.');
    if (a.type !== undefined && (typeof a.type !== 'string' || /[;\r\n]/.test(a.type)))
      fail(`attachments.${i}.type`, 'The attachment type cannot contain ;, CRLF.');
    if (a.disposition !== undefined && a.disposition !== 'attachment' && a.disposition !== 'inline')
      fail(`attachments.${i}.disposition`, 'disposition must be attachment or inline.');
    if (a.disposition === 'inline' && (typeof a.content_id !== 'string' || a.content_id === ''))
      fail(`attachments.${i}.content_id`, 'The content_id parameter is required for inline attachments.');
  });
}
