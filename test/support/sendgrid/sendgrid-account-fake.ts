/** The suppression lists SendGrid pages with `limit`/`offset`. */
export const FAKE_LISTS = ['bounces', 'spam_reports', 'unsubscribes', 'invalid_emails'] as const;
export type FakeList = (typeof FAKE_LISTS)[number];

export interface FakeReply {
  readonly status: number;
  readonly body?: unknown;
}

/** A scheduled-send batch as SendGrid keeps it. */
export interface FakeBatch {
  status: 'open' | 'cancel' | 'pause';
  /** Earliest `send_at` (Unix seconds) of the messages sent with it. */
  sendAt?: number;
}

const error = (status: number, message: string, field: string | null = null): FakeReply => ({
  status,
  body: { errors: [{ message, field, help: null }] },
});

/**
 * SendGrid's account endpoints beside mail/send, as documented: suppression
 * lists (`GET /v3/suppression/<list>?limit&offset`, `DELETE .../{email}`),
 * global unsubscribes (`DELETE /v3/asm/suppressions/global/{email}`),
 * unsubscribe groups (`GET /v3/asm/groups`, `GET|DELETE
 * /v3/asm/groups/{id}/suppressions[/{email}]`), scheduled-send batches
 * (`POST /v3/mail/batch` → 201 `{batch_id}`, `POST /v3/user/scheduled_sends`
 * refused later than 10 minutes before `send_at` and beyond 10 batches).
 */
export class FakeSendGridAccount {
  readonly lists = new Map<FakeList, Map<string, number>>(FAKE_LISTS.map((list) => [list, new Map()]));
  readonly groups = new Map<number, Set<string>>();
  readonly batches = new Map<string, FakeBatch>();
  /** Every DELETE path we were asked for, in order. */
  readonly deletions: string[] = [];
  /** `GET` list requests answered (path?query), in order. */
  readonly listReads: string[] = [];
  /** Scripted failures for account endpoints: the next requests get these statuses. */
  private readonly failures: number[] = [];
  private nextBatch = 0;

  /** Puts addresses on a list (created time in Unix seconds). */
  add(list: FakeList, ...emails: string[]): void {
    for (const email of emails) this.lists.get(list)?.set(email.toLowerCase(), Math.floor(Date.now() / 1000));
  }

  addToGroup(groupId: number, ...emails: string[]): void {
    const members = this.groups.get(groupId) ?? new Set<string>();
    for (const email of emails) members.add(email.toLowerCase());
    this.groups.set(groupId, members);
  }

  /** The next account requests answer these statuses (0 = answered normally). */
  failNext(...statuses: number[]): void {
    this.failures.push(...statuses);
  }

  /** Lets `passing` account requests through, then answers the next ones with `statuses`. */
  failAfter(passing: number, ...statuses: number[]): void {
    this.failures.push(...Array<number>(passing).fill(0), ...statuses);
  }

  reset(): void {
    for (const list of this.lists.values()) list.clear();
    this.groups.clear();
    this.batches.clear();
    this.deletions.length = 0;
    this.listReads.length = 0;
    this.failures.length = 0;
  }

  /** Records the `send_at` of a message sent with `batch_id`; false when the batch is unknown. */
  useBatch(batchId: string, sendAt: number | undefined): boolean {
    const batch = this.batches.get(batchId);
    if (!batch) return false;
    if (sendAt !== undefined) batch.sendAt = Math.min(batch.sendAt ?? sendAt, sendAt);
    return true;
  }

  /** Answers an account request, or undefined when the path is not one of these endpoints. */
  handle(method: string, rawUrl: string, body: Record<string, unknown>): FakeReply | undefined {
    const url = new URL(rawUrl, 'http://fake');
    const path = decodeURIComponent(url.pathname);
    const route = this.route(method, path, url.searchParams, body);
    if (route === undefined) return undefined;
    const failure = this.failures.shift();
    if (failure !== undefined && failure !== 0) return error(failure, 'scripted failure');
    return route();
  }

  private route(
    method: string,
    path: string,
    query: URLSearchParams,
    body: Record<string, unknown>,
  ): (() => FakeReply) | undefined {
    let m: RegExpExecArray | null;
    if (method === 'GET' && (m = /^\/v3\/suppression\/([a-z_]+)$/.exec(path)) && this.isList(m[1])) {
      const list = m[1];
      return () => this.page(list, query, path);
    }
    if (method === 'DELETE' && (m = /^\/v3\/suppression\/([a-z_]+)\/(.+)$/.exec(path)) && this.isList(m[1])) {
      const [, list, email] = m;
      return () => this.remove(path, this.lists.get(list)?.delete(email.toLowerCase()) ?? false);
    }
    if (method === 'DELETE' && (m = /^\/v3\/asm\/suppressions\/global\/(.+)$/.exec(path))) {
      const email = m[1];
      return () => this.remove(path, this.lists.get('unsubscribes')?.delete(email.toLowerCase()) ?? false);
    }
    if (method === 'GET' && path === '/v3/asm/groups')
      return () => ({ status: 200, body: [...this.groups.keys()].map((id) => ({ id, name: `group ${id}` })) });
    if (method === 'GET' && (m = /^\/v3\/asm\/groups\/(\d+)\/suppressions$/.exec(path))) {
      const groupId = Number(m[1]);
      return () => {
        this.listReads.push(path);
        return { status: 200, body: [...(this.groups.get(groupId) ?? [])] };
      };
    }
    if (method === 'DELETE' && (m = /^\/v3\/asm\/groups\/(\d+)\/suppressions\/(.+)$/.exec(path))) {
      const [, groupId, email] = m;
      return () => this.remove(path, this.groups.get(Number(groupId))?.delete(email.toLowerCase()) ?? false);
    }
    if (method === 'POST' && path === '/v3/mail/batch')
      return () => {
        this.nextBatch += 1;
        const batchId = `batch-${this.nextBatch}-${Date.now().toString(36)}`;
        this.batches.set(batchId, { status: 'open' });
        return { status: 201, body: { batch_id: batchId } };
      };
    if (method === 'POST' && path === '/v3/user/scheduled_sends') return () => this.cancel(body);
    return undefined;
  }

  private isList(name: string): name is FakeList {
    return (FAKE_LISTS as readonly string[]).includes(name);
  }

  private page(list: FakeList, query: URLSearchParams, path: string): FakeReply {
    const limit = Number(query.get('limit') ?? 500);
    const offset = Number(query.get('offset') ?? 0);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500 || !Number.isInteger(offset) || offset < 0)
      return error(400, 'limit must be 1..500 and offset at least 0', 'limit');
    this.listReads.push(`${path}?limit=${limit}&offset=${offset}`);
    // SendGrid lists newest first; ties keep insertion order.
    const entries = [...(this.lists.get(list) ?? new Map<string, number>())].reverse();
    return {
      status: 200,
      body: entries.slice(offset, offset + limit).map(([email, created]) => ({
        email,
        created,
        ...(list === 'bounces' ? { reason: '550 5.1.1 unknown user', status: '5.1.1' } : {}),
      })),
    };
  }

  private remove(path: string, existed: boolean): FakeReply {
    this.deletions.push(path);
    return existed ? { status: 204 } : error(404, 'not found');
  }

  private cancel(body: Record<string, unknown>): FakeReply {
    const batchId = body.batch_id;
    const status = body.status;
    if (typeof batchId !== 'string' || !this.batches.has(batchId)) return error(400, 'invalid batch id', 'batch_id');
    if (status !== 'cancel' && status !== 'pause') return error(400, 'status must be cancel or pause', 'status');
    const batch = this.batches.get(batchId) as FakeBatch;
    if (batch.sendAt !== undefined && Date.now() / 1000 > batch.sendAt - 600)
      return error(400, 'batch can no longer be cancelled (less than 10 minutes before send_at)', 'batch_id');
    const held = [...this.batches.values()].filter((b) => b.status !== 'open').length;
    if (batch.status === 'open' && held >= 10) return error(400, 'at most 10 batches may be paused or cancelled', null);
    batch.status = status;
    return { status: 201, body: { batch_id: batchId, status } };
  }
}
