import { Injectable } from '@nestjs/common';
import { Monitored } from '../../core/monitoring/monitored.decorator';
import { Resilient } from '../../core/resilience/resilient.decorator';
import type { HttpClient } from '../http-client/http-client';
import { InjectHttpClient } from '../http-client/http-client.module';
import { GITHUB_REST } from './github-repos.constants';
import type { GithubRepos, Repository, RepositoryPage } from './github-repos.port';

/** The fields of GitHub's repository object we use. */
interface GithubRepository {
  id: number;
  name: string;
  full_name: string;
  description: string | null;
  private: boolean;
  html_url: string;
  language: string | null;
  stargazers_count: number;
  forks_count: number;
  updated_at: string;
}

/**
 * `GithubRepos` over GitHub's REST API. The client already runs each call
 * under the `github-rest` policy; the decorators here give the call its
 * own operation name in metrics and logs (the client's inner call then
 * runs as part of this one, not as a second policed call).
 */
@Injectable()
export class GithubRestReposAdapter implements GithubRepos {
  constructor(@InjectHttpClient(GITHUB_REST) private readonly github: HttpClient) {}

  @Resilient(GITHUB_REST)
  @Monitored(GITHUB_REST, 'repos.listForUser')
  async listForUser(username: string, page: number, perPage: number): Promise<RepositoryPage> {
    const repos = await this.github.get<GithubRepository[]>(`/users/${encodeURIComponent(username)}/repos`, {
      query: { page, per_page: perPage, sort: 'updated', type: 'owner' },
    });
    return { items: repos.map(toRepository), page, perPage, hasMore: repos.length === perPage };
  }

  @Resilient(GITHUB_REST)
  @Monitored(GITHUB_REST, 'repos.listOwn')
  async listOwn(accessToken: string, page: number, perPage: number): Promise<RepositoryPage> {
    const repos = await this.github.get<GithubRepository[]>('/user/repos', {
      query: { page, per_page: perPage, sort: 'updated', affiliation: 'owner' },
      bearerToken: accessToken,
    });
    return { items: repos.map(toRepository), page, perPage, hasMore: repos.length === perPage };
  }
}

function toRepository(repo: GithubRepository): Repository {
  return {
    id: repo.id,
    name: repo.name,
    fullName: repo.full_name,
    description: repo.description,
    private: repo.private,
    url: repo.html_url,
    language: repo.language,
    stars: repo.stargazers_count,
    forks: repo.forks_count,
    updatedAt: repo.updated_at,
  };
}
