import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { ProviderUnavailableError } from '../../../core/errors/integration.error';
import { SqlDialect } from '../../../core/database/sql-dialect';
import { TransactionRunner } from '../../../core/database/transaction-runner';
import { DurableEvents } from '../../../core/durable/durable-events';
import { OAuthAccountEntity } from '../entities/oauth-account.entity';
import { OAuthProviders } from '../oauth/oauth-providers';
import { InvalidGrantError } from '../oidc/oidc-issuer.client';
import { AuthSecrets } from '../sessions/auth-secrets';
import { tokenAad } from '../users/token-aad';
import { ProblemException } from '../../../core/errors/problem.exception';

/** Durable event recorded when a provider refuses an identity's refresh token for good. */
export const IDENTITY_RECONNECT_REQUIRED = 'identity.reconnect_required';

export interface IdentityReconnectRequired {
  readonly identityId: string;
  readonly userId: string;
  readonly provider: string;
}

/** A token this long before its expiry is refreshed instead of handed out. */
const REFRESH_MARGIN_MS = 60_000;
/** How long one instance may hold an identity's refresh (the call's own timeouts are shorter). */
const LEASE_MS = 30_000;
/** Waiting for another instance's refresh: checks every 100 ms, then gives up after the lease. */
const WAIT_STEP_MS = 100;

/** The user has no identity at this provider. */
/** A 409 problem wherever it surfaces: the user can fix it by linking the identity. */
export class IdentityNotLinkedError extends ProblemException {
  constructor(readonly provider: string) {
    super(409, `No ${provider} identity is linked to this user: link one with GET /auth/${provider}/link`, {
      slug: 'identity-not-linked',
      title: `${provider} not linked`,
    });
    this.name = 'IdentityNotLinkedError';
  }
}

/** The provider no longer honours this identity's tokens: the user must sign in with it again. */
export class ReconnectRequiredError extends ProblemException {
  constructor(readonly provider: string) {
    super(409, `The ${provider} identity must be reconnected (sign in with ${provider} again)`, {
      slug: 'reconnect-required',
      title: 'Reconnect required',
    });
    this.name = 'ReconnectRequiredError';
  }
}

/**
 * Provider access tokens for calls made on a user's behalf. A token close to
 * expiry is refreshed with the stored (encrypted) refresh token; one instance
 * at a time refreshes an identity (a lease on its row, taken with one
 * conditional UPDATE, so it works on SQLite and PostgreSQL alike), the others
 * wait for and reuse its result. A refresh token the provider refuses
 * (`invalid_grant`) marks the identity `reconnect_required` and records the
 * durable `identity.reconnect_required` event in the same transaction.
 */
@Injectable()
export class ProviderTokens {
  private readonly logger = new Logger(ProviderTokens.name);
  /** This instance, as lease owner. */
  private readonly owner = randomUUID();
  private readonly dialect: SqlDialect;

  constructor(
    dataSource: DataSource,
    @InjectRepository(OAuthAccountEntity) private readonly accounts: Repository<OAuthAccountEntity>,
    private readonly transactions: TransactionRunner,
    private readonly secrets: AuthSecrets,
    private readonly providers: OAuthProviders,
    private readonly events: DurableEvents,
  ) {
    this.dialect = new SqlDialect(dataSource);
  }

  /**
   * A valid access token of the user's `provider` identity, refreshed first when it expires within a minute.
   * @throws IdentityNotLinkedError, ReconnectRequiredError, or the provider's IntegrationError.
   */
  async getAccessToken(userId: string, provider: string): Promise<string> {
    const deadline = Date.now() + LEASE_MS;
    // Once another instance refreshed for us, its token is taken as long as it has not expired.
    let margin = REFRESH_MARGIN_MS;
    for (;;) {
      const account = await this.accounts.findOne({ where: { userId, provider } });
      if (account === null) throw new IdentityNotLinkedError(provider);
      const usable = this.usable(account, margin);
      if (usable !== null) return usable;
      const refresh = this.open(account.refreshToken, `refresh:${tokenAad(account.provider, account.providerUserId)}`);
      if (refresh === null || this.providers.get(provider)?.oidc === undefined) {
        // Nothing to refresh with: the token is good until it expires, then only a new sign-in helps.
        const current = this.usable(account, 0);
        if (current !== null) return current;
        throw new ReconnectRequiredError(provider);
      }
      if (await this.lease(account.id)) {
        try {
          // Another instance may have refreshed between our read and our lease.
          const latest = await this.accounts.findOneOrFail({ where: { id: account.id } });
          if (latest.accessToken !== account.accessToken) {
            const theirs = this.usable(latest, 0);
            if (theirs !== null) return theirs;
          }
          return await this.refresh(latest, refresh);
        } finally {
          await this.release(account.id);
        }
      }
      if (Date.now() > deadline)
        throw new ProviderUnavailableError(`Another instance is still refreshing the ${provider} token`, {
          provider,
          operation: 'token.refresh',
        });
      margin = 0;
      await delay(WAIT_STEP_MS);
    }
  }

  /** The stored access token when it is valid for `marginMs` more (or has no known expiry). */
  private usable(account: OAuthAccountEntity, marginMs: number): string | null {
    if (account.status === 'reconnect_required') throw new ReconnectRequiredError(account.provider);
    const access = this.open(account.accessToken, `access:${tokenAad(account.provider, account.providerUserId)}`);
    const expiresAt = account.tokenExpiresAt?.getTime();
    if (access === null) return null;
    return expiresAt === undefined || expiresAt - marginMs > Date.now() ? access : null;
  }

  private async refresh(account: OAuthAccountEntity, staleRefreshToken: string): Promise<string> {
    const aadOf = tokenAad(account.provider, account.providerUserId);
    // The row as re-read under the lease: a rotated refresh token replaces the one read before.
    const refreshToken = this.open(account.refreshToken, `refresh:${aadOf}`) ?? staleRefreshToken;
    const client = this.providers.get(account.provider)?.oidc;
    if (client === undefined) throw new ReconnectRequiredError(account.provider);
    const aad = tokenAad(account.provider, account.providerUserId);
    try {
      const tokens = await client.refresh(refreshToken);
      const expiresIn = tokens.expiresIn();
      await this.accounts.update(
        { id: account.id },
        {
          accessToken: this.secrets.tokenBox.seal(tokens.access_token, `access:${aad}`),
          // Issuers that rotate refresh tokens send a new one; the others keep the old one valid.
          ...(tokens.refresh_token === undefined
            ? {}
            : { refreshToken: this.secrets.tokenBox.seal(tokens.refresh_token, `refresh:${aad}`) }),
          tokenExpiresAt: expiresIn === undefined ? null : new Date(Date.now() + expiresIn * 1000),
        },
      );
      return tokens.access_token;
    } catch (error) {
      if (!(error instanceof InvalidGrantError)) throw error;
      await this.markReconnectRequired(account);
      throw new ReconnectRequiredError(account.provider);
    }
  }

  private async markReconnectRequired(account: OAuthAccountEntity): Promise<void> {
    await this.transactions.run(async (manager) => {
      const result = await this.dialect.execute(
        manager,
        `UPDATE oauth_accounts SET status = 'reconnect_required' WHERE id = ? AND status = 'active'`,
        [account.id],
      );
      // Only the instance that changed the state records the event (once per refusal).
      if (result.affected !== 1) return;
      const payload: IdentityReconnectRequired = {
        identityId: account.id,
        userId: account.userId,
        provider: account.provider,
      };
      await this.events.publish(manager, IDENTITY_RECONNECT_REQUIRED, `${account.id}:${Date.now()}`, payload);
      this.transactions.afterCommit(() => this.events.kick());
    });
    this.logger.warn(
      { provider: account.provider, identityId: account.id },
      `${account.provider} refused the refresh token: the identity needs reconnecting`,
    );
  }

  /** Takes the identity's refresh lease when nobody holds it (or its holder's lease ran out). */
  private async lease(id: string): Promise<boolean> {
    const now = new Date();
    const result = await this.transactions.write((manager) =>
      this.dialect.execute(
        manager,
        `UPDATE oauth_accounts SET refresh_lease_until = ?, refresh_lease_owner = ?
         WHERE id = ? AND (refresh_lease_until IS NULL OR refresh_lease_until < ?)`,
        [new Date(now.getTime() + LEASE_MS), this.owner, id, now],
      ),
    );
    return result.affected === 1;
  }

  private async release(id: string): Promise<void> {
    await this.transactions.write((manager) =>
      this.dialect.execute(
        manager,
        `UPDATE oauth_accounts SET refresh_lease_until = NULL, refresh_lease_owner = NULL
         WHERE id = ? AND refresh_lease_owner = ?`,
        [id, this.owner],
      ),
    );
  }

  private open(sealed: string | null, aad: string): string | null {
    return sealed === null ? null : this.secrets.tokenBox.open(sealed, aad);
  }
}
