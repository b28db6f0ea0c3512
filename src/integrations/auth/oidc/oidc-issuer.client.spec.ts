import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type JWK, SignJWT, UnsecuredJWT, exportJWK } from 'jose';
import { type CallRunner, IdTokenRejectedError, OidcIssuerClient } from './oidc-issuer.client';
import { trustedEmail } from './oidc.strategy';

/**
 * The ID-token checks of the login path, against tokens a real issuer would
 * not mint: a loopback issuer (discovery, JWKS, token endpoint) answers the
 * code exchange with whatever ID token the test crafted with `jose`, and the
 * client must refuse every forgery.
 */
describe(OidcIssuerClient.name, () => {
  const CLIENT_ID = 'portico';
  const NONCE = 'nonce-of-this-login';
  const STATE = 'state-of-this-login';
  type Key = { kid: string; privateKey: ReturnType<typeof generateKeyPairSync>['privateKey']; jwk: JWK };

  let server: Server;
  let issuer: string;
  let published: Key[];
  let nextIdToken: string;
  let jwksFetches = 0;
  let sut: OidcIssuerClient;

  const direct: CallRunner = { run: (_provider, _operation, fn) => fn() };

  async function newKey(kid: string): Promise<Key> {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
  }

  function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const now = Math.floor(Date.now() / 1000);
    return {
      iss: issuer,
      aud: CLIENT_ID,
      sub: 'user-1',
      nonce: NONCE,
      email: 'ada@example.test',
      email_verified: true,
      iat: now,
      exp: now + 300,
      ...overrides,
    };
  }

  function sign(key: Key, body: Record<string, unknown> = claims()): Promise<string> {
    return new SignJWT(body).setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' }).sign(key.privateKey);
  }

  /** The code exchange of one login that comes back with `idToken`. */
  async function exchange(idToken: string): Promise<Record<string, unknown>> {
    nextIdToken = idToken;
    const tokens = await sut.exchange(new URL(`http://127.0.0.1/cb?code=abc&state=${STATE}`), {
      pkceCodeVerifier: 'v'.repeat(43),
      expectedState: STATE,
      expectedNonce: NONCE,
      idTokenExpected: true,
    });
    return tokens.claims() as Record<string, unknown>;
  }

  beforeAll(async () => {
    published = [await newKey('key-1')];
    server = createServer((req, res) => {
      const send = (body: unknown): void => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.url === '/.well-known/openid-configuration')
        return send({
          issuer,
          authorization_endpoint: `${issuer}/auth`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
        });
      if (req.url === '/jwks') {
        jwksFetches += 1;
        return send({ keys: published.map((key) => key.jwk) });
      }
      if (req.url === '/token')
        return send({ access_token: 'at', token_type: 'Bearer', expires_in: 60, id_token: nextIdToken });
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    sut = new OidcIssuerClient({ name: 'test', issuer, clientId: CLIENT_ID, clientSecret: 'secret' }, direct);
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await new Promise((resolve) => server.close(resolve));
  });

  it('accepts a genuine ID token (the baseline every attack below departs from)', async () => {
    await expect(exchange(await sign(published[0]))).resolves.toMatchObject({ sub: 'user-1', nonce: NONCE });
  });

  it.each([
    ['another client’s audience', { aud: 'someone-else' }],
    ['another issuer', { iss: 'https://evil.example' }],
    ['an expired token (beyond the 30 s skew)', { exp: Math.floor(Date.now() / 1000) - 120 }],
    ['a token issued in the future (beyond the skew)', { iat: Math.floor(Date.now() / 1000) + 600 }],
    ['a stale token (issued an hour ago, still unexpired)', { iat: Math.floor(Date.now() / 1000) - 3600 }],
    ['a replayed nonce (another login’s)', { nonce: 'nonce-of-an-earlier-login' }],
    ['a missing nonce', { nonce: undefined }],
    ['an azp naming another client', { azp: 'someone-else' }],
    ['several audiences without azp', { aud: [CLIENT_ID, 'someone-else'] }],
  ])('refuses %s', async (_what, overrides) => {
    await expect(exchange(await sign(published[0], claims(overrides)))).rejects.toBeInstanceOf(IdTokenRejectedError);
  });

  it('tolerates a small clock skew (exp 10 s ago)', async () => {
    const claimsNow = claims({ exp: Math.floor(Date.now() / 1000) - 10 });
    await expect(exchange(await sign(published[0], claimsNow))).resolves.toMatchObject({ sub: 'user-1' });
  });

  it('refuses a signature that does not verify (the published kid, another key)', async () => {
    const impostor = await newKey(published[0].kid);
    await expect(exchange(await sign(impostor))).rejects.toBeInstanceOf(IdTokenRejectedError);
  });

  it('refuses alg none', async () => {
    await expect(exchange(new UnsecuredJWT(claims()).encode())).rejects.toBeInstanceOf(IdTokenRejectedError);
  });

  it('refuses HS256 signed with the issuer’s public key as the HMAC secret (key confusion)', async () => {
    const pem = createPublicKey(published[0].privateKey).export({ type: 'spki', format: 'pem' });
    const forged = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'HS256', kid: published[0].kid })
      .sign(new TextEncoder().encode(String(pem)));
    await expect(exchange(forged)).rejects.toBeInstanceOf(IdTokenRejectedError);
  });

  it('after a key rotation: fetches the JWKS again for the unknown kid once the cached copy is a minute old; a really unknown key stays refused', async () => {
    await exchange(await sign(published[0]));
    const rotated = await newKey('key-2');
    published = [rotated, published[0]];
    // Within a minute of the last fetch an unknown kid does not make the client hammer the issuer.
    const fetches = jwksFetches;
    await expect(exchange(await sign(rotated))).rejects.toBeInstanceOf(IdTokenRejectedError);
    expect(jwksFetches).toBe(fetches);

    const realNow = Date.now.bind(Date);
    jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 61_000);
    await expect(exchange(await sign(rotated))).resolves.toMatchObject({ sub: 'user-1' });
    expect(jwksFetches).toBe(fetches + 1);

    const stranger = await newKey('key-never-published');
    jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 122_000);
    await expect(exchange(await sign(stranger))).rejects.toBeInstanceOf(IdTokenRejectedError);
    jest.restoreAllMocks();
  });
});

describe(trustedEmail.name, () => {
  const base = { iss: 'https://idp.example', sub: 's', aud: 'c', iat: 0, exp: 0 };

  it('trusts an address only when email_verified is true', () => {
    expect(trustedEmail({ ...base, email: 'a@b.c', email_verified: true }, [])).toBe(true);
    expect(trustedEmail({ ...base, email: 'a@b.c', email_verified: false }, [])).toBe(false);
    expect(trustedEmail({ ...base, email: 'a@b.c' }, [])).toBe(false);
  });

  it('never trusts a multi-tenant issuer’s tenants without an allow-list, and only the listed ones with it', () => {
    const tenant = 'https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0';
    const other = 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0';
    const claims = { ...base, iss: tenant, email: 'a@b.c', email_verified: true };
    expect(trustedEmail(claims, [])).toBe(false);
    expect(trustedEmail(claims, [tenant])).toBe(true);
    expect(trustedEmail({ ...claims, iss: other }, [tenant])).toBe(false);
  });
});
