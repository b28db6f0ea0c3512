import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res, UnauthorizedException } from '@nestjs/common';
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
import { Public } from '../../core/security/public.decorator';
import { Authenticated } from '../../core/security/require-scopes.decorator';
import { SameOriginPolicy } from '../../core/security/same-origin.policy';
import { LoginProvidersDto, MeDto, RefreshDto, TokensDto } from './dto/auth.dto';
import { OAuthLoginService } from './oauth/oauth-login.service';
import { OAuthProviders } from './oauth/oauth-providers';
import { REFRESH_COOKIE, SessionCookies, readCookie } from './sessions/session-cookies';
import { type IssuedSession, SessionsService } from './sessions/sessions.service';
import { IdentitiesService } from './users/identities.service';
import { userOf } from './user-principal';
import { UsersService } from './users/users.service';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly providers: OAuthProviders,
    private readonly login: OAuthLoginService,
    private readonly sessions: SessionsService,
    private readonly cookies: SessionCookies,
    private readonly users: UsersService,
    private readonly origins: SameOriginPolicy,
    private readonly identities: IdentitiesService,
  ) {}

  @Get('providers')
  @Public()
  @ApiOperation({ summary: 'The configured login providers' })
  @ApiOkResponse({ type: LoginProvidersDto })
  listProviders(): LoginProvidersDto {
    return {
      providers: this.providers.list().map((p) => ({ name: p.name, label: p.label, loginUrl: `/auth/${p.name}` })),
    };
  }

  @Get('me')
  @Authenticated()
  @ApiOperation({ summary: 'The signed-in user, with the scopes this session may use' })
  @ApiOkResponse({ type: MeDto })
  @ApiProblemResponses(401, 403)
  async me(@CurrentPrincipal() principal: Principal): Promise<MeDto> {
    const user = await this.users.findById(userOf(principal).id);
    if (user === null) throw new UnauthorizedException('The user no longer exists');
    return {
      id: user.id,
      email: user.email,
      emailVerified: user.emailVerified,
      name: user.name,
      avatarUrl: user.avatarUrl,
      providers: await this.users.providersOf(user.id),
      reconnectRequired: (await this.identities.list(user.id))
        .filter((identity) => identity.status === 'reconnect_required')
        .map((identity) => identity.provider),
      scopes: [...userOf(principal).scopes],
    };
  }

  @Post('refresh')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'New session token for a refresh token; the refresh token is rotated',
    description:
      'Browsers: the refresh cookie is read and the new tokens are set as cookies; like every cookie-authenticated write, ' +
      'the request must come from PUBLIC_URL or an allowed origin (Origin header). REST clients: send `refreshToken` ' +
      'in a JSON body and get the next one in the answer; no cookies are read or set. The same token presented again ' +
      'within AUTH_REFRESH_REUSE_GRACE_SECONDS (10 s) returns the same pair; later, it ends the session.',
  })
  @ApiOkResponse({ type: TokensDto })
  @ApiProblemResponses(400, 401, 403)
  async refresh(
    @Body() body: RefreshDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TokensDto> {
    if (body.refreshToken !== undefined) {
      // Never sets cookies: a cross-site form could otherwise sign a victim's browser in as the attacker.
      const session = await this.sessions.refresh(body.refreshToken);
      return { ...tokensOf(session), refreshToken: session.refreshToken };
    }
    const presented = readCookie(req, REFRESH_COOKIE);
    if (presented === undefined) throw new UnauthorizedException('No refresh token (cookie or body)');
    this.origins.assertAllowed(req);
    try {
      const session = await this.sessions.refresh(presented);
      this.cookies.set(req, res, session);
      return tokensOf(session);
    } catch (error) {
      if (error instanceof UnauthorizedException) this.cookies.clear(req, res);
      throw error;
    }
  }

  @Post('logout')
  @Authenticated()
  @HttpCode(204)
  @ApiOperation({ summary: 'Ends the session: its refresh and session tokens stop working' })
  @ApiNoContentResponse({ description: 'Signed out; cookies cleared' })
  @ApiProblemResponses(401, 403)
  async logout(
    @CurrentPrincipal() principal: Principal,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<void> {
    const user = userOf(principal);
    if (user.sessionId !== undefined) await this.sessions.revoke(user.sessionId, 'logout');
    const refresh = readCookie(req, REFRESH_COOKIE);
    const refreshSession = refresh === undefined ? undefined : await this.sessions.sessionOfRefreshToken(refresh);
    if (refreshSession !== undefined && refreshSession !== user.sessionId)
      await this.sessions.revoke(refreshSession, 'logout');
    this.cookies.clear(req, res);
  }

  @Get(':provider')
  @Public()
  @ApiOperation({ summary: 'Starts a login: redirects to the provider (state + PKCE in a short-lived cookie)' })
  @ApiParam({ name: 'provider', description: 'google, github or an OIDC_PROVIDERS name (`GET /auth/providers`)' })
  @ApiQuery({
    name: 'returnTo',
    required: false,
    description: 'Where to land afterwards; only origins on AUTH_REDIRECT_ALLOWLIST, else the default',
  })
  @ApiFoundResponse({ description: 'To the provider’s consent page' })
  @ApiProblemResponses(404, 503)
  async start(
    @Param('provider') provider: string,
    @Query('returnTo') returnTo: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await this.login.begin(provider, returnTo, req, res);
  }

  @Get(':provider/callback')
  @Public()
  @ApiOperation({
    summary:
      'The provider sends the browser back here; sets the session cookies and redirects to returnTo (or `?error=<code>`)',
  })
  @ApiParam({ name: 'provider', description: 'google, github or an OIDC_PROVIDERS name (`GET /auth/providers`)' })
  @ApiFoundResponse({ description: 'To returnTo, or to the front end with `?error=<code>`' })
  @ApiProblemResponses(404, 503)
  async callback(@Param('provider') provider: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const target = await this.login.complete(provider, req, res);
    if (!res.headersSent) res.redirect(302, target);
  }
}

function tokensOf(session: IssuedSession): TokensDto {
  // The token's lifetime (RFC 6749 `expires_in`), the same for every answer carrying it.
  const expiresIn = Math.round((session.accessTokenExpiresAt.getTime() - session.accessTokenIssuedAt.getTime()) / 1000);
  return { accessToken: session.accessToken, tokenType: 'Bearer', expiresIn };
}
