import { DataSource } from 'typeorm';
import type { TestApp } from '../app';

/** Polls `check` until true; throws after `timeoutMs` naming `what`. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Inbox rows per status. */
export async function inboxCounts(dataSource: DataSource): Promise<Record<string, number>> {
  const rows: Array<{ status: string; n: string | number }> = await dataSource.query(
    'SELECT status, COUNT(*) AS n FROM stripe_events GROUP BY status',
  );
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** Waits until every stored event is done (or dead), i.e. nothing pending or processing. */
export async function waitForInboxIdle(t: TestApp, timeoutMs = 15_000): Promise<Record<string, number>> {
  const ds = t.app.get(DataSource);
  let counts: Record<string, number> = {};
  await waitFor(
    async () => {
      counts = await inboxCounts(ds);
      return (counts.pending ?? 0) === 0 && (counts.processing ?? 0) === 0;
    },
    timeoutMs,
    'the inbox to be processed',
  );
  return counts;
}
