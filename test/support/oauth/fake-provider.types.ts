export interface FakeUser {
  /** Google `sub` / GitHub numeric id (as a string). */
  readonly id: string;
  readonly login?: string;
  readonly name: string;
  /** Google: the account's address. GitHub: the primary address (see `emails`). */
  readonly email: string | null;
  readonly emailVerified: boolean;
  /** GitHub: the address shown on `/user` (null = private). */
  readonly publicEmail?: string | null;
  /** GitHub: the list `/user/emails` answers (default: `email` as primary). */
  /** The profile endpoint answers 503 for this user (provider outage). */
  readonly profileDown?: boolean;
  readonly emails?: ReadonlyArray<{ email: string; primary: boolean; verified: boolean; visibility: string | null }>;
}

export interface FakeClient {
  readonly id: string;
  readonly secret: string;
  /** Matched exactly. */
  readonly redirectUris: readonly string[];
}

export interface FakeProviderConfig {
  readonly flavor: 'google' | 'github';
  readonly clients: readonly FakeClient[];
  readonly users: readonly FakeUser[];
}

export interface ProviderEvent {
  readonly type: 'authorize' | 'consent' | 'token' | 'refresh' | 'revoke' | 'userinfo';
  readonly ok: boolean;
  readonly error?: string;
  readonly [detail: string]: unknown;
}
