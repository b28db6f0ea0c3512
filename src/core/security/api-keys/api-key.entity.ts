import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'api_keys' })
export class ApiKeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  name!: string;

  /** Hex SHA-256 of the key; the key itself is shown once and never stored. */
  @Column({ name: 'key_hash', type: 'varchar', length: 64 })
  keyHash!: string;

  /** Space-separated scopes; empty = created without a list (every scope but `admin`). */
  @Column({ type: 'varchar', length: 255, default: '' })
  scopes!: string;

  /** `env` (API_KEYS) or `cli` (npm run apikey:create). */
  @Column({ type: 'varchar', length: 16 })
  source!: string;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @Column({ name: 'last_used_at', type: Date, nullable: true })
  lastUsedAt!: Date | null;

  /** Null = never expires. */
  @Column({ name: 'expires_at', type: Date, nullable: true })
  expiresAt!: Date | null;

  @Column({ name: 'revoked_at', type: Date, nullable: true })
  revokedAt!: Date | null;
}
