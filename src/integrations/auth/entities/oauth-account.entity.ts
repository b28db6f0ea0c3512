import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

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

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
