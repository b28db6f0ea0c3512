import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { limitsConfig } from '../../../config/limits.config';
import { quotaExceeded } from '../../../core/errors/quota-exceeded';
import type { ProblemException } from '../../../core/errors/problem.exception';
import { FileEntity } from './file.entity';

/**
 * STORAGE_QUOTA_BYTES_PER_OWNER: bytes an owner may keep stored, counting
 * ready files and the declared size of direct uploads still pending
 * (a presigned PUT reserves its size). Unlimited by default. Uploads running
 * at the same time for one owner each see the same remainder, so they can
 * overshoot by at most their own sizes.
 */
@Injectable()
export class StorageQuota {
  private readonly quota: number | undefined;

  constructor(
    @InjectRepository(FileEntity) private readonly files: Repository<FileEntity>,
    @Inject(limitsConfig.KEY) limits: ConfigType<typeof limitsConfig>,
  ) {
    this.quota = limits.storageQuotaBytes;
  }

  /**
   * Bytes `ownerId` may still store (undefined: no quota).
   * @throws ProblemException 403 `quota-exceeded` when `atLeast` more bytes do not fit.
   */
  async remaining(ownerId: string, atLeast = 1): Promise<number | undefined> {
    if (this.quota === undefined) return undefined;
    const used = await this.used(ownerId);
    if (used + atLeast > this.quota) throw this.exceeded(used);
    return this.quota - used;
  }

  /** The refusal for an upload that did not fit in the `remaining` bytes left before it. */
  exceededWithRemaining(remaining: number): ProblemException {
    return this.exceeded((this.quota ?? 0) - remaining);
  }

  /** The refusal for an owner who has `used` bytes stored. */
  exceeded(used: number): ProblemException {
    const limit = this.quota ?? 0;
    return quotaExceeded(`The storage quota of ${limit} bytes is used up (${used} bytes stored); nothing was stored`, {
      quota: 'storage-bytes',
      limit,
      used,
    });
  }

  private async used(ownerId: string): Promise<number> {
    const row = await this.files
      .createQueryBuilder('f')
      .select('COALESCE(SUM(f.size), 0)', 'n')
      .where('f.owner_id = :ownerId', { ownerId })
      .andWhere("f.status IN ('ready', 'pending')")
      .getRawOne<{ n: string | number }>();
    return Number(row?.n ?? 0);
  }
}
