import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiProblemResponses } from '../../../core/errors';
import { CurrentPrincipal } from '../../../core/security/current-principal.decorator';
import type { Principal } from '../../../core/security/principal';
import { RequireScopes } from '../../../core/security/require-scopes.decorator';
import {
  CreateUploadUrlDto,
  DownloadUrlQuery,
  FileIdParam,
  FilePageView,
  FileView,
  ListFilesQuery,
  SignedUrlView,
  UploadUrlView,
  UploadedFileView,
} from './files.dto';
import { DirectUploadsService } from './direct-uploads.service';
import { FilesService } from './files.service';
import { FILE_FIELD } from './multipart-file';

@ApiTags('files')
@ApiProblemResponses(401)
@Controller('files')
export class FilesController {
  constructor(
    private readonly files: FilesService,
    private readonly directUploads: DirectUploadsService,
  ) {}

  @Post()
  @RequireScopes('files:write')
  @ApiOperation({
    summary: 'Upload a file (multipart/form-data, streamed)',
    description: `The file goes in the "${FILE_FIELD}" field. Size is limited by STORAGE_MAX_UPLOAD_BYTES; the declared type must be allowed and agree with the first bytes.`,
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: [FILE_FIELD],
      properties: { [FILE_FIELD]: { type: 'string', format: 'binary' } },
    },
  })
  @ApiCreatedResponse({ type: UploadedFileView })
  @ApiProblemResponses(400, 413, 415, 502, 503, 504)
  async upload(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @CurrentPrincipal() principal: Principal,
  ): Promise<UploadedFileView> {
    const file = await this.files.upload(req, { principal });
    res.location(`/files/${file.id}`);
    return file;
  }

  @Get()
  @RequireScopes('files:read')
  @ApiOperation({ summary: "List the caller's stored (ready) files (admins: everyone's), oldest first, by cursor" })
  @ApiOkResponse({ type: FilePageView })
  @ApiProblemResponses(400)
  list(@Query() query: ListFilesQuery, @CurrentPrincipal() principal: Principal): Promise<FilePageView> {
    return this.files.list(principal, query);
  }

  @Post('upload-url')
  @RequireScopes('files:write')
  @ApiOperation({
    summary: 'Presigned PUT for a direct upload',
    description:
      'Send exactly the returned headers; then call POST /files/{id}/complete. Unconfirmed uploads expire and are removed.',
  })
  @ApiCreatedResponse({ type: UploadUrlView })
  @ApiProblemResponses(400, 413, 415, 503)
  createUploadUrl(@Body() body: CreateUploadUrlDto, @CurrentPrincipal() principal: Principal): Promise<UploadUrlView> {
    return this.directUploads.createUploadUrl(body, { principal });
  }

  @Get(':id')
  @RequireScopes('files:read')
  @ApiOperation({ summary: "A file's metadata" })
  @ApiOkResponse({ type: FileView })
  @ApiProblemResponses(400, 404)
  get(@Param() params: FileIdParam, @CurrentPrincipal() principal: Principal): Promise<FileView> {
    return this.files.get(params.id, principal);
  }

  @Get(':id/download-url')
  @RequireScopes('files:read')
  @ApiOperation({
    summary: 'Presigned download URL',
    description: 'Served with Content-Disposition: attachment carrying the original name (RFC 6266 filename*).',
  })
  @ApiOkResponse({ type: SignedUrlView })
  @ApiProblemResponses(400, 404, 409)
  downloadUrl(
    @Param() params: FileIdParam,
    @Query() query: DownloadUrlQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<SignedUrlView> {
    return this.files.downloadUrl(params.id, { principal }, query.expiresIn);
  }

  @Post(':id/complete')
  @RequireScopes('files:write')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Confirm a direct upload',
    description: 'Checks the stored object (exists, declared size and type) and marks the file ready.',
  })
  @ApiOkResponse({ type: UploadedFileView })
  @ApiProblemResponses(400, 404, 409, 410, 415, 422, 503)
  complete(@Param() params: FileIdParam, @CurrentPrincipal() principal: Principal): Promise<UploadedFileView> {
    return this.directUploads.complete(params.id, { principal });
  }

  @Delete(':id')
  @RequireScopes('files:write')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a file and its stored object' })
  @ApiNoContentResponse()
  @ApiProblemResponses(400, 404, 503)
  async remove(@Param() params: FileIdParam, @CurrentPrincipal() principal: Principal): Promise<void> {
    await this.files.remove(params.id, principal);
  }
}
