import { Inject } from '@nestjs/common';

/** One repository, as our API shows it. */
export interface Repository {
  readonly id: number;
  readonly name: string;
  readonly fullName: string;
  readonly description: string | null;
  readonly private: boolean;
  readonly url: string;
  readonly language: string | null;
  readonly stars: number;
  readonly forks: number;
  readonly updatedAt: string;
}

export interface RepositoryPage {
  readonly items: readonly Repository[];
  readonly page: number;
  readonly perPage: number;
  /** True when the page was full: there may be another. */
  readonly hasMore: boolean;
}

/** Port: the repositories of a GitHub user. Services depend on this, never on the REST client. */
export interface GithubRepos {
  /**
   * @throws ProviderRejectedError (404) when the user does not exist
   * @throws RateLimitedError (429) when GitHub's rate limit is spent
   * @throws ProviderNotConfiguredError (503) without GITHUB_REST_TOKEN
   */
  listForUser(username: string, page: number, perPage: number): Promise<RepositoryPage>;

  /**
   * The repositories the token's owner owns, private ones included: a signed-in
   * user's own GitHub token (from ProviderTokens), not the server's.
   * @throws ProviderRejectedError when GitHub no longer accepts the token (the grant was revoked there)
   */
  listOwn(accessToken: string, page: number, perPage: number): Promise<RepositoryPage>;
}

export const GithubRepos = Symbol('GithubRepos');
export const InjectGithubRepos = (): ParameterDecorator => Inject(GithubRepos);
