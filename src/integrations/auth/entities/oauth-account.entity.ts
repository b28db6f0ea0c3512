import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type IdentityStatus = 'active' | 'reconnect_required';

/** One provider identity (Google `sub`, GitHub id) linked to a user. */
@Entity({ name: 'oauth_accounts' })
export class OAuthAccountEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @Column({ type: 'varchar', length: 32 })
  provider!: string;

  @Column({ name: 'provider_user_id', type: 'varchar', length: 255 })
  providerUserId!: string;

  @Column({ type: 'varchar', length: 320, nullable: true })
  email!: string | null;

  @Column({ name: 'email_verified', type: 'boolean', default: false })
  emailVerified!: boolean;

  /** Space-separated scopes the provider granted. */
  @Column({ type: 'varchar', length: 1000, default: '' })
  scopes!: string;

  /** AES-256-GCM ciphertext of the provider access token. */
  @Column({ name: 'access_token', type: 'text', nullable: true })
  accessToken!: string | null;

  /** AES-256-GCM ciphertext of the provider refresh token (Google offline access). */
  @Column({ name: 'refresh_token', type: 'text', nullable: true })
  refreshToken!: string | null;

  @Column({ name: 'token_expires_at', type: Date, nullable: true })
  tokenExpiresAt!: Date | null;

  /** `active`, or `reconnect_required` once the provider refused the refresh token (`invalid_grant`). */
  @Column({ type: 'varchar', length: 32, default: 'active' })
  status!: IdentityStatus;

  /** While set and in the future, one instance is refreshing this identity's token. */
  @Column({ name: 'refresh_lease_until', type: Date, nullable: true })
  refreshLeaseUntil!: Date | null;

  @Column({ name: 'refresh_lease_owner', type: 'varchar', length: 64, nullable: true })
  refreshLeaseOwner!: string | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
