import { TEST_API_KEYS, TEST_KEY } from '../support/api-keys';
import { type TestApp, startTestApp } from '../support/app';
import { EmailsClient, plainEmail } from '../support/sendgrid/emails-client';

interface Problem {
  type: string;
  status: number;
  detail: string;
  errors?: Array<{ field: string; message: string }>;
}

const TEMPLATE = 'd-0123456789abcdef0123456789abcdef';

describe('Email input validation (problem+json, never 500, nothing queued)', () => {
  let t: TestApp;
  let client: EmailsClient;

  beforeAll(async () => {
    t = await startTestApp({ env: { API_KEYS: TEST_API_KEYS } });
    client = new EmailsClient(t.url, TEST_KEY);
  });
  afterAll(async () => t?.close());

  async function refused(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Problem> {
    const res = await fetch(`${t.url}${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TEST_KEY}`, 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const problem = (await res.json()) as Problem;
    expect({ status: res.status, problem }).toMatchObject({ status: 400 });
    return problem;
  }

  function messages(problem: Problem, field: string): string {
    return (problem.errors ?? [])
      .filter((e) => e.field === field)
      .map((e) => e.message)
      .join(' | ');
  }

  it('lists every bad address of to, cc and bcc, and queues nothing', async () => {
    const problem = await refused(
      '/emails',
      plainEmail({
        to: ['ok@example.com', 'bob@', 'no spaces@example.com'],
        cc: ['cc@@example.com'],
        bcc: ['fine@example.com', 'x'],
      }),
    );
    expect(problem.type).toBe('https://portico.dev/problems/validation');
    expect(messages(problem, 'to')).toContain('to[1] "bob@"');
    expect(messages(problem, 'to')).toContain('to[2] "no spaces@example.com"');
    expect(messages(problem, 'to')).not.toContain('ok@example.com');
    expect(messages(problem, 'cc')).toContain('cc[0] "cc@@example.com"');
    expect(messages(problem, 'bcc')).toContain('bcc[1] "x"');
    const list = await client.getJson('/emails');
    expect(list.body.items).toEqual([]);
  });

  it.each([
    ['no recipients', { to: [] }, 'to', /1 to 1000 recipients/],
    ['to missing', { to: undefined }, 'to', /array of email addresses/],
    ['to not an array', { to: 'ada@example.com' }, 'to', /array of email addresses/],
    [
      'over 1000 recipients',
      {
        to: Array.from({ length: 600 }, (_, i) => `a${i}@example.com`),
        cc: Array.from({ length: 401 }, (_, i) => `c${i}@example.com`),
      },
      'to',
      /got 1001/,
    ],
    ['a repeated address', { to: ['ada@example.com'], bcc: ['ADA@example.com'] }, 'to', /"ada@example.com" repeated/],
    ['subject missing', { subject: undefined }, 'subject', /subject/],
    ['subject empty', { subject: '' }, 'subject', /longer than or equal to 1/],
    ['subject over 998 characters', { subject: 's'.repeat(999) }, 'subject', /shorter than or equal to 998/],
    ['subject with CR/LF', { subject: 'Hi\r\nBcc: victim@example.com' }, 'subject', /line breaks/],
    ['neither text nor html', { text: undefined }, 'text', /text or html is required/],
    ['text not a string', { text: 42 }, 'text', /text must be a string/],
    ['html not a string', { html: ['x'] }, 'html', /html must be a string/],
    ['replyTo not an address', { replyTo: 'nobody' }, 'replyTo', /"nobody" is not a valid email address/],
    [
      'more than 10 categories',
      { categories: Array.from({ length: 11 }, (_, i) => `c${i}`) },
      'categories',
      /no more than 10/,
    ],
    ['a non-ASCII category', { categories: ['café'] }, 'categories', /printable ASCII/],
    ['sendAt not a date-time', { sendAt: 'tomorrow' }, 'sendAt', /ISO 8601/],
    ['sendAt beyond 72 hours', { sendAt: new Date(Date.now() + 73 * 3600_000).toISOString() }, 'sendAt', /72 hours/],
    ['an unknown field', { mailSettings: {} }, 'mailSettings', /not allowed/],
    ['an unsubscribe group that is not a positive integer', { asmGroupId: 0 }, 'asmGroupId', /not be less than 1/],
    [
      'more than 25 groups to display',
      { asmGroupsToDisplay: Array.from({ length: 26 }, (_, i) => i + 1) },
      'asmGroupsToDisplay',
      /no more than 25/,
    ],
    ['a from that is not an address', { from: 'Billing' }, 'from', /email address/],
    ['an attachment without a file id', { attachments: [{ filename: 'a.pdf' }] }, 'attachments.0.fileId', /fileId/],
  ])('POST /emails refuses %s', async (_name, change, field, message) => {
    const problem = await refused('/emails', plainEmail(change));
    expect(messages(problem, field)).toMatch(message);
  });

  it.each([
    ['a template id that is not d- + 32 hex', { templateId: 'd-123' }, 'templateId', /d- and 32 hex/],
    ['a missing template id', { templateId: undefined }, 'templateId', /d- and 32 hex/],
    [
      'template data that is not an object',
      { dynamicTemplateData: [1, 2] },
      'dynamicTemplateData',
      /must be a JSON object/,
    ],
    [
      'template data over 10,000 bytes',
      { dynamicTemplateData: { blob: 'x'.repeat(10_000) } },
      'dynamicTemplateData',
      /at most 10000 bytes/,
    ],
    ['a bad address', { to: ['ada@example.com', 'bad@'] }, 'to', /to\[1\] "bad@"/],
    ['a subject with a line break', { subject: 'a\nb' }, 'subject', /line breaks/],
    ['text (templates carry their own content)', { text: 'hi' }, 'text', /not allowed/],
  ])('POST /emails/template refuses %s', async (_name, change, field, message) => {
    const problem = await refused('/emails/template', {
      to: ['ada@example.com'],
      templateId: TEMPLATE,
      dynamicTemplateData: { name: 'Ada' },
      ...change,
    });
    expect(messages(problem, field)).toMatch(message);
  });

  it('refuses a malformed Idempotency-Key', async () => {
    const problem = await refused('/emails', plainEmail(), { 'Idempotency-Key': 'x'.repeat(256) });
    expect(problem.detail).toMatch(/Idempotency-Key/);
  });

  it('refuses bad list filters with 400', async () => {
    for (const query of [
      'status=lost',
      'limit=0',
      'limit=101',
      'limit=abc',
      'cursor=%21%21',
      'cursor=bm90LWEtdXVpZA',
      'to=nobody',
    ]) {
      const res = await fetch(`${t.url}/emails?${query}`, { headers: { Authorization: `Bearer ${TEST_KEY}` } });
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    }
  });

  it('answers an unknown or malformed id with 404', async () => {
    expect((await client.get('not-a-uuid')).status).toBe(404);
    expect((await client.get('01938a6e-3b7c-7f10-9d3e-2b1c4d5e6f70')).status).toBe(404);
  });

  it('describes every email route and its problem answers in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${t.url}/docs-json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    expect(Object.keys(doc.paths['/emails/{id}'].get.responses)).toEqual(expect.arrayContaining(['200', '401', '404']));
    expect(Object.keys(doc.paths['/emails'].post.responses)).toEqual(expect.arrayContaining(['202', '400', '401']));
    for (const path of ['/emails/template', '/admin/emails', '/admin/emails/{id}/retry', '/webhooks/sendgrid'])
      expect(doc.paths[path]).toBeDefined();
  });

  it('still accepts the same request once it is valid', async () => {
    const res = await client.post('/emails', plainEmail());
    expect(res.status).toBe(202);
  });
});
