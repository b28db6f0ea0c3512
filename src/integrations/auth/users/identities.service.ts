import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { uuidv7 } from '../../../core/database/ids';
import { TransactionRunner } from '../../../core/database/transaction-runner';
import { type IdentityStatus, OAuthAccountEntity } from '../entities/oauth-account.entity';
import { UserEntity } from '../entities/user.entity';
import { AuthSecrets } from '../sessions/auth-secrets';
import { accountFields, refreshedAccountFields } from './account-fields';
import type { OAuthIdentity } from './oauth-identity';
import { tokenAad } from './token-aad';
import { UserDisabledError } from './users.service';

/** `/auth/:provider/link`: the identity already belongs to another user. */
export class IdentityInUseError extends Error {
  constructor(provider: string) {
    super(`This ${provider} identity is linked to another user`);
    this.name = 'IdentityInUseError';
  }
}

/** `/auth/:provider/link`: the user already has another identity at this provider (one per provider). */
export class ProviderAlreadyLinkedError extends Error {
  constructor(provider: string) {
    super(`This user already has a ${provider} identity; unlink it first`);
    this.name = 'ProviderAlreadyLinkedError';
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

/** A signed-in user's provider identities: explicit linking, listing and unlinking. */
@Injectable()
export class IdentitiesService {
  constructor(
    private readonly transactions: TransactionRunner,
    @InjectRepository(OAuthAccountEntity) private readonly accounts: Repository<OAuthAccountEntity>,
    private readonly secrets: AuthSecrets,
  ) {}

  /**
   * Attaches a provider identity to a signed-in user (`/auth/:provider/link`).
   * Linking it again to the same user refreshes its tokens.
   * @throws IdentityInUseError when the identity belongs to another user.
   * @throws ProviderAlreadyLinkedError when the user has another identity at this provider.
   * @throws UserDisabledError when the user is gone or disabled.
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
        await accounts.update({ id: account.id }, refreshedAccountFields(this.secrets, identity));
        return;
      }
      // One identity per provider: calls on the user's behalf (ProviderTokens) must know which one to use.
      if ((await accounts.count({ where: { userId, provider: identity.provider } })) > 0)
        throw new ProviderAlreadyLinkedError(identity.provider);
      await accounts.insert({
        id: uuidv7(),
        userId,
        provider: identity.provider,
        providerUserId: identity.providerUserId,
        ...accountFields(this.secrets, identity),
      });
    });
  }

  /** The identities linked to a user, oldest first. */
  async list(userId: string): Promise<LinkedIdentity[]> {
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
      const mine = await accounts.find({ where: { userId }, lock: lockFor(manager) });
      const account = mine.find((row) => row.id === id);
      if (account === undefined) throw new NotFoundException('There is no such identity on this account');
      if (mine.length === 1)
        throw new ConflictException('This is the only way to sign in to this account: link another provider first');
      await accounts.delete({ id: account.id });
      const aad = tokenAad(account.provider, account.providerUserId);
      const open = (sealed: string | null, kind: string): string | null =>
        sealed === null ? null : this.secrets.tokenBox.open(sealed, `${kind}:${aad}`);
      return {
        provider: account.provider,
        accessToken: open(account.accessToken, 'access'),
        refreshToken: open(account.refreshToken, 'refresh'),
      };
    });
  }
}

/**
 * Two concurrent unlinks of a user's last two identities must not both
 * succeed: PostgreSQL locks the user's rows; SQLite runs one write
 * transaction at a time anyway.
 */
function lockFor(manager: EntityManager): { mode: 'pessimistic_write' } | undefined {
  return manager.connection.options.type === 'postgres' ? { mode: 'pessimistic_write' } : undefined;
}
