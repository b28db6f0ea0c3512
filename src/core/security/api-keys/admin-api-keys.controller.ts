import { Controller, Get, HttpCode, NotFoundException, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from '../../errors/api-problem-responses.decorator';
import { RequireScopes } from '../require-scopes.decorator';
import { mapPage } from '../../http/pagination';
import { ApiKeyDto, ApiKeyNameParam, ApiKeyPageDto, ListApiKeysQuery } from './api-keys.dto';
import { ApiKeyNotFoundError, type ApiKeyView, ApiKeysService } from './api-keys.service';

/** Operators: see every API key and revoke one (the CLI does the same: apikey:list, apikey:revoke). */
@ApiTags('admin')
@RequireScopes('admin')
@ApiProblemResponses(401, 403)
@Controller('admin/api-keys')
export class AdminApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Get()
  @ApiOperation({
    summary: 'Every API key, newest first: name, scopes, created, last used, expiry, revoked (never the key)',
  })
  @ApiOkResponse({ type: ApiKeyPageDto })
  @ApiProblemResponses(400)
  async list(@Query() query: ListApiKeysQuery): Promise<ApiKeyPageDto> {
    return mapPage(await this.keys.page(query), toDto);
  }

  @Post(':name/revoke')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Revoke a key: refused at once by this instance, by every instance within 5 s',
  })
  @ApiOkResponse({ type: ApiKeyDto })
  @ApiProblemResponses(400, 404)
  async revoke(@Param() params: ApiKeyNameParam): Promise<ApiKeyDto> {
    try {
      return toDto(await this.keys.revoke(params.name));
    } catch (error) {
      if (error instanceof ApiKeyNotFoundError) throw new NotFoundException(error.message);
      throw error;
    }
  }
}

function toDto(view: ApiKeyView): ApiKeyDto {
  return {
    name: view.name,
    scopes: view.scopes,
    scopesListed: view.scopesListed,
    source: view.source,
    createdAt: view.createdAt.toISOString(),
    lastUsedAt: view.lastUsedAt?.toISOString() ?? null,
    expiresAt: view.expiresAt?.toISOString() ?? null,
    revokedAt: view.revokedAt?.toISOString() ?? null,
  };
}
