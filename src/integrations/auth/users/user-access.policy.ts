import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { authConfig } from '../../../config/auth.config';
import { type Scope, normalizeScopes } from '../../../core/security/scopes';

/** The parts of a person that decide access: only a verified address counts. */
export interface VerifiedAddress {
  readonly email: string | null;
  readonly emailVerified: boolean;
}

/**
 * Who may become a user (`AUTH_SIGNUP`, `AUTH_ALLOWED_EMAIL_DOMAINS`,
 * `AUTH_ALLOWED_EMAILS`) and what a signed-in user may do
 * (`AUTH_USER_SCOPES`, plus `admin` for `AUTH_ADMIN_EMAILS`). Addresses are
 * trusted only when the provider verified them, so nobody gets in or gets
 * admin by typing someone else's address into a provider profile.
 */
@Injectable()
export class UserAccessPolicy {
  constructor(@Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>) {}

  /** True when a person without an account may become a user. */
  maySignUp(person: VerifiedAddress): boolean {
    switch (this.config.signup) {
      case 'open':
        return true;
      case 'closed':
        return false;
      case 'allowlist': {
        const email = verified(person);
        if (email === null) return false;
        const domain = email.slice(email.lastIndexOf('@') + 1);
        return this.config.allowedEmails.includes(email) || this.config.allowedEmailDomains.includes(domain);
      }
    }
  }

  /** The scopes of a signed-in user. */
  scopesOf(person: VerifiedAddress): Scope[] {
    const email = verified(person);
    const admin = email !== null && this.config.adminEmails.includes(email);
    return normalizeScopes(admin ? [...this.config.userScopes, 'admin'] : this.config.userScopes);
  }
}

function verified(person: VerifiedAddress): string | null {
  return person.email !== null && person.emailVerified ? person.email.toLowerCase() : null;
}
