import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * One sign-in: the family of refresh tokens rotated from it. Access tokens
 * carry its id (`sid`), so revoking the session ends them too.
 */
@Entity({ name: 'auth_sessions' })
export class SessionEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @Column({ type: 'varchar', length: 32, nullable: true })
  provider!: string | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @Column({ name: 'revoked_at', type: Date, nullable: true })
  revokedAt!: Date | null;

  /** `logout`, `refresh_reuse` or `user_disabled`. */
  @Column({ name: 'revoked_reason', type: 'varchar', length: 32, nullable: true })
  revokedReason!: string | null;
}
