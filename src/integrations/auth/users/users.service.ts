import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, IsNull, Repository } from 'typeorm';
import { uuidv7 } from '../../../core/database/ids';
import { TransactionRunner } from '../../../core/database/transaction-runner';
import { type Page, type PageRequest, keysetPage } from '../../../core/http/pagination';
import { type IdentityStatus, OAuthAccountEntity } from '../entities/oauth-account.entity';
import { type IdentityConfig, identityConfig } from '../oidc/oidc.config';
import { UserEntity } from '../entities/user.entity';
import { AuthSecrets } from '../sessions/auth-secrets';
import type { OAuthIdentity } from './oauth-identity';
import { tokenAad } from './token-aad';
import { UserAccessPolicy } from './user-access.policy';

/** The sign-up policy refused a new user (AUTH_SIGNUP); nothing was stored. */
export class SignupNotAllowedError extends Error {
  constructor() {
    super('Sign-up is not allowed for this account (AUTH_SIGNUP)');
    this.name = 'SignupNotAllowedError';
  }
}

/** An admin disabled this user; sign-in is refused. */
export class UserDisabledError extends Error {
  constructor() {
    super('This user has been disabled');
    this.name = 'UserDisabledError';
  }
}

/** `/auth/:provider/link`: the identity already belongs to another user. */
export class IdentityInUseError extends Error {
  constructor(provider: string) {
    super(`This ${provider} identity is linked to another user`);
    this.name = 'IdentityInUseError';
  }
}

/** One linked identity, as `/auth/identities` lists it. */
export interface LinkedIdentity {
  readonly id: string;
  readonly provider: string;
  readonly email: string | null;
  readonly emailVerified: boolean;
  readonly status: IdentityStatus;
  readonly createdAt: Date;
}

/** What an unlink removed: the decrypted tokens, for revocation at the provider. */
export interface UnlinkedIdentity {
  readonly provider: string;
  readonly accessToken: string | null;
  readonly refreshToken: string | null;
}

/**
 * Finds or creates the user behind a provider identity. A new provider
 * identity joins an existing user only through an address both sides
 * consider verified; anything else becomes a new user, so nobody can take
 * over an account by registering someone's address unverified elsewhere.
 * New users are subject to the sign-up policy; disabled users cannot sign in.
 */
@Injectable()
export class UsersService {
  constructor(
    private readonly transactions: TransactionRunner,
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    @InjectRepository(OAuthAccountEntity) private readonly accounts: Repository<OAuthAccountEntity>,
    private readonly secrets: AuthSecrets,
    private readonly access: UserAccessPolicy,
    @Inject(identityConfig.KEY) private readonly identity: IdentityConfig,
  ) {}

  /**
   * @throws SignupNotAllowedError when the identity would create a user the policy refuses (nothing stored).
   * @throws UserDisabledError when the user it belongs to is disabled.
   */
  async signIn(identity: OAuthIdentity): Promise<UserEntity> {
    return this.transactions.run(async (manager) => {
      const accounts = manager.getRepository(OAuthAccountEntity);
      const users = manager.getRepository(UserEntity);
      const account = await accounts.findOne({
        where: { provider: identity.provider, providerUserId: identity.providerUserId },
      });
      if (account !== null) {
        const { refreshToken, ...fields } = this.accountFields(identity);
        // Google sends a refresh token only on consent: keep the stored one otherwise.
        const update = { ...fields, status: 'active' as const };
        await accounts.update({ id: account.id }, refreshToken === null ? update : { ...update, refreshToken });
        const user = await users.findOneOrFail({ where: { id: account.userId } });
        if (user.disabledAt !== null) throw new UserDisabledError();
        return this.refreshProfile(manager, user, identity);
      }
      const linkable = await this.linkableUser(manager, identity);
      if (linkable !== null && linkable.disabledAt !== null) throw new UserDisabledError();
      if (linkable === null && !this.access.maySignUp(identity)) throw new SignupNotAllowedError();
      const user = linkable ?? (await this.createUser(manager, identity));
      await accounts.insert({
        id: uuidv7(),
        userId: user.id,
        provider: identity.provider,
        providerUserId: identity.providerUserId,
        ...this.accountFields(identity),
      });
      return user;
    });
  }

  /**
   * Attaches a provider identity to a signed-in user (`/auth/:provider/link`).
   * Linking it again to the same user refreshes its tokens.
   * @throws IdentityInUseError when the identity belongs to another user.
   */
  async link(userId: string, identity: OAuthIdentity): Promise<void> {
    await this.transactions.run(async (manager) => {
      const accounts = manager.getRepository(OAuthAccountEntity);
      const account = await accounts.findOne({
        where: { provider: identity.provider, providerUserId: identity.providerUserId },
      });
      if (account !== null && account.userId !== userId) throw new IdentityInUseError(identity.provider);
      const user = await manager.getRepository(UserEntity).findOne({ where: { id: userId } });
      if (user === null || user.disabledAt !== null) throw new UserDisabledError();
      if (account !== null) {
        const { refreshToken, ...fields } = this.accountFields(identity);
        const update = { ...fields, status: 'active' as const };
        await accounts.update({ id: account.id }, refreshToken === null ? update : { ...update, refreshToken });
        return;
      }
      await accounts.insert({
        id: uuidv7(),
        userId,
        provider: identity.provider,
        providerUserId: identity.providerUserId,
        ...this.accountFields(identity),
      });
    });
  }

  /** The identities linked to a user, oldest first. */
  async identities(userId: string): Promise<LinkedIdentity[]> {
    const rows = await this.accounts.find({ where: { userId }, order: { createdAt: 'ASC', id: 'ASC' } });
    return rows.map((row) => ({
      id: row.id,
      provider: row.provider,
      email: row.email,
      emailVerified: row.emailVerified,
      status: row.status,
      createdAt: row.createdAt,
    }));
  }

  /**
   * Removes one of the user's identities and hands back its tokens (for
   * revocation). The last identity stays: without it nobody could sign in.
   * @throws NotFoundException when the user has no identity with this id.
   * @throws ConflictException (409) for the user's last identity.
   */
  async unlink(userId: string, id: string): Promise<UnlinkedIdentity> {
    return this.transactions.run(async (manager) => {
      const accounts = manager.getRepository(OAuthAccountEntity);
      const mine = await accounts.find({ where: { userId }, lock: this.lockFor(manager) });
      const account = mine.find((row) => row.id === id);
      if (account === undefined) throw new NotFoundException('There is no such identity on this account');
      if (mine.length === 1)
        throw new ConflictException('This is the only way to sign in to this account: link another provider first');
      await accounts.delete({ id: account.id });
      const aad = tokenAad(account.provider, account.providerUserId);
      return {
        provider: account.provider,
        accessToken:
          account.accessToken === null ? null : this.secrets.tokenBox.open(account.accessToken, `access:${aad}`),
        refreshToken:
          account.refreshToken === null ? null : this.secrets.tokenBox.open(account.refreshToken, `refresh:${aad}`),
      };
    });
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.users.findOne({ where: { id } });
  }

  /** Users, newest first, one page at a time (`core/http/pagination`). */
  page(request: PageRequest): Promise<Page<UserEntity>> {
    return keysetPage(this.users.createQueryBuilder('u'), request, { list: 'users' });
  }

  /**
   * Marks a user disabled (idempotent). Their requests are refused from now
   * on (the session check reads this flag); the caller ends their sessions.
   * @returns the user, or null when there is none with this id.
   */
  async disable(id: string): Promise<UserEntity | null> {
    await this.users.update({ id, disabledAt: IsNull() }, { disabledAt: new Date() });
    return this.findById(id);
  }

  /** Providers linked to a user. */
  async providersOf(userId: string): Promise<string[]> {
    const rows = await this.accounts.find({
      where: { userId },
      select: { provider: true },
      order: { provider: 'ASC' },
    });
    return rows.map((row) => row.provider);
  }

  /** The stored provider tokens, decrypted (for calls made on the user's behalf). */
  async providerTokens(
    userId: string,
    provider: string,
  ): Promise<{ accessToken: string | null; refreshToken: string | null } | null> {
    const account = await this.accounts.findOne({ where: { userId, provider } });
    if (account === null) return null;
    const aad = tokenAad(account.provider, account.providerUserId);
    return {
      accessToken:
        account.accessToken === null ? null : this.secrets.tokenBox.open(account.accessToken, `access:${aad}`),
      refreshToken:
        account.refreshToken === null ? null : this.secrets.tokenBox.open(account.refreshToken, `refresh:${aad}`),
    };
  }

  /** Two concurrent unlinks of a user's last two identities must not both succeed: lock the rows on PostgreSQL. */
  private lockFor(manager: EntityManager): { mode: 'pessimistic_write' } | undefined {
    return manager.connection.options.type === 'postgres' ? { mode: 'pessimistic_write' } : undefined;
  }

  private async linkableUser(manager: EntityManager, identity: OAuthIdentity): Promise<UserEntity | null> {
    if (!this.identity.linkByVerifiedEmail || identity.email === null || !identity.emailVerified) return null;
    return manager
      .getRepository(UserEntity)
      .findOne({ where: { email: identity.email, emailVerified: true }, order: { id: 'ASC' } });
  }

  private async createUser(manager: EntityManager, identity: OAuthIdentity): Promise<UserEntity> {
    const user = manager.getRepository(UserEntity).create({
      id: uuidv7(),
      email: identity.email,
      emailVerified: identity.email !== null && identity.emailVerified,
      name: identity.name,
      avatarUrl: identity.avatarUrl,
    });
    return manager.getRepository(UserEntity).save(user);
  }

  private async refreshProfile(manager: EntityManager, user: UserEntity, identity: OAuthIdentity): Promise<UserEntity> {
    const changes: Partial<UserEntity> = {};
    if (identity.name !== null && identity.name !== user.name) changes.name = identity.name;
    if (identity.avatarUrl !== null && identity.avatarUrl !== user.avatarUrl) changes.avatarUrl = identity.avatarUrl;
    // The address is only adopted when the user has none, or when it becomes verified for the same address.
    if (
      identity.email !== null &&
      (user.email === null || (user.email === identity.email && identity.emailVerified && !user.emailVerified))
    ) {
      changes.email = identity.email;
      changes.emailVerified = identity.emailVerified;
    }
    if (Object.keys(changes).length === 0) return user;
    await manager.getRepository(UserEntity).update({ id: user.id }, changes);
    return { ...user, ...changes };
  }

  private accountFields(
    identity: OAuthIdentity,
  ): Pick<
    OAuthAccountEntity,
    'email' | 'emailVerified' | 'scopes' | 'accessToken' | 'refreshToken' | 'tokenExpiresAt'
  > {
    const aad = tokenAad(identity.provider, identity.providerUserId);
    return {
      email: identity.email,
      emailVerified: identity.emailVerified,
      scopes: identity.scopes.slice(0, 1000),
      accessToken: this.secrets.tokenBox.seal(identity.accessToken, `access:${aad}`),
      refreshToken:
        identity.refreshToken === null ? null : this.secrets.tokenBox.seal(identity.refreshToken, `refresh:${aad}`),
      tokenExpiresAt:
        identity.expiresInSeconds === null ? null : new Date(Date.now() + identity.expiresInSeconds * 1000),
    };
  }
}
