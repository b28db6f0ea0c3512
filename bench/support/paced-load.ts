import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

export interface PacedRequest {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface PacedResult {
  /** Requests answered per second, from the first one due to the last answer. */
  readonly achieved: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** Requests answered later than `slowMs` after they were due: how far a p99 over the goal is from it. */
  readonly slow: number;
  /** Answers other than 2xx, and requests that failed. */
  readonly errors: number;
}

/**
 * POSTs at a steady `rate` for `durationS`, open loop: request i is due at
 * start + i / rate whatever happened to the ones before it, and its latency
 * counts from when it was due, so a stall shows in every request it delays
 * (no coordinated omission). Connections open as needed, up to
 * `connections`; beyond that requests wait in the pool, and that wait counts.
 *
 * Why not autocannon's `overallRate`: each connection sends its share of a
 * second back to back and then idles until the next second, so "500 a
 * second" arrives as a burst of 500 at full concurrency; and its
 * coordinated-omission correction assumes 1 ms between one connection's
 * requests (`Math.ceil(1 / rate)`, seconds taken for milliseconds), adding a
 * synthetic sample per millisecond of every slow answer.
 */
export async function pacedLoad(
  url: string,
  rate: number,
  durationS: number,
  next: () => PacedRequest,
  connections = 128,
  slowMs = 50,
): Promise<PacedResult> {
  const pool = new Pool(url, { connections, pipelining: 1 });
  const total = Math.round(rate * durationS);
  const interval = 1000 / rate;
  const latencies = new Float64Array(total);
  let errors = 0;
  let sent = 0;
  let answered = 0;
  let lastAnswer = 0;
  const start = performance.now() + 5;
  try {
    await new Promise<void>((resolve) => {
      const send = (index: number, due: number): void => {
        const request = next();
        pool
          .request({ method: 'POST', path: request.path, headers: request.headers, body: request.body })
          .then(
            async (response) => {
              await response.body.dump();
              if (response.statusCode < 200 || response.statusCode >= 300) errors += 1;
            },
            () => void (errors += 1),
          )
          .finally(() => {
            lastAnswer = performance.now();
            latencies[index] = lastAnswer - due;
            answered += 1;
            if (answered === total) resolve();
          });
      };
      const tick = (): void => {
        const now = performance.now();
        while (sent < total && start + sent * interval <= now) {
          send(sent, start + sent * interval);
          sent += 1;
        }
        if (sent < total) setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
      };
      setTimeout(tick, 5);
    });
  } finally {
    await pool.close();
  }
  const sorted = latencies.sort();
  const firstSlow = sorted.findIndex((latency) => latency > slowMs);
  const at = (q: number): number => Math.round(sorted[Math.min(total - 1, Math.ceil(q * total) - 1)]);
  return {
    achieved: total / ((lastAnswer - start) / 1000),
    p50: at(0.5),
    p99: at(0.99),
    max: Math.round(sorted[total - 1]),
    slow: firstSlow === -1 ? 0 : total - firstSlow,
    errors,
  };
}
