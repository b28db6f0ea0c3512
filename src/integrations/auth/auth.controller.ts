import {
  Body,
  Controller,
  ForbiddenException,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
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
import type { Principal, UserPrincipal } from '../../core/security/principal';
import { Public } from '../../core/security/public.decorator';
import { LoginProvidersDto, MeDto, RefreshDto, TokensDto } from './dto/auth.dto';
import { OAuthLoginService } from './oauth/oauth-login.service';
import { OAuthProviders } from './oauth/oauth-providers';
import { REFRESH_COOKIE, SessionCookies, readCookie } from './sessions/session-cookies';
import { SessionsService } from './sessions/sessions.service';
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
  @ApiOperation({ summary: 'The signed-in user' })
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
    };
  }

  @Post('refresh')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'New session token for a refresh token (cookie or body); the refresh token is rotated' })
  @ApiOkResponse({ type: TokensDto })
  @ApiProblemResponses(400, 401)
  async refresh(
    @Body() body: RefreshDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TokensDto> {
    const presented = body.refreshToken ?? readCookie(req, REFRESH_COOKIE);
    if (presented === undefined) throw new UnauthorizedException('No refresh token (cookie or body)');
    try {
      const session = await this.sessions.refresh(presented);
      this.cookies.set(req, res, session);
      const expiresIn = Math.round((session.accessTokenExpiresAt.getTime() - Date.now()) / 1000);
      return {
        accessToken: session.accessToken,
        tokenType: 'Bearer',
        expiresIn,
        ...(body.refreshToken === undefined ? {} : { refreshToken: session.refreshToken }),
      };
    } catch (error) {
      if (error instanceof UnauthorizedException) this.cookies.clear(req, res);
      throw error;
    }
  }

  @Post('logout')
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
  @ApiParam({ name: 'provider', enum: ['google', 'github'] })
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
  @ApiParam({ name: 'provider', enum: ['google', 'github'] })
  @ApiFoundResponse({ description: 'To returnTo, or to the front end with `?error=<code>`' })
  @ApiProblemResponses(404, 503)
  async callback(@Param('provider') provider: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const target = await this.login.complete(provider, req, res);
    if (!res.headersSent) res.redirect(302, target);
  }
}

function userOf(principal: Principal): UserPrincipal {
  if (principal.kind !== 'user') throw new ForbiddenException('This route is for signed-in users, not API keys');
  return principal;
}
