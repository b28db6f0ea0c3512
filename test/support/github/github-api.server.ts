import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GithubRepoFixture {
  readonly name: string;
  readonly language?: string;
  readonly stars?: number;
}

export interface GithubApiStandIn {
  readonly url: string;
  /** Requests received (method, path with query, headers). */
  readonly requests: Array<{ method: string; url: string; headers: IncomingMessage['headers'] }>;
  /** Makes the next `count` requests fail as GitHub does when the primary rate limit is spent. */
  exhaustRateLimit(count: number, resetInSeconds: number): void;
  /** Accepts `token` as a user's OAuth token: `GET /user/repos` then lists `login`'s repositories. */
  grant(token: string, login: string): void;
  close(): Promise<void>;
}

/**
 * A stand-in for the part of GitHub's REST API the example uses
 * (`GET /users/{username}/repos`, and `GET /user/repos` for a user's own
 * token), following its published contract:
 * bearer token required (401 JSON otherwise), 404 `{ message: "Not Found" }`
 * for unknown users, `per_page`/`page` paging, 403 with
 * `x-ratelimit-remaining: 0` and `x-ratelimit-reset` when the limit is spent.
 */
export async function startGithubApi(
  token: string,
  users: Readonly<Record<string, readonly GithubRepoFixture[]>>,
): Promise<GithubApiStandIn> {
  const requests: GithubApiStandIn['requests'] = [];
  /** Users' OAuth tokens → their login (the server token belongs to no listed user). */
  const granted = new Map<string, string>();
  let limited = 0;
  let resetIn = 60;

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  };

  const server: Server = createServer((req, res) => {
    requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers });
    const url = new URL(req.url ?? '/', 'http://localhost');
    const presented = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (presented === undefined || (presented !== token && !granted.has(presented)))
      return json(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    if (limited > 0) {
      limited--;
      const reset = String(Math.floor(Date.now() / 1000) + resetIn);
      return json(
        res,
        403,
        { message: 'API rate limit exceeded' },
        { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset },
      );
    }
    const own = url.pathname === '/user/repos' ? granted.get(presented) : undefined;
    const match = /^\/users\/([^/]+)\/repos$/.exec(url.pathname);
    if (req.method !== 'GET' || (!match && own === undefined)) return json(res, 404, { message: 'Not Found' });
    const login = own ?? decodeURIComponent(match?.[1] ?? '');
    const repos = users[login];
    if (repos === undefined)
      return json(res, 404, {
        message: 'Not Found',
        documentation_url: 'https://docs.github.com/rest/repos/repos#list-repositories-for-a-user',
      });
    const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30));
    const page = Number(url.searchParams.get('page') ?? 1);
    const slice = repos.slice((page - 1) * perPage, page * perPage);
    json(
      res,
      200,
      slice.map((repo, i) => ({
        id: 1000 + (page - 1) * perPage + i,
        name: repo.name,
        full_name: `${login}/${repo.name}`,
        description: null,
        private: false,
        html_url: `https://github.com/${login}/${repo.name}`,
        language: repo.language ?? null,
        stargazers_count: repo.stars ?? 0,
        forks_count: 0,
        updated_at: '2026-11-01T12:00:00Z',
        owner: { login },
      })),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    exhaustRateLimit: (count, resetInSeconds) => {
      limited = count;
      resetIn = resetInSeconds;
    },
    grant: (userToken, login) => void granted.set(userToken, login),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
