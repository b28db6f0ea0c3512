import { IntegrationError } from '../../../core/errors/integration.error';
import type { TokenParams } from './token-params';

/** Exchanges an authorization code at the provider's token endpoint (through the provider's HttpClient). */
export type CodeExchange = (form: Readonly<Record<string, string>>) => Promise<TokenParams>;

type TokenCallback = (
  error: { statusCode?: number; data?: string } | Error | null,
  accessToken?: string,
  refreshToken?: string,
  params?: TokenParams,
) => void;

interface OAuth2Client {
  getOAuthAccessToken(code: string, params: Record<string, string>, callback: TokenCallback): void;
}

/**
 * Sends a passport strategy's code-for-token exchange through `exchange`
 * (our HttpClient: the provider's policy, metrics, error mapping and the
 * call's abort signal) instead of passport-oauth2's own `node-oauth` request.
 * Passport keeps the redirect, state and PKCE; only the exchange moves.
 *
 * passport-oauth2 exposes no hook for this, so the strategy's own `_oauth2`
 * helper gets the one method it calls replaced (on this instance only).
 * A 4xx answer is handed back as `{ statusCode, data }`, the shape
 * passport turns into a `TokenError` (the code was refused); anything else
 * stays our `IntegrationError`.
 */
export function routeTokenExchange(strategy: object, exchange: CodeExchange): void {
  const oauth2 = (strategy as { _oauth2: OAuth2Client })._oauth2;
  oauth2.getOAuthAccessToken = (code, params, callback) => {
    exchange({ ...params, code }).then(
      (answer) => callback(null, stringOf(answer.access_token), stringOf(answer.refresh_token), answer),
      (error: unknown) => {
        const status = error instanceof IntegrationError ? error.upstreamStatus : undefined;
        const body = error instanceof IntegrationError ? error.upstreamBody : undefined;
        if (status !== undefined && status >= 400 && status < 500 && typeof body === 'string')
          callback({ statusCode: status, data: body });
        else callback(error instanceof Error ? error : new Error(String(error)));
      },
    );
  };
}

/** The token endpoint's answer: JSON, or the form encoding GitHub falls back to. */
export function tokenParams(answer: unknown): TokenParams {
  if (typeof answer === 'string') return Object.fromEntries(new URLSearchParams(answer));
  return typeof answer === 'object' && answer !== null ? (answer as TokenParams) : {};
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
