import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import type { SessionCookies } from '../sessions/session-cookies';
import { readCookie } from '../sessions/session-cookies';
import type { AeadBox } from '../sessions/aead-box';
import type { LoginStatesService } from './login-states.service';

/** Why a callback's state was refused; also the `error` code the front end receives. */
export type StateFailureCode = 'state_missing' | 'state_invalid' | 'state_expired' | 'state_mismatch' | 'state_reused';

/** What passport's `fail()` carries when the state is refused. */
export interface StateFailure {
  readonly code: StateFailureCode;
  readonly message: string;
  /** The returnTo of the login, when the cookie was genuine (errors go back there). */
  readonly returnTo?: string;
}

/** Data passport hands to the strategy's caller on success (`info.state`). */
export interface LoginState {
  readonly returnTo: string;
  /** OpenID Connect `nonce` the ID token must carry. */
  readonly nonce?: string;
  /** Set by `/auth/:provider/link`: the signed-in user the identity is to join. */
  readonly linkUserId?: string;
}

interface CookiePayload {
  /** The `state` sent to the provider. */
  readonly s: string;
  /** PKCE code verifier. */
  readonly v: string;
  readonly r: string;
  /** OpenID Connect nonce. */
  readonly n?: string;
  /** User id of a link request. */
  readonly l?: string;
  /** Expiry, ms since epoch. */
  readonly e: number;
}

type StoreCallback = (err: Error | null, state?: string) => void;
type VerifyCallback = (err: Error | null, ok: string | false, stateOrInfo?: LoginState | StateFailure) => void;

export interface CookieStateStoreDeps {
  readonly box: AeadBox;
  readonly cookies: SessionCookies;
  readonly states: LoginStatesService;
  readonly ttlSeconds: number;
}

/**
 * passport-oauth2 state store without server sessions. Starting a login
 * puts a random `state` and the PKCE verifier in a sealed (AES-GCM:
 * encrypted and tamper-evident), httpOnly, SameSite=Lax cookie that lives
 * ten minutes; the callback must bring the same `state` back from the same
 * browser, and each state is accepted once (pending states are rows in the
 * database, deleted on use, so replays fail on every instance).
 * Arity matters: passport passes the verifier because `store` takes 5 arguments.
 */
export class CookieStateStore {
  readonly cookieName: string;

  constructor(
    private readonly provider: string,
    private readonly deps: CookieStateStoreDeps,
  ) {
    this.cookieName = `portico_oauth_${provider}`;
  }

  store(
    req: Request,
    verifier: string,
    state: Partial<LoginState> | undefined,
    _meta: unknown,
    callback: StoreCallback,
  ): void {
    const res = req.res;
    if (res === undefined) return callback(new Error('No response object to set the login state cookie on'));
    const handle = randomBytes(32).toString('base64url');
    const expiresAt = Date.now() + this.deps.ttlSeconds * 1000;
    const payload: CookiePayload = {
      s: handle,
      v: verifier,
      r: state?.returnTo ?? '',
      n: state?.nonce,
      l: state?.linkUserId,
      e: expiresAt,
    };
    this.deps.states.issue(handle, new Date(expiresAt)).then(
      () => {
        res.cookie(this.cookieName, this.deps.box.seal(JSON.stringify(payload), this.aad()), {
          ...this.deps.cookies.base(req, '/auth'),
          maxAge: this.deps.ttlSeconds * 1000,
        });
        callback(null, handle);
      },
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
    );
  }

  verify(req: Request, provided: unknown, _meta: unknown, callback: VerifyCallback): void {
    this.check(req, provided).then(
      (result) =>
        'code' in result
          ? callback(null, false, result)
          : callback(null, result.verifier, {
              returnTo: result.returnTo,
              nonce: result.nonce,
              linkUserId: result.linkUserId,
            }),
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), false),
    );
  }

  private async check(req: Request, provided: unknown): Promise<StateFailure | ({ verifier: string } & LoginState)> {
    const sealed = readCookie(req, this.cookieName);
    if (sealed === undefined)
      return {
        code: 'state_missing',
        message: 'The login cookie is missing (expired, or the login started in another browser)',
      };
    // One attempt per cookie, whatever happens next.
    req.res?.clearCookie(this.cookieName, this.deps.cookies.base(req, '/auth'));
    const payload = parsePayload(this.deps.box.open(sealed, this.aad()));
    if (payload === null) return { code: 'state_invalid', message: 'The login cookie is not genuine' };
    const returnTo = payload.r;
    if (payload.e <= Date.now()) return { code: 'state_expired', message: 'The login took too long', returnTo };
    if (typeof provided !== 'string' || !sameString(provided, payload.s)) {
      return { code: 'state_mismatch', message: 'The state does not match this browser’s login', returnTo };
    }
    if (!(await this.deps.states.consume(payload.s))) {
      return { code: 'state_reused', message: 'This login response was already used', returnTo };
    }
    return { verifier: payload.v, returnTo, nonce: payload.n, linkUserId: payload.l };
  }

  private aad(): string {
    return `oauth-state:${this.provider}`;
  }
}

function parsePayload(json: string | null): CookiePayload | null {
  if (json === null) return null;
  try {
    const value: unknown = JSON.parse(json);
    if (typeof value !== 'object' || value === null) return null;
    const { s, v, r, n, l, e } = value as Record<string, unknown>;
    if (typeof s !== 'string' || typeof v !== 'string' || typeof r !== 'string' || typeof e !== 'number') return null;
    return { s, v, r, e, n: typeof n === 'string' ? n : undefined, l: typeof l === 'string' ? l : undefined };
  } catch {
    return null;
  }
}

function sameString(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
