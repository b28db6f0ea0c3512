import { join } from 'node:path';
import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../core/security/public.decorator';

/** Built with the app (nest-cli `assets`): `dist/console/public`. */
const PUBLIC_DIR = join(__dirname, 'public');
const ASSETS: Readonly<Record<string, string>> = {
  'console.js': 'application/javascript',
  'console.css': 'text/css',
};

/**
 * The operator console: a static page and its script (no inline code, so
 * helmet's default Content-Security-Policy applies unchanged). The page holds
 * no data; everything it shows comes from `/admin/*` with the session cookie,
 * and those routes require the `admin` scope.
 */
@ApiExcludeController()
@Public()
@Controller('console')
export class ConsolePageController {
  @Get()
  page(@Res() res: Response): void {
    res.type('html').sendFile(join(PUBLIC_DIR, 'index.html'), { headers: { 'Cache-Control': 'no-cache' } });
  }

  @Get('assets/:asset')
  asset(@Param('asset') asset: string, @Res() res: Response): void {
    const type = ASSETS[asset];
    if (type === undefined) throw new NotFoundException(`No console asset named ${asset}`);
    res.type(type).sendFile(join(PUBLIC_DIR, asset), { headers: { 'Cache-Control': 'no-cache' } });
  }
}
