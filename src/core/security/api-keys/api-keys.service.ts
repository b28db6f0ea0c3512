import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { appConfig } from '../../../config/app.config';
import { uuidv7 } from '../../database/ids';
import type { ApiKeyPrincipal } from '../principal';
import { ApiKeyEntity } from './api-key.entity';
import { generateApiKey, hashApiKey, sameHash } from './api-key.hash';

/** Service API keys for REST clients that are other backends. */
const KEY_CACHE_TTL_MS = 5_000;
const KEY_CACHE_MAX = 1_000;

@Injectable()
export class ApiKeysService implements OnApplicationBootstrap {
  private readonly accepted = new Map<string, { principal: ApiKeyPrincipal; expiresAt: number }>();
  private readonly logger = new Logger(ApiKeysService.name);

  constructor(
    @InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
  ) {}

  /** Loads `API_KEYS` (name:sha256[:admin]) so the environment never holds a usable key. */
  async onApplicationBootstrap(): Promise<void> {
    for (const entry of this.app.apiKeys) {
      const scopes = entry.admin ? 'admin' : '';
      const existing = await this.keys.findOne({ where: { name: entry.name } });
      if (existing === null) {
        await this.keys.insert({
          id: uuidv7(),
          name: entry.name,
          keyHash: entry.sha256,
          scopes,
          source: 'env',
          revokedAt: null,
          lastUsedAt: null,
        });
      } else if (existing.keyHash !== entry.sha256 || existing.scopes !== scopes || existing.revokedAt !== null) {
        await this.keys.update({ id: existing.id }, { keyHash: entry.sha256, scopes, source: 'env', revokedAt: null });
      }
    }
    if (this.app.apiKeys.length > 0) this.logger.log(`Loaded ${this.app.apiKeys.length} API key(s) from API_KEYS`);
  }

  /**
   * The principal for a presented key, or null when it is unknown or revoked.
   * Accepted keys are remembered for a few seconds: a backend sends many
   * requests with one key, and the lookup was a database read on every one.
   * A revoked key therefore keeps working for at most `KEY_CACHE_TTL_MS`.
   */
  async authenticate(presented: string): Promise<ApiKeyPrincipal | null> {
    const hash = hashApiKey(presented);
    const cached = this.accepted.get(hash);
    if (cached !== undefined && cached.expiresAt > Date.now()) return cached.principal;
    const row = await this.keys.findOne({ where: { keyHash: hash, revokedAt: IsNull() } });
    if (row === null || !sameHash(row.keyHash, hash)) {
      this.accepted.delete(hash);
      return null;
    }
    const principal: ApiKeyPrincipal = {
      kind: 'api_key',
      id: row.id,
      name: row.name,
      admin: row.scopes.split(' ').includes('admin'),
    };
    // Bounded: only keys that exist are cached, and an operator has few of them.
    if (this.accepted.size >= KEY_CACHE_MAX) this.accepted.clear();
    this.accepted.set(hash, { principal, expiresAt: Date.now() + KEY_CACHE_TTL_MS });
    return principal;
  }

  /** Creates a key and returns it; only its hash is stored. */
  async create(name: string, admin: boolean): Promise<{ id: string; key: string }> {
    if ((await this.keys.count({ where: { name } })) > 0) throw new ApiKeyNameTakenError(name);
    const key = generateApiKey();
    const id = uuidv7();
    await this.keys.insert({
      id,
      name,
      keyHash: hashApiKey(key),
      scopes: admin ? 'admin' : '',
      source: 'cli',
      revokedAt: null,
      lastUsedAt: null,
    });
    return { id, key };
  }
}

export class ApiKeyNameTakenError extends Error {
  constructor(name: string) {
    super(`An API key named "${name}" already exists; choose another name`);
    this.name = 'ApiKeyNameTakenError';
  }
}
