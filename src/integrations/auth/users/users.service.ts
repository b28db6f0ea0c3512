import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, IsNull, Repository } from 'typeorm';
import { uuidv7 } from '../../../core/database/ids';
import { TransactionRunner } from '../../../core/database/transaction-runner';
import { type Page, type PageRequest, keysetPage } from '../../../core/http/pagination';
import { OAuthAccountEntity } from '../entities/oauth-account.entity';
import { type IdentityConfig, identityConfig } from '../oidc/oidc.config';
import { UserEntity } from '../entities/user.entity';
import { AuthSecrets } from '../sessions/auth-secrets';
import type { OAuthIdentity } from './oauth-identity';
import { accountFields, refreshedAccountFields } from './account-fields';
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
        // A new sign-in also reconnects an identity whose refresh token had died.
        await accounts.update({ id: account.id }, refreshedAccountFields(this.secrets, identity));
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
        ...accountFields(this.secrets, identity),
      });
      return user;
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
}
