import { findEnvProblems } from '../../../config/env.validation';
import { identityConfig } from './oidc.config';

const ENV = {
  OIDC_PROVIDERS: 'keycloak, microsoft',
  OIDC_KEYCLOAK_ISSUER: 'http://127.0.0.1:8080/realms/demo',
  OIDC_KEYCLOAK_CLIENT_ID: 'portico',
  OIDC_KEYCLOAK_CLIENT_SECRET: 'kc-secret',
  OIDC_KEYCLOAK_SCOPES: 'openid email offline_access',
  OIDC_MICROSOFT_ISSUER: 'https://login.microsoftonline.com/common/v2.0',
  OIDC_MICROSOFT_CLIENT_ID: 'app-id',
  OIDC_MICROSOFT_CLIENT_SECRET: 'ms-secret',
  OIDC_MICROSOFT_LABEL: 'Microsoft',
  OIDC_MICROSOFT_TRUSTED_ISSUERS: 'https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0',
};

function load(env: Record<string, string>): ReturnType<typeof identityConfig.read> {
  const saved = process.env;
  process.env = { ...env };
  try {
    return identityConfig.read();
  } finally {
    process.env = saved;
  }
}

describe('identityConfig (OIDC_PROVIDERS)', () => {
  it('reads each listed issuer with its defaults, and links by verified email unless turned off', () => {
    const config = load(ENV);
    expect(config.linkByVerifiedEmail).toBe(true);
    expect(config.issuers).toEqual([
      {
        name: 'keycloak',
        label: 'Keycloak',
        issuer: 'http://127.0.0.1:8080/realms/demo',
        clientId: 'portico',
        clientSecret: 'kc-secret',
        scopes: 'openid email offline_access',
        callbackUrl: undefined,
        trustedIssuers: [],
        // offline_access is only honoured with consent (OpenID Connect Core 11).
        authorizeParams: { prompt: 'consent' },
      },
      expect.objectContaining({
        name: 'microsoft',
        label: 'Microsoft',
        scopes: 'openid email profile',
        trustedIssuers: [ENV.OIDC_MICROSOFT_TRUSTED_ISSUERS],
        authorizeParams: {},
      }),
    ]);
    expect(load({ AUTH_LINK_BY_VERIFIED_EMAIL: 'false' }).linkByVerifiedEmail).toBe(false);
  });

  it('refuses a listed provider without its issuer, id or secret, naming the variables', () => {
    expect(findEnvProblems({ OIDC_PROVIDERS: 'okta', OIDC_OKTA_CLIENT_ID: 'x' }, [identityConfig.env])).toEqual([
      'OIDC_OKTA_ISSUER: required because OIDC_PROVIDERS lists okta',
      'OIDC_OKTA_CLIENT_SECRET: required because OIDC_PROVIDERS lists okta',
    ]);
  });

  it('refuses plain http issuers off loopback, bad names and names that collide with routes', () => {
    const problems = findEnvProblems(
      {
        OIDC_PROVIDERS: 'corp,Bad-Name,github,identities',
        OIDC_CORP_ISSUER: 'http://idp.corp.example',
        OIDC_CORP_CLIENT_ID: 'x',
        OIDC_CORP_CLIENT_SECRET: 'y',
      },
      [identityConfig.env],
    );
    expect(problems).toEqual([
      'OIDC_CORP_ISSUER: must be an https URL (http only on loopback)',
      expect.stringMatching(/^OIDC_PROVIDERS: "Bad-Name"/),
      expect.stringMatching(/^OIDC_PROVIDERS: "github"/),
      expect.stringMatching(/^OIDC_PROVIDERS: "identities"/),
    ]);
    expect(findEnvProblems(ENV, [identityConfig.env])).toEqual([]);
  });
});
