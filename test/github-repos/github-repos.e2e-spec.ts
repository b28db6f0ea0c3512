import request from 'supertest';
import { TEST_API_KEYS, TEST_KEY } from '../support/api-keys';
import { type TestApp, startTestApp } from '../support/app';
import { type GithubApiStandIn, startGithubApi } from '../support/github/github-api.server';

const TOKEN = 'ghp_exampleTokenForTests0123456789';
const PROBLEM = /application\/problem\+json/;

describe('GitHub repositories (example module on HttpClientModule)', () => {
  let github: GithubApiStandIn;
  let t: TestApp;
  const list = (path: string): request.Test => request(t.url).get(path).set('X-Api-Key', TEST_KEY);

  beforeAll(async () => {
    github = await startGithubApi(TOKEN, {
      octocat: Array.from({ length: 35 }, (_, i) => ({
        name: `repo-${i}`,
        language: i % 2 ? 'TypeScript' : 'Go',
        stars: i,
      })),
      'new-user': [],
    });
    t = await startTestApp({
      env: { API_KEYS: TEST_API_KEYS, GITHUB_REST_TOKEN: TOKEN, GITHUB_REST_API_URL: github.url },
    });
  });
  afterAll(async () => {
    await t?.close();
    await github?.close();
  });

  it('lists a user’s repositories with the token, paging through GitHub’s per_page/page', async () => {
    const first = await list('/github/users/octocat/repos?perPage=30').expect(200);
    expect(first.body).toMatchObject({ page: 1, perPage: 30, hasMore: true });
    expect(first.body.items).toHaveLength(30);
    expect(first.body.items[1]).toEqual({
      id: 1001,
      name: 'repo-1',
      fullName: 'octocat/repo-1',
      description: null,
      private: false,
      url: 'https://github.com/octocat/repo-1',
      language: 'TypeScript',
      stars: 1,
      forks: 0,
      updatedAt: '2026-11-01T12:00:00Z',
    });
    const second = await list('/github/users/octocat/repos?perPage=30&page=2').expect(200);
    expect(second.body).toMatchObject({ page: 2, hasMore: false });
    expect(second.body.items).toHaveLength(5);

    const sent = github.requests.at(-1);
    expect(sent?.url).toBe('/users/octocat/repos?page=2&per_page=30&sort=updated&type=owner');
    expect(sent?.headers).toMatchObject({
      authorization: `Bearer ${TOKEN}`,
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
      'user-agent': 'portico',
    });
  });

  it('answers an unknown user with 404 problem+json, asked once', async () => {
    const before = github.requests.length;
    const res = await list('/github/users/nobody-here/repos');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toMatchObject({ provider: 'github-rest', upstreamStatus: 404 });
    expect(github.requests.length - before).toBe(1);
  });

  it('refuses a malformed username or page before calling GitHub', async () => {
    const before = github.requests.length;
    const bad = await list('/github/users/-bad--name-/repos');
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['username']);
    await list('/github/users/octocat/repos?perPage=500').expect(400);
    expect(github.requests.length).toBe(before);
  });

  it('turns GitHub’s spent rate limit (403, x-ratelimit-remaining: 0) into 429 with Retry-After, without hammering', async () => {
    github.exhaustRateLimit(1, 120);
    const before = github.requests.length;
    const res = await list('/github/users/octocat/repos');
    expect(res.status).toBe(429);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(100);
    // The reset is further away than the longest wait: no retry.
    expect(github.requests.length - before).toBe(1);
  });

  it('shows the client in /health/ready and its calls in /metrics under the operation name', async () => {
    const ready = await request(t.url).get('/health/ready').expect(200);
    expect(ready.body.providers['github-rest']).toEqual({ status: 'up', circuit: 'closed' });
    const metrics = (await request(t.url).get('/metrics').expect(200)).text;
    expect(metrics).toContain(
      'integration_calls_total{provider="github-rest",operation="repos.listForUser",outcome="success"} 2',
    );
    expect(metrics).toContain(
      'integration_calls_total{provider="github-rest",operation="repos.listForUser",outcome="rate_limited"} 1',
    );
    // The client's own GET ran inside the adapter's call: not counted twice.
    expect(metrics).not.toContain('provider="github-rest",operation="GET"');
  });

  it('GET /github/me/repos refuses an API key with 403 (a key has no GitHub identity) and calls nobody', async () => {
    const before = github.requests.length;
    const res = await request(t.url).get('/github/me/repos').set('X-Api-Key', TEST_KEY);
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body.type).toMatch(/user-required$/);
    expect(github.requests.length).toBe(before);
  });
});

describe('GitHub repositories without GITHUB_REST_TOKEN', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { API_KEYS: TEST_API_KEYS } });
  });
  afterAll(async () => t?.close());

  it('answers 503 naming the variable to set, and reports not_configured', async () => {
    const res = await request(t.url).get('/github/users/octocat/repos').set('X-Api-Key', TEST_KEY);
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toMatchObject({
      type: 'https://portico.dev/problems/provider-not-configured',
      provider: 'github-rest',
    });
    expect(res.body.detail).toContain('GITHUB_REST_TOKEN');
    const ready = await request(t.url).get('/health/ready').expect(200);
    expect(ready.body.providers['github-rest']).toEqual({ status: 'not_configured' });
  });
});
