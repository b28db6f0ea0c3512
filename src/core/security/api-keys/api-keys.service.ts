import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { type ApiKeyEntry, appConfig } from '../../../config/app.config';
import { uuidv7 } from '../../database/ids';
import { type Page, type PageRequest, keysetPage, mapPage } from '../../http/pagination';
import type { ApiKeyPrincipal } from '../principal';
import { NON_ADMIN_SCOPES, type Scope, isScope, normalizeScopes } from '../scopes';
import { ApiKeyEntity } from './api-key.entity';
import { generateApiKey, hashApiKey, sameHash } from './api-key.hash';

/**
 * How long an accepted key is remembered on this instance. Revoking on one
 * instance drops its own entry at once; other instances stop accepting the
 * key within this window (docs/SECURITY.md).
 */
export const KEY_CACHE_TTL_MS = 5_000;
const KEY_CACHE_MAX = 1_000;
/** `last_used_at` is written at most this often per key and instance, never once per request. */
export const LAST_USED_WRITE_INTERVAL_MS = 60_000;

/** A key as operators see it (`apikey:list`, `GET /admin/api-keys`); never its hash. */
export interface ApiKeyView {
  readonly id: string;
  readonly name: string;
  /** The effective scopes. */
  readonly scopes: Scope[];
  /** False for keys created without a scope list (they get every scope but `admin`). */
  readonly scopesListed: boolean;
  readonly source: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
}

export interface NewApiKey {
  /** Null: no list (every scope but `admin`). */
  readonly scopes: readonly Scope[] | null;
  readonly expiresAt?: Date | null;
}

/** Service API keys for REST clients that are other backends. */
@Injectable()
export class ApiKeysService implements OnApplicationBootstrap {
  private readonly accepted = new Map<string, { principal: ApiKeyPrincipal; expiresAt: number }>();
  private readonly lastUsedWrites = new Map<string, number>();
  private readonly logger = new Logger(ApiKeysService.name);

  constructor(
    @InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
  ) {}

  /**
   * Loads `API_KEYS` (name:sha256[:scope+scope]) so the environment never
   * holds a usable key, revokes keys that came from it and are no longer
   * listed, and warns about every active key without a scope list.
   */
  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.syncAll();
    } catch (error) {
      // E.g. DATABASE_MIGRATE=false before the schema exists: the app still starts, and no key is accepted.
      this.logger.error({ err: error }, 'Could not load API keys at start-up; no API key is accepted until this works');
    }
  }

  private async syncAll(): Promise<void> {
    for (const entry of this.app.apiKeys) await this.syncFromEnv(entry);
    const listed = new Set(this.app.apiKeys.map((entry) => entry.name));
    for (const row of await this.keys.find({ where: { source: 'env', revokedAt: IsNull() } })) {
      if (listed.has(row.name)) continue;
      await this.keys.update({ id: row.id, revokedAt: IsNull() }, { revokedAt: new Date() });
      this.logger.warn(`API key "${row.name}" is no longer in API_KEYS: revoked`);
    }
    if (this.app.apiKeys.length > 0) this.logger.log(`Loaded ${this.app.apiKeys.length} API key(s) from API_KEYS`);
    for (const row of await this.keys.find({ where: { scopes: '', revokedAt: IsNull() } })) {
      this.logger.warn(
        `API key "${row.name}" has no scope list, so it may do everything but admin; give it explicit scopes`,
      );
    }
  }

  /**
   * The principal for a presented key, or null when it is unknown, revoked
   * or expired. Accepted keys are remembered for a few seconds: a backend
   * sends many requests with one key, and the lookup was a database read on
   * every one. A key revoked elsewhere keeps working here for at most
   * `KEY_CACHE_TTL_MS`.
   */
  async authenticate(presented: string): Promise<ApiKeyPrincipal | null> {
    const hash = hashApiKey(presented);
    const now = Date.now();
    const cached = this.accepted.get(hash);
    if (cached !== undefined && cached.expiresAt > now) {
      this.touch(cached.principal.id, now);
      return cached.principal;
    }
    const row = await this.keys.findOne({ where: { keyHash: hash, revokedAt: IsNull() } });
    if (row === null || !sameHash(row.keyHash, hash) || (row.expiresAt !== null && row.expiresAt.getTime() <= now)) {
      this.accepted.delete(hash);
      return null;
    }
    const scopes = effectiveScopes(row.scopes);
    const principal: ApiKeyPrincipal = {
      kind: 'api_key',
      id: row.id,
      name: row.name,
      admin: scopes.includes('admin'),
      scopes,
    };
    // Bounded: only keys that exist are cached, and an operator has few of them.
    if (this.accepted.size >= KEY_CACHE_MAX) this.accepted.clear();
    const until = Math.min(now + KEY_CACHE_TTL_MS, row.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY);
    this.accepted.set(hash, { principal, expiresAt: until });
    this.touch(row.id, now);
    return principal;
  }

  /** Creates a key and returns it; only its hash is stored. */
  async create(name: string, options: NewApiKey): Promise<{ id: string; key: string }> {
    if ((await this.keys.count({ where: { name } })) > 0) throw new ApiKeyNameTakenError(name);
    const key = generateApiKey();
    const id = uuidv7();
    await this.keys.insert({
      id,
      name,
      keyHash: hashApiKey(key),
      scopes: storedScopes(options.scopes),
      source: 'cli',
      expiresAt: options.expiresAt ?? null,
      revokedAt: null,
      lastUsedAt: null,
    });
    return { id, key };
  }

  /** Every key, by name (revoked ones too, so operators see what was cut off and when); for the CLI. */
  async list(): Promise<ApiKeyView[]> {
    return (await this.keys.find({ order: { name: 'ASC' } })).map(toView);
  }

  /** Keys newest first, one page at a time (`GET /admin/api-keys`), revoked ones too. */
  async page(request: PageRequest): Promise<Page<ApiKeyView>> {
    return mapPage(await keysetPage(this.keys.createQueryBuilder('k'), request, { list: 'api-keys' }), toView);
  }

  /**
   * Revokes a key by name: refused from now on by this instance, and by the
   * others once their cache entry expires (≤ `KEY_CACHE_TTL_MS`). Revoking a
   * revoked key changes nothing.
   * @throws ApiKeyNotFoundError when no key has that name.
   */
  async revoke(name: string): Promise<ApiKeyView> {
    const row = await this.keys.findOne({ where: { name } });
    if (row === null) throw new ApiKeyNotFoundError(name);
    if (row.revokedAt === null) {
      await this.keys.update({ id: row.id, revokedAt: IsNull() }, { revokedAt: new Date() });
      this.logger.warn(`API key "${name}" revoked`);
    }
    for (const [hash, entry] of this.accepted) if (entry.principal.id === row.id) this.accepted.delete(hash);
    return toView(await this.keys.findOneOrFail({ where: { id: row.id } }));
  }

  private async syncFromEnv(entry: ApiKeyEntry): Promise<void> {
    const scopes = storedScopes(entry.scopes);
    const existing = await this.keys.findOne({ where: { name: entry.name } });
    if (existing === null) {
      await this.keys.insert({
        id: uuidv7(),
        name: entry.name,
        keyHash: entry.sha256,
        scopes,
        source: 'env',
        expiresAt: null,
        revokedAt: null,
        lastUsedAt: null,
      });
      return;
    }
    const newKey = existing.keyHash !== entry.sha256;
    if (!newKey && existing.revokedAt !== null) {
      // A revoked key stays revoked: listing its hash again must not bring it back.
      this.logger.warn(`API key "${entry.name}" in API_KEYS was revoked; give it a new key (hash) to use that name`);
      return;
    }
    if (newKey || existing.scopes !== scopes || existing.source !== 'env') {
      await this.keys.update(
        { id: existing.id },
        { keyHash: entry.sha256, scopes, source: 'env', ...(newKey ? { revokedAt: null, expiresAt: null } : {}) },
      );
    }
  }

  /** Records use at most once per `LAST_USED_WRITE_INTERVAL_MS`, off the request's path. */
  private touch(id: string, now: number): void {
    const last = this.lastUsedWrites.get(id);
    if (last !== undefined && now - last < LAST_USED_WRITE_INTERVAL_MS) return;
    if (this.lastUsedWrites.size >= KEY_CACHE_MAX) this.lastUsedWrites.clear();
    this.lastUsedWrites.set(id, now);
    this.keys.update({ id }, { lastUsedAt: new Date(now) }).catch((error: unknown) => {
      this.logger.warn({ err: error }, 'Recording an API key’s last use failed');
    });
  }
}

/** Empty column = created without a list: every scope but admin (what such keys meant before scopes). */
function effectiveScopes(stored: string): Scope[] {
  if (stored.trim() === '') return [...NON_ADMIN_SCOPES];
  return normalizeScopes(stored.split(' ').filter(isScope));
}

function storedScopes(scopes: readonly Scope[] | null): string {
  return scopes === null ? '' : normalizeScopes(scopes).join(' ');
}

function toView(row: ApiKeyEntity): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    scopes: effectiveScopes(row.scopes),
    scopesListed: row.scopes.trim() !== '',
    source: row.source,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
  };
}

export class ApiKeyNameTakenError extends Error {
  constructor(name: string) {
    super(`An API key named "${name}" already exists; choose another name`);
    this.name = 'ApiKeyNameTakenError';
  }
}

export class ApiKeyNotFoundError extends Error {
  constructor(name: string) {
    super(`There is no API key named "${name}"`);
    this.name = 'ApiKeyNotFoundError';
  }
}
