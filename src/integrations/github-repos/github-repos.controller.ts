import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from '../../core/errors/api-problem-responses.decorator';
import { Authenticated } from '../../core/security/require-scopes.decorator';
import { ListReposQuery, RepositoryPageDto, UserParams } from './dto/list-repos.dto';
import { type GithubRepos, InjectGithubRepos, type RepositoryPage } from './github-repos.port';

@ApiTags('github')
@Controller('github')
export class GithubReposController {
  constructor(@InjectGithubRepos() private readonly repos: GithubRepos) {}

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
