// A real OpenID Connect provider (panva/oidc-provider) on loopback for the e2e tests, run as its own process by
// test/support/oidc/oidc-provider.ts (oidc-provider is ESM-only; this file is plain ESM, no build step).
// Config: OIDC_TEST_CONFIG (JSON: { clients: [{ client_id, client_secret, redirect_uris }], accounts: {...} }).
// Two signing keys (rotation: the first signs, the second is still published), short access-token lifetime.
// Interactions sign in `login_hint` (default the first account) and grant what the client asked for, so
// tests drive the flow with plain HTTP. Prints `LISTENING <port>`; `GET /__log` lists grants and revocations;
// `POST /__disable?account=<id>` makes an account unknown, so its refresh tokens answer invalid_grant
// (`POST /__enable?account=<id>` undoes it).
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const config = JSON.parse(process.env.OIDC_TEST_CONFIG ?? '{}');
const accounts = config.accounts;
const disabled = new Set();
const log = [];

const signingKey = (kid) => ({
  ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
  kid,
  alg: 'RS256',
  use: 'sig',
});

const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: config.clients.map((client) => ({
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
      ...client,
    })),
    jwks: { keys: [signingKey('key-2026-11'), signingKey('key-2026-10')] },
    ttl: { AccessToken: 2, IdToken: 300, RefreshToken: 3600, Interaction: 300, Session: 3600, Grant: 3600 },
    features: { devInteractions: { enabled: false }, revocation: { enabled: true } },
    // Scope claims in the ID token itself (the app reads identity from the verified ID token only).
    conformIdTokenClaims: false,
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    pkce: { required: () => true },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, sub) =>
      accounts[sub] === undefined || disabled.has(sub)
        ? undefined
        : { accountId: sub, claims: () => ({ sub, ...accounts[sub] }) },
  });
  provider.on('grant.success', (ctx) => log.push({ type: 'grant', grantType: ctx.oidc.params.grant_type }));
  provider.on('grant.revoked', (_ctx, grantId) => log.push({ type: 'revoked', grantId }));
  provider.on('access_token.destroyed', () => log.push({ type: 'access_token.destroyed' }));
  const callback = provider.callback();
  server.on('request', (req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    if (url.pathname === '/__log') return send(res, 200, log);
    if (url.pathname === '/__disable' && req.method === 'POST') {
      disabled.add(url.searchParams.get('account'));
      return send(res, 200, {});
    }
    if (url.pathname === '/__enable' && req.method === 'POST') {
      disabled.delete(url.searchParams.get('account'));
      return send(res, 200, {});
    }
    if (url.pathname.startsWith('/interaction/'))
      return interact(provider, req, res).catch((error) => send(res, 500, { error: String(error) }));
    return callback(req, res);
  });
  process.stdout.write(`LISTENING ${port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
// Keep-alive sockets from the app would hold close() open.
process.on('SIGTERM', () => server.closeAllConnections());

async function interact(provider, req, res) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session } = details;
  if (prompt.name === 'login') {
    const accountId = typeof params.login_hint === 'string' ? params.login_hint : Object.keys(accounts)[0];
    return provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
  }
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  const grantId = await grant.save();
  return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
