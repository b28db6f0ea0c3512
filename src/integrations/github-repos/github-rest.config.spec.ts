import { ENV_SPECS, findEnvProblems as findAll } from '../../config/env.validation';
import type { RawEnv } from '../../config/env-rules';
import { declaredProviderConfigs } from '../../config/provider-config';
import { githubRestConfig } from './github-rest.config';
import { GithubReposModule } from './github-repos.module';

const findEnvProblems = (env: RawEnv): string[] => findAll(env, [...ENV_SPECS, githubRestConfig.env]);

describe('githubRest config', () => {
  it('asks for GITHUB_REST_TOKEN once the API URL is set', () => {
    expect(findEnvProblems({ GITHUB_REST_API_URL: 'http://127.0.0.1:1' })).toEqual([
      expect.stringMatching(
        /^GITHUB_REST_TOKEN: required for GitHub REST client .* because GITHUB_REST_API_URL is set/,
      ),
    ]);
  });

  it('refuses a token with spaces or a malformed URL', () => {
    expect(findEnvProblems({ GITHUB_REST_TOKEN: 'ghp_ with spaces inside it' })).toEqual([
      expect.stringMatching(/^GITHUB_REST_TOKEN: must be a GitHub token/),
    ]);
    expect(
      findEnvProblems({ GITHUB_REST_TOKEN: 'ghp_0123456789abcdefghij', GITHUB_REST_API_URL: 'api.github.com' }),
    ).toEqual([expect.stringMatching(/^GITHUB_REST_API_URL: .*http\(s\) URL/)]);
  });

  it('accepts a token alone (default API URL)', () => {
    expect(findEnvProblems({ GITHUB_REST_TOKEN: 'github_pat_0123456789abcdefghij' })).toEqual([]);
  });

  it('is declared by its module, so start-up finds and validates it', () => {
    expect(declaredProviderConfigs([GithubReposModule])).toEqual([githubRestConfig]);
  });

  it('names the missing variables until the token is set', () => {
    const saved = { ...process.env };
    try {
      delete process.env.GITHUB_REST_TOKEN;
      expect(githubRestConfig()).toMatchObject({ configured: false, missing: ['GITHUB_REST_TOKEN'] });
      process.env.GITHUB_REST_TOKEN = 'ghp_0123456789abcdefghij';
      expect(githubRestConfig()).toMatchObject({ configured: true, missing: undefined, userAgent: 'portico' });
    } finally {
      process.env = saved;
    }
  });
});
