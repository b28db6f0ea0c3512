import { eventually } from '../eventually';

/** What GET /emails/:id answers (the fields tests look at). */
export interface EmailView {
  id: string;
  status: string;
  to: string[];
  cc: string[];
  bcc: string[];
  attempts: number;
  lastError: string | null;
  providerMessageId: string | null;
  transport: string | null;
  originalRecipients: { to: string[]; cc: string[]; bcc: string[] } | null;
  subject: string | null;
  text: string | null;
  html: string | null;
  templateId: string | null;
  dynamicTemplateData: Record<string, unknown> | null;
  history: Array<{ status: string; at: string; detail?: Record<string, unknown> }>;
}

/** A small client for the email API of an app under test. */
export class EmailsClient {
  constructor(
    readonly url: string,
    readonly key: string,
  ) {}

  async post(
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${this.url}${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${this.key}`, 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  /** Queues a plain message; fails the test unless it is accepted. */
  async send(body: Record<string, unknown>): Promise<string> {
    const res = await this.post('/emails', body);
    if (res.status !== 202) throw new Error(`POST /emails answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body.id as string;
  }

  async get(id: string): Promise<{ status: number; body: EmailView }> {
    const res = await fetch(`${this.url}/emails/${id}`, { headers: { Authorization: `Bearer ${this.key}` } });
    return { status: res.status, body: (await res.json()) as EmailView };
  }

  async getJson(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${this.url}${path}`, { headers: { Authorization: `Bearer ${this.key}` } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  /** Waits until the message reaches one of `statuses`. */
  async waitForStatus(id: string, statuses: string | string[], timeoutMs = 10_000): Promise<EmailView> {
    const wanted = Array.isArray(statuses) ? statuses : [statuses];
    return eventually(
      async () => {
        const { body } = await this.get(id);
        return wanted.includes(body.status) ? body : undefined;
      },
      timeoutMs,
      `email ${id} ${wanted.join('|')}`,
    );
  }
}

export function plainEmail(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { to: ['ada@example.com'], subject: 'Hello', text: 'Hi Ada', ...overrides };
}

/** Posts `count` messages, `concurrency` at a time; returns the accepted ids. */
export async function acceptMany(
  client: EmailsClient,
  count: number,
  concurrency = 16,
  body: (i: number) => Record<string, unknown> = (i) =>
    plainEmail({ to: [`user${i}@example.com`], subject: `Message ${i}` }),
): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        ids.push(await client.send(body(i)));
      }
    }),
  );
  return ids;
}
