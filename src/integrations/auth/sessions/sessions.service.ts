import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, UnauthorizedException } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { InjectRepository } from '@nestjs/typeorm';
import type { Request } from 'express';
import { IsNull, LessThan, Repository } from 'typeorm';
import { authConfig } from '../../../config/auth.config';
import { uuidv7 } from '../../../core/database/ids';
import type { UserPrincipal } from '../../../core/security/principal';
import type { SessionVerifier } from '../../../core/security/session-verifier.port';
import { RefreshTokenEntity } from '../entities/refresh-token.entity';
import { SessionEntity } from '../entities/session.entity';
import { UserEntity } from '../entities/user.entity';
import { AuthSecrets } from './auth-secrets';
import { ACCESS_COOKIE, readCookie } from './session-cookies';

export interface IssuedSession {
  readonly sessionId: string;
  readonly accessToken: string;
  readonly accessTokenExpiresAt: Date;
  readonly refreshToken: string;
  readonly refreshTokenExpiresAt: Date;
}

interface AccessClaims {
  readonly sub: string;
  readonly sid: string;
  readonly email?: string;
}

/** Three base64url segments starting with `{"` encoded (`eyJ`): a JWT, never an API key (`pk_…`). */
const JWT_SHAPE = /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * User sessions: a short-lived HS256 access token (`sub` = user, `sid` =
 * session) and an opaque refresh token stored only as a hash. Refreshing
 * uses a token up and issues the next one; presenting a used token again
 * means it was copied, so the whole session (every token of the family) is
 * revoked. Access tokens of a revoked session stop working at once.
 */
@Injectable()
export class SessionsService implements SessionVerifier {
  private readonly logger = new Logger(SessionsService.name);

  constructor(
    @InjectRepository(SessionEntity) private readonly sessions: Repository<SessionEntity>,
    @InjectRepository(RefreshTokenEntity) private readonly refreshTokens: Repository<RefreshTokenEntity>,
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
    private readonly secrets: AuthSecrets,
    private readonly jwt: JwtService,
  ) {}

  /** Starts a session for a user who has just signed in. */
  async start(user: UserEntity, provider: string): Promise<IssuedSession> {
    // Housekeeping on sign-in (rare enough): refresh tokens past their expiry are useless.
    await this.refreshTokens.delete({ expiresAt: LessThan(new Date()) });
    const session: SessionEntity = await this.sessions.save(
      this.sessions.create({ id: uuidv7(), userId: user.id, provider, revokedAt: null, revokedReason: null }),
    );
    return this.issue(session, user);
  }

  /**
   * Exchanges a refresh token for a new access token and a new refresh token.
   * @throws UnauthorizedException when the token is unknown, expired, revoked, or already used (the session is then revoked).
   */
  async refresh(presented: string): Promise<IssuedSession> {
    const row = await this.refreshTokens.findOne({ where: { tokenHash: hashToken(presented) } });
    if (row === null) throw new UnauthorizedException('The refresh token is not valid');
    const session = await this.sessions.findOne({ where: { id: row.sessionId } });
    if (session === null || session.revokedAt !== null)
      throw new UnauthorizedException('The session has ended; sign in again');
    if (row.usedAt !== null) return this.reused(session);
    if (row.expiresAt.getTime() <= Date.now())
      throw new UnauthorizedException('The refresh token has expired; sign in again');
    // Conditional update: of two concurrent uses of one token only one wins; the other is a reuse.
    const claimed = await this.refreshTokens.update({ id: row.id, usedAt: IsNull() }, { usedAt: new Date() });
    if (claimed.affected !== 1) return this.reused(session);
    const user = await this.users.findOne({ where: { id: session.userId } });
    if (user === null) throw new UnauthorizedException('The session has ended; sign in again');
    return this.issue(session, user);
  }

  /** Ends a session: its refresh tokens stop working and so do its access tokens. */
  async revoke(sessionId: string, reason: 'logout' | 'refresh_reuse'): Promise<void> {
    await this.sessions.update(
      { id: sessionId, revokedAt: IsNull() },
      { revokedAt: new Date(), revokedReason: reason },
    );
  }

  /** The session a refresh token belongs to, if the token is known. */
  async sessionOfRefreshToken(presented: string): Promise<string | undefined> {
    const row = await this.refreshTokens.findOne({ where: { tokenHash: hashToken(presented) } });
    return row?.sessionId;
  }

  looksLikeSessionToken(value: string): boolean {
    return JWT_SHAPE.test(value);
  }

  tokenFromCookie(req: Request): string | undefined {
    return readCookie(req, ACCESS_COOKIE);
  }

  async verify(token: string): Promise<UserPrincipal | null> {
    let claims: AccessClaims & { readonly exp?: unknown };
    try {
      claims = await this.jwt.verifyAsync<AccessClaims & object>(token, {
        secret: this.secrets.jwtSecret,
        algorithms: ['HS256'],
        issuer: this.config.jwtIssuer,
        audience: this.config.jwtAudience,
      });
    } catch {
      return null;
    }
    // jsonwebtoken accepts a token without `exp` as never expiring; ours always carry one.
    if (typeof claims.sub !== 'string' || typeof claims.sid !== 'string' || typeof claims.exp !== 'number') return null;
    const session = await this.sessions.findOne({ where: { id: claims.sid, userId: claims.sub } });
    if (session === null || session.revokedAt !== null) return null;
    return { kind: 'user', id: claims.sub, email: claims.email, admin: false, sessionId: claims.sid };
  }

  private async reused(session: SessionEntity): Promise<never> {
    this.logger.warn({ sessionId: session.id, userId: session.userId }, 'Refresh token reused: session revoked');
    await this.revoke(session.id, 'refresh_reuse');
    throw new UnauthorizedException('The refresh token was already used; the session has been ended, sign in again');
  }

  private async issue(session: SessionEntity, user: UserEntity): Promise<IssuedSession> {
    const now = Date.now();
    const claims: AccessClaims = {
      sub: user.id,
      sid: session.id,
      ...(user.email === null ? {} : { email: user.email }),
    };
    const accessToken = await this.jwt.signAsync(claims, {
      secret: this.secrets.jwtSecret,
      algorithm: 'HS256',
      expiresIn: this.config.accessTokenTtlSeconds,
      issuer: this.config.jwtIssuer,
      audience: this.config.jwtAudience,
      jwtid: uuidv7(),
    });
    const refreshToken = `rt_${randomBytes(32).toString('base64url')}`;
    const refreshTokenExpiresAt = new Date(now + this.config.refreshTokenTtlSeconds * 1000);
    await this.refreshTokens.insert({
      id: uuidv7(),
      sessionId: session.id,
      tokenHash: hashToken(refreshToken),
      expiresAt: refreshTokenExpiresAt,
      usedAt: null,
    });
    return {
      sessionId: session.id,
      accessToken,
      accessTokenExpiresAt: new Date(now + this.config.accessTokenTtlSeconds * 1000),
      refreshToken,
      refreshTokenExpiresAt,
    };
  }
}

function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
