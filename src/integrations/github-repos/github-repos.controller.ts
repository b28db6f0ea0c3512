import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from '../../core/errors/api-problem-responses.decorator';
import { CurrentPrincipal } from '../../core/security/current-principal.decorator';
import type { Principal } from '../../core/security/principal';
import { Authenticated } from '../../core/security/require-scopes.decorator';
import { ProviderTokens } from '../auth/tokens/provider-tokens.service';
import { userOf } from '../auth/user-principal';
import { ListReposQuery, RepositoryPageDto, UserParams } from './dto/list-repos.dto';
import { type GithubRepos, InjectGithubRepos, type RepositoryPage } from './github-repos.port';

@ApiTags('github')
@Controller('github')
export class GithubReposController {
  constructor(
    @InjectGithubRepos() private readonly repos: GithubRepos,
    private readonly tokens: ProviderTokens,
  ) {}

  @Get('me/repos')
  // The caller's own repositories through the caller's own GitHub grant: nothing beyond what GitHub lets them see.
  @Authenticated()
  @ApiOperation({
    summary: 'The signed-in user’s own GitHub repositories, through their linked GitHub identity’s token',
    description:
      'Uses the access token Portico keeps for the user’s GitHub identity (ProviderTokens), not the server token. ' +
      'Needs a signed-in user with GitHub linked (`GET /auth/github/link`); an API key gets 403.',
  })
  @ApiOkResponse({ type: RepositoryPageDto })
  @ApiProblemResponses(400, 401, 403, 409, 429, 502, 503, 504)
  async listOwn(@CurrentPrincipal() principal: Principal, @Query() query: ListReposQuery): Promise<RepositoryPage> {
    // No linked identity, or one GitHub no longer honours: a 409 problem from ProviderTokens.
    const token = await this.tokens.getAccessToken(userOf(principal).id, 'github');
    return this.repos.listOwn(token, query.page, query.perPage);
  }

  @Get('users/:username/repos')
  // Public GitHub data through the operator's token: every authenticated caller, no scope of its own (docs/SECURITY.md).
  @Authenticated()
  @ApiOperation({ summary: 'A GitHub user’s own repositories, most recently updated first' })
  @ApiOkResponse({ type: RepositoryPageDto })
  @ApiProblemResponses(400, 401, 404, 429, 502, 503, 504)
  list(@Param() params: UserParams, @Query() query: ListReposQuery): Promise<RepositoryPage> {
    return this.repos.listForUser(params.username, query.page, query.perPage);
  }
}
