import { Controller, Delete, Get, HttpCode, Param, Query, Req, Res } from '@nestjs/common';
import {
  ApiFoundResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiProblemResponses } from '../../core/errors/api-problem-responses.decorator';
import { CurrentPrincipal } from '../../core/security/current-principal.decorator';
import type { Principal } from '../../core/security/principal';
import { Authenticated } from '../../core/security/require-scopes.decorator';
import { userOf } from './user-principal';
import { IdentitiesDto } from './dto/auth.dto';
import { OAuthLoginService } from './oauth/oauth-login.service';
import { ProviderRevocation } from './tokens/provider-revocation';
import { IdentitiesService } from './users/identities.service';

/**
 * The signed-in user's provider identities: list, link, unlink. Registered
 * before `AuthController`, whose `GET /auth/:provider` would otherwise take
 * `GET /auth/identities` (`identities` is a reserved provider name).
 */
@ApiTags('auth')
@Controller('auth')
export class IdentitiesController {
  constructor(
    private readonly identities: IdentitiesService,
    private readonly login: OAuthLoginService,
    private readonly revocation: ProviderRevocation,
  ) {}

  @Get('identities')
  @Authenticated()
  @ApiOperation({ summary: 'The provider identities linked to the signed-in user' })
  @ApiOkResponse({ type: IdentitiesDto })
  @ApiProblemResponses(401, 403)
  async list(@CurrentPrincipal() principal: Principal): Promise<IdentitiesDto> {
    const identities = await this.identities.list(userOf(principal).id);
    return { identities: identities.map((identity) => ({ ...identity, createdAt: identity.createdAt.toISOString() })) };
  }

  @Delete('identities/:id')
  @Authenticated()
  @HttpCode(204)
  @ApiOperation({
    summary: 'Unlinks one of the signed-in user’s identities and revokes its grant at the provider',
    description:
      'The last identity cannot be unlinked (409): nobody could sign in to the account any more. The provider’s ' +
      'token is revoked where the provider allows it (RFC 7009 revocation endpoint; GitHub’s grant deletion).',
  })
  @ApiNoContentResponse({ description: 'Unlinked' })
  @ApiProblemResponses(401, 403, 404, 409)
  async unlink(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<void> {
    const unlinked = await this.identities.unlink(userOf(principal).id, id);
    await this.revocation.revoke(unlinked);
  }

  @Get(':provider/link')
  @Authenticated()
  @ApiOperation({
    summary: 'Links another provider identity to the signed-in user: redirects to the provider (state + PKCE)',
    description:
      'Back at the callback the identity joins this user; `?error=identity_in_use` when it belongs to another user.',
  })
  @ApiParam({ name: 'provider', description: 'A configured provider (`GET /auth/providers`)' })
  @ApiQuery({ name: 'returnTo', required: false, description: 'As for the login' })
  @ApiFoundResponse({ description: 'To the provider’s consent page' })
  @ApiProblemResponses(401, 403, 404, 503)
  async link(
    @CurrentPrincipal() principal: Principal,
    @Param('provider') provider: string,
    @Query('returnTo') returnTo: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await this.login.begin(provider, returnTo, req, res, userOf(principal).id);
  }
}
