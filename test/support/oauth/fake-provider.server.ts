/**
 * A small OAuth 2.0 authorization server standing in for Google (OpenID
 * Connect shaped) or GitHub, run as its own process by the test harness
 * (see fake-provider.ts). It is strict where the real ones are: exact
 * redirect URIs, PKCE S256 required and checked, codes single-use and
 * short-lived, client secret checked. It shows a consent page with
 * "Allow"/"Deny" so a browser can go through it.
 *
 * Config: FAKE_OAUTH_CONFIG (JSON, see FakeProviderConfig). Prints
 * `LISTENING <port>` once ready. `GET /__log` lists what happened.
 */
import { createHash, createSign, generateKeyPairSync, randomBytes } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { FakeProviderConfig, FakeUser, ProviderEvent } from './fake-provider.types';

const config = JSON.parse(process.env.FAKE_OAUTH_CONFIG ?? '{}') as FakeProviderConfig;
const github = config.flavor === 'github';
const paths = github
  ? {
      authorize: '/login/oauth/authorize',
      token: '/login/oauth/access_token',
      user: '/api/user',
      emails: '/api/user/emails',
    }
  : { authorize: '/o/oauth2/v2/auth', token: '/token', user: '/oauth2/v3/userinfo', emails: '' };

interface Transaction {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly state: string | undefined;
  readonly challenge: string;
  readonly scope: string;
  readonly offline: boolean;
  readonly nonce: string | undefined;
}
interface Grant extends Transaction {
  readonly userId: string;
  readonly expiresAt: number;
  used: boolean;
}

const transactions = new Map<string, Transaction>();
const codes = new Map<string, Grant>();
const tokens = new Map<string, string>();
/** Google refresh tokens → user id; removed on revocation. */
const refreshTokens = new Map<string, { userId: string; clientId: string }>();
const log: ProviderEvent[] = [];
/** Google signs its ID tokens (RS256, key in the JWKS); the app verifies them. */
const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
const KID = randomBytes(8).toString('hex');
let issuer = 'http://127.0.0.1';

const server = createServer((req, res) => {
  handle(req, res).catch((error: unknown) => {
    res.statusCode = 500;
    res.end(String(error));
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  issuer = `http://127.0.0.1:${port}`;
  process.stdout.write(`LISTENING ${port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (req.method === 'GET' && url.pathname === '/__log') return json(res, 200, log);
  if (req.method === 'GET' && url.pathname === '/.well-known/openid-configuration' && !github)
    return json(res, 200, discovery());
  if (req.method === 'GET' && url.pathname === '/oauth2/v3/certs' && !github) return json(res, 200, jwks());
  if (req.method === 'POST' && url.pathname === '/revoke' && !github) return revoke(await form(req), res);
  if (req.method === 'DELETE' && github && /^\/api\/applications\/[^/]+\/grant$/.test(url.pathname))
    return deleteGrant(req, url, await form(req), res);
  if (req.method === 'GET' && url.pathname === paths.authorize) return authorize(url, res);
  if (req.method === 'POST' && url.pathname === '/consent') return consent(await form(req), res);
  if (req.method === 'POST' && url.pathname === paths.token) return token(req, await form(req), res);
  if (req.method === 'GET' && url.pathname === paths.user) return userinfo(req, res);
  if (req.method === 'GET' && github && url.pathname === paths.emails) return emails(req, res);
  json(res, 404, { message: 'Not Found' });
}

function authorize(url: URL, res: ServerResponse): void {
  const q = url.searchParams;
  const client = config.clients.find((c) => c.id === q.get('client_id'));
  const redirectUri = q.get('redirect_uri') ?? '';
  // Never redirect to an unregistered URI: show an error page instead.
  if (client === undefined)
    return page(res, 400, record({ type: 'authorize', ok: false, error: 'invalid_client' }).error ?? '');
  if (!client.redirectUris.includes(redirectUri))
    return page(
      res,
      400,
      record({ type: 'authorize', ok: false, error: 'redirect_uri_mismatch', redirectUri }).error ?? '',
    );
  const back = (error: string, description: string): void => {
    record({ type: 'authorize', ok: false, error });
    redirect(
      res,
      withParams(redirectUri, { error, error_description: description, state: q.get('state') ?? undefined }),
    );
  };
  if (q.get('response_type') !== 'code') return back('unsupported_response_type', 'response_type must be code');
  const challenge = q.get('code_challenge');
  if (challenge === null || q.get('code_challenge_method') !== 'S256')
    return back('invalid_request', 'PKCE with code_challenge_method=S256 is required');
  const scope = q.get('scope') ?? '';
  if (!github && !scope.split(' ').includes('openid')) return back('invalid_scope', 'openid scope required');
  const tx = randomBytes(16).toString('hex');
  const offline = q.get('access_type') === 'offline' && q.get('prompt') === 'consent';
  transactions.set(tx, {
    clientId: client.id,
    redirectUri,
    state: q.get('state') ?? undefined,
    challenge,
    scope,
    offline,
    nonce: q.get('nonce') ?? undefined,
  });
  record({ type: 'authorize', ok: true, state: q.get('state') ?? undefined, scope, offline });
  const options = config.users
    .map(
      (u, i) =>
        `<option value="${esc(u.id)}"${i === 0 ? ' selected' : ''}>${esc(u.name)} (${esc(u.email ?? 'no email')})</option>`,
    )
    .join('');
  page(
    res,
    200,
    `<h1>${github ? 'GitHub' : 'Google'} (test stand-in)</h1><p>${esc(client.id)} asks for: ${esc(scope)}</p>
<form method="post" action="/consent"><input type="hidden" name="tx" value="${tx}">
<label>Account <select name="user">${options}</select></label>
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button></form>`,
  );
}

function consent(body: URLSearchParams, res: ServerResponse): void {
  const tx = transactions.get(body.get('tx') ?? '');
  if (tx === undefined) return page(res, 400, 'unknown or used transaction');
  transactions.delete(body.get('tx') ?? '');
  if (body.get('decision') !== 'allow') {
    record({ type: 'consent', ok: false, error: 'access_denied' });
    return redirect(
      res,
      withParams(tx.redirectUri, {
        error: 'access_denied',
        error_description: 'The user denied access',
        state: tx.state,
      }),
    );
  }
  const user = config.users.find((u) => u.id === body.get('user')) ?? config.users[0];
  const code = randomBytes(20).toString('base64url');
  codes.set(code, { ...tx, userId: user.id, expiresAt: Date.now() + 60_000, used: false });
  record({ type: 'consent', ok: true, userId: user.id });
  redirect(res, withParams(tx.redirectUri, { code, state: tx.state }));
}

function token(req: IncomingMessage, body: URLSearchParams, res: ServerResponse): void {
  const refuse = (status: number, error: string, description: string): void => {
    record({ type: 'token', ok: false, error, description });
    // GitHub answers refusals with 200 and an `error` field; Google with 400/401 JSON.
    if (github) return tokenAnswer(req, res, { error, error_description: description });
    json(res, status, { error, error_description: description });
  };
  const [basicId, basicSecret] = basicAuth(req);
  const clientId = body.get('client_id') ?? basicId;
  const secret = body.get('client_secret') ?? basicSecret;
  const client = config.clients.find((c) => c.id === clientId);
  if (client === undefined || client.secret !== secret)
    return refuse(401, github ? 'incorrect_client_credentials' : 'invalid_client', 'client authentication failed');
  if (body.get('grant_type') === 'refresh_token' && !github) return refresh(client.id, body, res);
  if (body.get('grant_type') !== 'authorization_code' && !github)
    return refuse(400, 'unsupported_grant_type', 'authorization_code or refresh_token only');
  const code = body.get('code') ?? '';
  const grant = codes.get(code);
  if (grant === undefined || grant.clientId !== client.id)
    return refuse(400, github ? 'bad_verification_code' : 'invalid_grant', 'unknown code');
  if (grant.used) return refuse(400, github ? 'bad_verification_code' : 'invalid_grant', 'code already used');
  if (grant.expiresAt < Date.now())
    return refuse(400, github ? 'bad_verification_code' : 'invalid_grant', 'code expired');
  if (body.get('redirect_uri') !== grant.redirectUri)
    return refuse(
      400,
      github ? 'redirect_uri_mismatch' : 'invalid_grant',
      'redirect_uri differs from the authorization request',
    );
  const verifier = body.get('code_verifier');
  if (verifier === null || verifier === '')
    return refuse(400, github ? 'bad_verification_code' : 'invalid_grant', 'missing code verifier');
  if (createHash('sha256').update(verifier).digest('base64url') !== grant.challenge)
    return refuse(
      400,
      github ? 'bad_verification_code' : 'invalid_grant',
      'code verifier does not match the challenge',
    );
  grant.used = true;
  if (config.users.find((u) => u.id === grant.userId)?.profileDown === true)
    return json(res, 503, { error: 'backend_error' });
  const accessToken = `at_${randomBytes(16).toString('hex')}`;
  tokens.set(accessToken, grant.userId);
  record({ type: 'token', ok: true, userId: grant.userId });
  if (github)
    return tokenAnswer(req, res, { access_token: accessToken, scope: 'read:user,user:email', token_type: 'bearer' });
  const refreshToken = grant.offline ? `rt_${randomBytes(16).toString('hex')}` : undefined;
  if (refreshToken !== undefined) refreshTokens.set(refreshToken, { userId: grant.userId, clientId: client.id });
  json(res, 200, {
    access_token: accessToken,
    expires_in: 3599,
    token_type: 'Bearer',
    scope: grant.scope,
    id_token: idToken(grant.userId, client.id, grant.nonce),
    ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }),
  });
}

function refresh(clientId: string, body: URLSearchParams, res: ServerResponse): void {
  const held = refreshTokens.get(body.get('refresh_token') ?? '');
  if (held === undefined || held.clientId !== clientId) {
    record({ type: 'token', ok: false, error: 'invalid_grant', description: 'refresh token revoked or unknown' });
    return json(res, 400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
  }
  const accessToken = `at_${randomBytes(16).toString('hex')}`;
  tokens.set(accessToken, held.userId);
  record({ type: 'refresh', ok: true, userId: held.userId });
  json(res, 200, { access_token: accessToken, expires_in: 3599, token_type: 'Bearer', scope: 'openid email profile' });
}

/** RFC 7009: always 200, whether or not the token was known. */
function revoke(body: URLSearchParams, res: ServerResponse): void {
  const token = body.get('token') ?? '';
  const known = refreshTokens.delete(token) || tokens.delete(token);
  record({ type: 'revoke', ok: true, known });
  res.writeHead(200);
  res.end();
}

/** GitHub's "Delete an app authorization": basic auth with the app's id and secret, the token in the body. */
function deleteGrant(req: IncomingMessage, url: URL, body: URLSearchParams, res: ServerResponse): void {
  const [id, secret] = basicAuth(req);
  const client = config.clients.find((c) => c.id === id && c.secret === secret);
  if (client === undefined || url.pathname !== `/api/applications/${client.id}/grant`)
    return json(res, 404, { message: 'Not Found' });
  const known = tokens.delete(body.get('access_token') ?? '');
  record({ type: 'revoke', ok: known, known });
  if (!known) return json(res, 422, { message: 'Validation Failed' });
  res.writeHead(204);
  res.end();
}

function userinfo(req: IncomingMessage, res: ServerResponse): void {
  const user = bearerUser(req);
  if (user === undefined) return json(res, 401, github ? { message: 'Bad credentials' } : { error: 'invalid_token' });
  if (user.profileDown === true) return json(res, 503, { error: 'backend_error' });
  record({ type: 'userinfo', ok: true, userId: user.id });
  if (github)
    return json(res, 200, {
      id: Number(user.id),
      login: user.login ?? user.id,
      name: user.name,
      email: user.publicEmail ?? null,
      avatar_url: null,
    });
  json(res, 200, {
    sub: user.id,
    name: user.name,
    email: user.email,
    email_verified: user.emailVerified,
    picture: `https://example.test/${user.id}.png`,
  });
}

function emails(req: IncomingMessage, res: ServerResponse): void {
  const user = bearerUser(req);
  if (user === undefined) return json(res, 401, { message: 'Bad credentials' });
  json(
    res,
    200,
    user.emails ??
      (user.email === null
        ? []
        : [{ email: user.email, primary: true, verified: user.emailVerified, visibility: null }]),
  );
}

function bearerUser(req: IncomingMessage): FakeUser | undefined {
  // Only the Authorization header: a token in the URL would end up in access logs.
  const match = /^(?:Bearer|token)\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  const userId = match ? tokens.get(match[1]) : undefined;
  return config.users.find((u) => u.id === userId);
}

function tokenAnswer(req: IncomingMessage, res: ServerResponse, body: Record<string, string>): void {
  // GitHub answers form-encoded unless the client asks for JSON.
  if ((req.headers.accept ?? '').includes('application/json')) return json(res, 200, body);
  res.writeHead(200, { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' });
  res.end(new URLSearchParams(body).toString());
}

function discovery(): Record<string, unknown> {
  const base = issuer;
  return {
    issuer: base,
    authorization_endpoint: `${base}${paths.authorize}`,
    token_endpoint: `${base}${paths.token}`,
    userinfo_endpoint: `${base}${paths.user}`,
    jwks_uri: `${base}/oauth2/v3/certs`,
    revocation_endpoint: `${base}/revoke`,
    id_token_signing_alg_values_supported: ['RS256'],
    subject_types_supported: ['public'],
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
    scopes_supported: ['openid', 'email', 'profile'],
  };
}

function jwks(): { keys: object[] } {
  return { keys: [{ ...signingKey.publicKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' }] };
}

/** An ID token shaped like Google's, signed RS256 with the key the JWKS publishes. */
function idToken(userId: string, clientId: string, nonce: string | undefined): string {
  const user = config.users.find((u) => u.id === userId);
  const now = Math.floor(Date.now() / 1000);
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const claims = {
    iss: issuer,
    aud: clientId,
    azp: clientId,
    sub: userId,
    email: user?.email ?? undefined,
    email_verified: user?.emailVerified,
    name: user?.name,
    picture: `https://example.test/${userId}.png`,
    nonce,
    iat: now,
    exp: now + 3600,
  };
  const unsigned = `${part({ alg: 'RS256', typ: 'JWT', kid: KID })}.${part(claims)}`;
  const signature = createSign('RSA-SHA256').update(unsigned).sign(signingKey.privateKey).toString('base64url');
  return `${unsigned}.${signature}`;
}

function record(event: ProviderEvent): ProviderEvent {
  log.push(event);
  return event;
}

async function form(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if ((req.headers['content-type'] ?? '').includes('application/json')) {
    return new URLSearchParams(Object.entries(JSON.parse(text || '{}') as Record<string, string>));
  }
  return new URLSearchParams(text);
}

function basicAuth(req: IncomingMessage): [string | null, string | null] {
  const match = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!match) return [null, null];
  const [id, secret] = Buffer.from(match[1], 'base64').toString('utf8').split(':');
  return [decodeURIComponent(id ?? ''), decodeURIComponent(secret ?? '')];
}

function withParams(base: string, params: Record<string, string | undefined>): string {
  const url = new URL(base);
  for (const [key, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(key, value);
  return url.href;
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { Location: location });
  res.end();
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

function page(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html><head><title>Sign in</title></head><body>${html}</body></html>`);
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
