import type { IncomingMessage } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Controller, Get, HttpCode, Put, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { ProblemException } from '../../../core/errors';
import { Public } from '../../../core/security/public.decorator';
import { LocalStorageDriver } from './local-storage.driver';
import type { UrlGrant } from './url-signer';
import { InjectStorageDriver, type StorageDriver } from '../storage-driver';

type SignedQuery = Readonly<Record<string, unknown>>;

/**
 * Serves the local driver's signed URLs: `GET` downloads, `PUT` direct
 * uploads. Public (the signature is the credential); each request must match
 * the signed method, key, expiry, content type and size, like an S3
 * presigned URL. Not part of the documented API: clients get these URLs from
 * `/files/...` and use them as they are.
 */
@ApiExcludeController()
@Public()
@Controller('storage/local/objects')
export class LocalObjectsController {
  private readonly driver: LocalStorageDriver;

  constructor(@InjectStorageDriver() driver: StorageDriver) {
    // Mounted only with the local driver (see StorageModule).
    if (!(driver instanceof LocalStorageDriver)) throw new TypeError('LocalObjectsController needs the local storage driver');
    this.driver = driver;
  }

  @Get()
  async download(@Req() req: IncomingMessage, @Query() query: SignedQuery, @Res() res: Response): Promise<void> {
    const grant = this.verify(req.method ?? 'GET', query);
    const head = await this.driver.head(grant.key);
    if (head === undefined) throw new ProblemException(404, 'The file does not exist (any more)', { slug: 'not-found', title: 'Not Found' });
    res.status(200);
    res.setHeader('Content-Type', grant.contentType);
    res.setHeader('Content-Disposition', grant.disposition);
    res.setHeader('Content-Length', String(head.size));
    res.setHeader('Cache-Control', 'private, no-store');
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    await pipeline(await this.driver.openReadStream(grant.key), res);
  }

  @Put()
  @HttpCode(200)
  async upload(@Req() req: IncomingMessage, @Query() query: SignedQuery): Promise<void> {
    const grant = this.verify('PUT', query);
    const declaredType = req.headers['content-type']?.trim().toLowerCase();
    if (declaredType !== grant.contentType.toLowerCase()) {
      throw refused(`The upload must be sent with Content-Type: ${grant.contentType}, as signed`);
    }
    const length = req.headers['content-length'];
    if (length === undefined) throw new ProblemException(411, 'The upload must carry a Content-Length header', { slug: 'length-required' });
    if (length !== String(grant.size)) throw refused(`The upload must be exactly ${grant.size} bytes, as signed`);
    // Node's HTTP parser ends the body at Content-Length, so the stored size can only fall short (client gone).
    const { size } = await this.driver.put({ key: grant.key, body: req, contentType: grant.contentType });
    if (size !== grant.size) {
      await this.driver.delete(grant.key);
      throw new ProblemException(400, `The upload ended after ${size} of ${grant.size} bytes`, { slug: 'incomplete-upload' });
    }
  }

  private verify(method: string, query: SignedQuery): UrlGrant {
    const result = this.driver.signer.verify(method, query);
    if (result.ok) return result.grant;
    if (result.reason === 'expired') throw refused('Request has expired', 'url-expired');
    if (result.reason === 'signature') throw refused('The URL signature does not match (the URL was changed or is for another method)');
    throw new ProblemException(400, 'Not a complete signed storage URL', { slug: 'malformed-signed-url' });
  }
}

function refused(detail: string, slug = 'signed-url-refused'): ProblemException {
  return new ProblemException(403, detail, { slug, title: 'Forbidden' });
}
