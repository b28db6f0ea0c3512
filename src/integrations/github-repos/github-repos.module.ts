import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { githubRestConfig } from '../../config/github-rest.config';
import { HttpClientModule } from '../http-client/http-client.module';
import { GithubReposController } from './github-repos.controller';
import { GITHUB_REST } from './github-repos.constants';
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
    HttpClientModule.registerAsync({
      name: GITHUB_REST,
      inject: [githubRestConfig.KEY],
      useFactory: (config: ConfigType<typeof githubRestConfig>) => ({
        baseUrl: config.apiUrl,
        auth: config.token === undefined ? undefined : { type: 'bearer', token: config.token },
        missingConfig: config.configured ? undefined : ['GITHUB_REST_TOKEN'],
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
