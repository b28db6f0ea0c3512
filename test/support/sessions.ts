import type { INestApplication } from '@nestjs/common';
import { type IssuedSession, SessionsService } from '../../src/integrations/auth/sessions/sessions.service';
import { UsersService } from '../../src/integrations/auth/users/users.service';

/**
 * Signs a user in without a browser: the same `UsersService.signIn` and
 * `SessionsService.start` the OAuth callback runs, for tests and benches
 * that need a session cookie or Bearer token quickly.
 */
export async function mintUserSession(app: INestApplication, email: string): Promise<IssuedSession> {
  const user = await app.get(UsersService).signIn({
    provider: 'google',
    providerUserId: `g-${email}`,
    email,
    emailVerified: true,
    name: email,
    avatarUrl: null,
    scopes: 'openid email',
    accessToken: 'provider-access-token',
    refreshToken: null,
    expiresInSeconds: 3600,
  });
  return app.get(SessionsService).start(user, 'google');
}

/** The `Cookie` header a browser holding this session sends. */
export function sessionCookie(session: IssuedSession): string {
  return `portico_session=${session.accessToken}`;
}
