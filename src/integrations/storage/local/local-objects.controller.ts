import type { IncomingMessage } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Controller, Get, HttpCode, Put, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiProblemResponses, ProblemException } from '../../../core/errors';
import { Public } from '../../../core/security/public.decorator';
import { LocalStorageDriver } from './local-storage.adapter';
import type { UrlGrant } from './url-signer';
import { InjectStorageDriver, ObjectExistsError, type StorageDriver } from '../storage-driver';

type SignedQuery = Readonly<Record<string, unknown>>;

/**
 * Serves the local driver's signed URLs: `GET` downloads, `PUT` direct
 * uploads. Public (the signature is the credential); each request must match
 * the signed method, key, expiry, content type and size, like an S3
 * presigned URL. Clients get these URLs from `/files/...` and use them as
 * they are; only mounted with the local driver.
 */
@ApiTags('files (local signed URLs)')
@ApiQuery({ name: 'key', description: 'Object key (signed)' })
@ApiQuery({ name: 'exp', description: 'Expiry, Unix seconds (signed)' })
@ApiQuery({ name: 'ct', description: 'Content type (signed)' })
@ApiQuery({ name: 'sig', description: 'HMAC-SHA256 signature, base64url' })
@Public()
@Controller('storage/local/objects')
export class LocalObjectsController {
  private readonly driver: LocalStorageDriver;

  constructor(@InjectStorageDriver() driver: StorageDriver) {
    // Mounted only with the local driver (see StorageModule).
    if (!(driver instanceof LocalStorageDriver))
      throw new TypeError('LocalObjectsController needs the local storage driver');
    this.driver = driver;
  }

  @Get()
  @ApiOperation({
    summary: 'Download through a signed URL',
    description:
      'As returned by GET /files/{id}/download-url; served with the signed Content-Type and Content-Disposition.',
  })
  @ApiQuery({ name: 'cd', description: 'Content-Disposition (signed)' })
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({ description: 'The file' })
  @ApiProblemResponses(400, 403, 404, 416)
  async download(@Req() req: Request, @Query() query: SignedQuery, @Res() res: Response): Promise<void> {
    const grant = this.verify(req.method, query);
    const head = await this.driver.head(grant.key);
    if (head === undefined)
      throw new ProblemException(404, 'The file does not exist (any more)', { slug: 'not-found', title: 'Not Found' });
    // One byte range, as S3 serves them (players and resumed downloads use it); several ranges get the whole file.
    const ranges = req.headers.range === undefined ? undefined : req.range(head.size, { combine: true });
    if (ranges === -1) {
      throw new ProblemException(416, `The range is outside the file's ${head.size} bytes`, {
        slug: 'range-not-satisfiable',
        headers: { 'Content-Range': `bytes */${head.size}` },
      });
    }
    const range = Array.isArray(ranges) && ranges.type === 'bytes' && ranges.length === 1 ? ranges[0] : undefined;
    res.status(range ? 206 : 200);
    res.setHeader('Content-Type', grant.contentType);
    res.setHeader('Content-Disposition', grant.disposition);
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('Cache-Control', 'private, no-store');
    if (range) res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${head.size}`);
    res.setHeader('Content-Length', String(range ? range.end - range.start + 1 : head.size));
    if (req.method === 'HEAD' || head.size === 0) {
      res.end();
      return;
    }
    await pipeline(await this.driver.openReadStream(grant.key, range), res);
  }

  @Put()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Upload through a signed URL',
    description:
      'As returned by POST /files/upload-url: exactly the signed Content-Type and Content-Length; never replaces an uploaded file.',
  })
  @ApiQuery({ name: 'size', description: 'Exact body length, bytes (signed)' })
  @ApiOkResponse({ description: 'Stored; confirm with POST /files/{id}/complete' })
  @ApiProblemResponses(400, 403, 411, 412)
  async upload(@Req() req: IncomingMessage, @Query() query: SignedQuery): Promise<void> {
    const grant = this.verify('PUT', query);
    const declaredType = req.headers['content-type']?.trim().toLowerCase();
    if (declaredType !== grant.contentType.toLowerCase()) {
      throw refused(`The upload must be sent with Content-Type: ${grant.contentType}, as signed`);
    }
    const length = req.headers['content-length'];
    if (length === undefined)
      throw new ProblemException(411, 'The upload must carry a Content-Length header', { slug: 'length-required' });
    if (length !== String(grant.size)) throw refused(`The upload must be exactly ${grant.size} bytes, as signed`);
    // Node's HTTP parser ends the body at Content-Length, so the stored size can only fall short (client gone).
    const { size } = await this.driver
      .put({ key: grant.key, body: req, contentType: grant.contentType, ifAbsent: true })
      .catch((error: unknown) => {
        if (error instanceof ObjectExistsError) {
          throw new ProblemException(412, 'A file was already uploaded with this URL; it cannot be replaced', {
            slug: 'already-uploaded',
            title: 'Precondition Failed',
          });
        }
        throw error;
      });
    if (size !== grant.size) {
      await this.driver.delete(grant.key);
      throw new ProblemException(400, `The upload ended after ${size} of ${grant.size} bytes`, {
        slug: 'incomplete-upload',
      });
    }
  }

  private verify(method: string, query: SignedQuery): UrlGrant {
    const result = this.driver.signer.verify(method, query);
    if (result.ok) return result.grant;
    if (result.reason === 'expired') throw refused('Request has expired', 'url-expired');
    if (result.reason === 'signature')
      throw refused('The URL signature does not match (the URL was changed or is for another method)');
    throw new ProblemException(400, 'Not a complete signed storage URL', { slug: 'malformed-signed-url' });
  }
}

function refused(detail: string, slug = 'signed-url-refused'): ProblemException {
  return new ProblemException(403, detail, { slug, title: 'Forbidden' });
}
