import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A login `state` sent to a provider and not used yet. The callback deletes
 * the row; only the request whose delete removed it may continue, so a
 * state is used once across every instance.
 */
@Entity({ name: 'oauth_login_states' })
export class LoginStateEntity {
  @PrimaryColumn({ name: 'state_hash', type: 'varchar', length: 64 })
  stateHash!: string;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;

  /** The state cookie's expiry; older rows are deleted. */
  @Column({ name: 'expires_at', type: Date })
  expiresAt!: Date;
}
