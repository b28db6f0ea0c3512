import { createHash, createHmac, randomBytes } from 'node:crypto';
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
import { UserAccessPolicy } from '../users/user-access.policy';
import { AuthSecrets } from './auth-secrets';
import { ACCESS_COOKIE, readCookie } from './session-cookies';

export interface IssuedSession {
  readonly sessionId: string;
  readonly accessToken: string;
  /** `iat`: for a replay within the grace window, the first use (so both answers are the same bytes). */
  readonly accessTokenIssuedAt: Date;
  readonly accessTokenExpiresAt: Date;
  readonly refreshToken: string;
  readonly refreshTokenExpiresAt: Date;
}

export type RevokeReason = 'logout' | 'refresh_reuse' | 'user_disabled';

interface AccessClaims {
  readonly sub: string;
  readonly sid: string;
  readonly email?: string;
}

/** What the per-request session check reads: one row joining the session and its user. */
interface SessionCheckRow {
  readonly revoked_at: unknown;
  readonly disabled_at: unknown;
  readonly email: string | null;
  readonly email_verified: boolean | number | string;
}

/** Three base64url segments starting with `{"` encoded (`eyJ`): a JWT, never an API key (`pk_…`). */
const JWT_SHAPE = /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * User sessions: a short-lived HS256 access token (`sub` = user, `sid` =
 * session) and an opaque refresh token stored only as a hash. Refreshing
 * uses a token up and issues the next one; presenting a used token again
 * means it was copied, so the whole session (every token of the family) is
 * revoked — unless it comes back within `AUTH_REFRESH_REUSE_GRACE_SECONDS`
 * of its first use (a page firing parallel requests after the access token
 * expired), which gets the very pair the first use got.
 *
 * That pair is derived, not stored: the next refresh token is an HMAC of the
 * presented one (key from AUTH_JWT_SECRET), and the access token is signed
 * over fixed claims (`iat` = the moment of first use, `jti` derived the same
 * way), so every instance computes the same bytes and no token material is
 * kept at rest. Only someone holding the presented token and the server key
 * can compute its successor; outside the window the reuse rule applies as before.
 */
@Injectable()
export class SessionsService implements SessionVerifier {
  private readonly logger = new Logger(SessionsService.name);
  /** Signs and verifies with `AuthSecrets.jwtKey`; `@nestjs/jwt`'s per-call options take no KeyObject, its provider does. */
  private readonly jwt: JwtService;

  constructor(
    @InjectRepository(SessionEntity) private readonly sessions: Repository<SessionEntity>,
    @InjectRepository(RefreshTokenEntity) private readonly refreshTokens: Repository<RefreshTokenEntity>,
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
    private readonly secrets: AuthSecrets,
    private readonly access: UserAccessPolicy,
  ) {
    this.jwt = new JwtService({ secretOrKeyProvider: () => secrets.jwtKey });
  }

  /** Starts a session for a user who has just signed in. */
  async start(user: UserEntity, provider: string): Promise<IssuedSession> {
    // Housekeeping on sign-in (rare enough): refresh tokens past their expiry are useless.
    await this.refreshTokens.delete({ expiresAt: LessThan(new Date()) });
    const session: SessionEntity = await this.sessions.save(
      this.sessions.create({ id: uuidv7(), userId: user.id, provider, revokedAt: null, revokedReason: null }),
    );
    const refreshToken = `rt_${randomBytes(32).toString('base64url')}`;
    return this.issue(session, user, refreshToken, Math.floor(Date.now() / 1000), uuidv7());
  }

  /**
   * Exchanges a refresh token for a new access token and a new refresh token.
   * @throws UnauthorizedException when the token is unknown, expired, revoked, or already used outside the
   * grace window (the session is then revoked).
   */
  async refresh(presented: string): Promise<IssuedSession> {
    const row = await this.refreshTokens.findOne({ where: { tokenHash: hashToken(presented) } });
    if (row === null) throw new UnauthorizedException('The refresh token is not valid');
    const session = await this.sessions.findOne({ where: { id: row.sessionId } });
    if (session === null || session.revokedAt !== null)
      throw new UnauthorizedException('The session has ended; sign in again');
    let usedAt = row.usedAt;
    let claimed = false;
    if (usedAt === null) {
      if (row.expiresAt.getTime() <= Date.now())
        throw new UnauthorizedException('The refresh token has expired; sign in again');
      // Conditional update: of two concurrent uses of one token only one claims it; the other reads its time.
      const claimAt = new Date();
      claimed = (await this.refreshTokens.update({ id: row.id, usedAt: IsNull() }, { usedAt: claimAt })).affected === 1;
      usedAt = claimed ? claimAt : ((await this.refreshTokens.findOne({ where: { id: row.id } }))?.usedAt ?? claimAt);
    }
    if (!claimed && Date.now() - usedAt.getTime() >= this.config.refreshReuseGraceSeconds * 1000) {
      return this.reused(session);
    }
    const user = await this.users.findOne({ where: { id: session.userId } });
    if (user === null || user.disabledAt !== null)
      throw new UnauthorizedException('The session has ended; sign in again');
    return this.issue(
      session,
      user,
      this.derive('next-refresh-token', presented),
      Math.floor(usedAt.getTime() / 1000),
      this.derive('access-token-id', presented),
    );
  }

  /** Ends a session: its refresh tokens stop working and so do its access tokens. */
  async revoke(sessionId: string, reason: RevokeReason): Promise<void> {
    await this.sessions.update(
      { id: sessionId, revokedAt: IsNull() },
      { revokedAt: new Date(), revokedReason: reason },
    );
  }

  /** Ends every session of a user (an admin disabled them). */
  async revokeAllOf(userId: string, reason: RevokeReason): Promise<void> {
    await this.sessions.update({ userId, revokedAt: IsNull() }, { revokedAt: new Date(), revokedReason: reason });
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
        algorithms: ['HS256'],
        issuer: this.config.jwtIssuer,
        audience: this.config.jwtAudience,
      });
    } catch {
      return null;
    }
    // jsonwebtoken accepts a token without `exp` as never expiring; ours always carry one.
    if (typeof claims.sub !== 'string' || typeof claims.sid !== 'string' || typeof claims.exp !== 'number') return null;
    // One read per request: the session must be live and its user enabled; the address decides admin.
    const row = await this.sessions
      .createQueryBuilder('s')
      .innerJoin(UserEntity, 'u', 'u.id = s.user_id')
      .select('s.revoked_at', 'revoked_at')
      .addSelect('u.disabled_at', 'disabled_at')
      .addSelect('u.email', 'email')
      .addSelect('u.email_verified', 'email_verified')
      .where('s.id = :sid AND s.user_id = :sub', { sid: claims.sid, sub: claims.sub })
      .getRawOne<SessionCheckRow>();
    if (row === undefined || row.revoked_at !== null || row.disabled_at !== null) return null;
    const emailVerified = row.email_verified === true || Number(row.email_verified) === 1;
    const scopes = this.access.scopesOf({ email: row.email, emailVerified });
    return {
      kind: 'user',
      id: claims.sub,
      email: claims.email,
      admin: scopes.includes('admin'),
      scopes,
      sessionId: claims.sid,
    };
  }

  private async reused(session: SessionEntity): Promise<never> {
    this.logger.warn({ sessionId: session.id, userId: session.userId }, 'Refresh token reused: session revoked');
    await this.revoke(session.id, 'refresh_reuse');
    throw new UnauthorizedException('The refresh token was already used; the session has been ended, sign in again');
  }

  /**
   * Signs the access token and stores the refresh token's hash. Inserting a
   * hash that is already there (a second use within the grace window) is a
   * no-op, so both answers carry the same, single live refresh token.
   */
  private async issue(
    session: SessionEntity,
    user: UserEntity,
    refreshToken: string,
    issuedAtSeconds: number,
    jwtid: string,
  ): Promise<IssuedSession> {
    const accessExp = issuedAtSeconds + this.config.accessTokenTtlSeconds;
    const claims: AccessClaims & { iat: number; exp: number } = {
      sub: user.id,
      sid: session.id,
      ...(user.email === null ? {} : { email: user.email }),
      iat: issuedAtSeconds,
      exp: accessExp,
    };
    const accessToken = await this.jwt.signAsync(claims, {
      algorithm: 'HS256',
      issuer: this.config.jwtIssuer,
      audience: this.config.jwtAudience,
      jwtid,
    });
    const refreshTokenExpiresAt = new Date((issuedAtSeconds + this.config.refreshTokenTtlSeconds) * 1000);
    await this.refreshTokens
      .createQueryBuilder()
      .insert()
      .into(RefreshTokenEntity)
      .values({
        id: uuidv7(),
        sessionId: session.id,
        tokenHash: hashToken(refreshToken),
        expiresAt: refreshTokenExpiresAt,
        usedAt: null,
      })
      .orIgnore()
      .execute();
    return {
      sessionId: session.id,
      accessToken,
      accessTokenIssuedAt: new Date(issuedAtSeconds * 1000),
      accessTokenExpiresAt: new Date(accessExp * 1000),
      refreshToken,
      refreshTokenExpiresAt,
    };
  }

  /** A value only the holder of `presented` and the server key can compute, the same on every instance. */
  private derive(purpose: 'next-refresh-token' | 'access-token-id', presented: string): string {
    const mac = createHmac('sha256', this.secrets.rotationKey).update(`${purpose}\0${presented}`).digest('base64url');
    return purpose === 'next-refresh-token' ? `rt_${mac}` : mac.slice(0, 22);
  }
}

function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
