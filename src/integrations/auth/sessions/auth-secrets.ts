import { type KeyObject, createSecretKey, hkdfSync, randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { authConfig } from '../../../config/auth.config';
import { AeadBox } from './aead-box';

/**
 * The keys of the auth module. Outside production a missing secret is
 * replaced by a random one for this app instance (with a warning): sessions
 * and stored provider tokens then do not survive a restart. Production
 * refuses to start without them (see auth.config.ts).
 */
@Injectable()
export class AuthSecrets {
  private readonly logger = new Logger(AuthSecrets.name);
  /** HS256 key of session tokens. */
  readonly jwtSecret: string;
  /**
   * The same key as a KeyObject, made once. Given a string, jsonwebtoken
   * first tries to parse it as a public (or private) key, on every verify and
   * sign, and only falls back to a secret key once that throws: more than
   * half of a cookie-authenticated request's work (callgrind, bench:http).
   */
  readonly jwtKey: KeyObject;
  /** Provider tokens at rest (AUTH_TOKEN_ENCRYPTION_KEY). */
  readonly tokenBox: AeadBox;
  /** Login state cookies: derived from the JWT secret so one secret covers everything short-lived. */
  readonly stateBox: AeadBox;
  /** HMAC key deriving a refresh token's successor from it (see SessionsService.refresh). */
  readonly rotationKey: Buffer;

  constructor(@Inject(authConfig.KEY) config: ConfigType<typeof authConfig>) {
    if (config.jwtSecret === undefined) {
      this.logger.warn(
        'AUTH_JWT_SECRET is not set: using a random secret for this process; sessions end when it stops',
      );
    }
    this.jwtSecret = config.jwtSecret ?? randomBytes(32).toString('base64url');
    this.jwtKey = createSecretKey(Buffer.from(this.jwtSecret));
    if (config.tokenEncryptionKey === undefined) {
      this.logger.warn(
        'AUTH_TOKEN_ENCRYPTION_KEY is not set: using a random key for this process; stored provider tokens become unreadable after a restart',
      );
    }
    this.tokenBox = new AeadBox(
      config.tokenEncryptionKey === undefined ? randomBytes(32) : decodeKey(config.tokenEncryptionKey),
    );
    this.stateBox = new AeadBox(
      Buffer.from(hkdfSync('sha256', this.jwtSecret, 'portico', 'oauth-login-state-cookie', 32)),
    );
    this.rotationKey = Buffer.from(hkdfSync('sha256', this.jwtSecret, 'portico', 'refresh-token-rotation', 32));
  }
}

/** 64 hex characters or base64 of 32 bytes (validated by auth.config.ts). */
export function decodeKey(value: string): Buffer {
  return /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
}
