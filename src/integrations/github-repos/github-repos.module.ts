import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ProviderConfigModule } from '../../config/provider-config';
import { HttpClientModule } from '../http-client/http-client.module';
import { GithubReposController } from './github-repos.controller';
import { GITHUB_REST } from './github-repos.constants';
import { githubRestConfig } from './github-rest.config';
import { GithubRepos } from './github-repos.port';
import { GithubRestReposAdapter } from './github-rest-repos.adapter';
import { mapGithubError } from './github-rest.errors';

/**
 * `GET /github/users/:username/repos`: the worked example of
 * docs/EXTENDING.md, built only from `HttpClientModule`. Resilience,
 * metrics and the `/health/ready` entry (`github-rest`) come with it.
 */
@Module({
  imports: [
    ProviderConfigModule.forFeature(githubRestConfig),
    HttpClientModule.registerAsync({
      name: GITHUB_REST,
      inject: [githubRestConfig.KEY],
      useFactory: (config: ConfigType<typeof githubRestConfig>) => ({
        baseUrl: config.apiUrl,
        auth: config.token === undefined ? undefined : { type: 'bearer', token: config.token },
        missingConfig: config.missing,
        headers: {
          accept: 'application/vnd.github+json',
          'x-github-api-version': '2022-11-28',
          'user-agent': config.userAgent,
        },
        mapError: mapGithubError,
      }),
    }),
  ],
  controllers: [GithubReposController],
  providers: [{ provide: GithubRepos, useClass: GithubRestReposAdapter }],
})
export class GithubReposModule {}
