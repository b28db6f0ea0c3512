import { ENV_SPECS, findEnvProblems as findAll } from '../../../config/env.validation';
import type { RawEnv } from '../../../config/env-rules';
import { declaredProviderConfigs } from '../../../config/provider-config';
import { identityConfig } from '../oidc/oidc.config';
import { AuthModule } from '../auth.module';
import { githubOAuthConfig } from './oauth-github.config';
import { googleOAuthConfig } from './oauth-google.config';
import { PROVIDER_VARIABLES } from './oauth-providers';

const findEnvProblems = (env: RawEnv): string[] =>
  findAll(env, [...ENV_SPECS, googleOAuthConfig.env, githubOAuthConfig.env]);

describe('OAuth login configs', () => {
  it('are declared by the auth module, so start-up finds and validates them', () => {
    expect(declaredProviderConfigs([AuthModule])).toEqual([googleOAuthConfig, githubOAuthConfig, identityConfig]);
  });

  it('ask for the rest of each group, and check the URLs', () => {
    expect(findEnvProblems({ GOOGLE_CLIENT_ID: 'id', GITHUB_TOKEN_URL: 'not a url' })).toEqual([
      'GOOGLE_CLIENT_SECRET: required for login with Google because GOOGLE_CLIENT_ID is set',
      expect.stringMatching(/^GITHUB_TOKEN_URL: .*http\(s\) URL/),
      'GITHUB_CLIENT_ID: required for login with GitHub because GITHUB_TOKEN_URL is set',
      'GITHUB_CLIENT_SECRET: required for login with GitHub because GITHUB_TOKEN_URL is set',
    ]);
  });

  it('name the missing variables (the 503 answer and readiness) from the declarations', () => {
    expect(PROVIDER_VARIABLES).toEqual({
      google: ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET'],
      github: ['GITHUB_CLIENT_ID', 'GITHUB_CLIENT_SECRET'],
    });
    const saved = { ...process.env };
    try {
      for (const name of ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET', 'GITHUB_CLIENT_ID', 'GITHUB_CLIENT_SECRET'])
        delete process.env[name];
      process.env.GITHUB_CLIENT_ID = 'id';
      process.env.GITHUB_CLIENT_SECRET = 'secret';
      expect(googleOAuthConfig()).toMatchObject({ configured: false, missing: PROVIDER_VARIABLES.google });
      expect(githubOAuthConfig()).toMatchObject({
        configured: true,
        missing: undefined,
        apiUrl: 'https://api.github.com',
        tokenUrl: 'https://github.com/login/oauth/access_token',
      });
    } finally {
      process.env = saved;
    }
  });
});
