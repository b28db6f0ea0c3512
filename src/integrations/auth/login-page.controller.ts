import { join } from 'node:path';
import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../../core/security/public.decorator';

/** Built with the app (nest-cli `assets`): `dist/integrations/auth/public`. */
const PUBLIC_DIR = join(__dirname, 'public');
const ASSETS: Readonly<Record<string, string>> = { 'app.js': 'application/javascript', 'app.css': 'text/css' };

/**
 * The small page at `/` for trying the flows by hand (and for the browser
 * test): plain HTML and a script file, no inline code, so helmet's default
 * Content-Security-Policy applies unchanged.
 */
@ApiExcludeController()
@Public()
@Controller()
export class LoginPageController {
  @Get()
  page(@Res() res: Response): void {
    res.type('html').sendFile(join(PUBLIC_DIR, 'index.html'), { headers: { 'Cache-Control': 'no-cache' } });
  }

  @Get('page/:asset')
  asset(@Param('asset') asset: string, @Res() res: Response): void {
    const type = ASSETS[asset];
    if (type === undefined) throw new NotFoundException(`No page asset named ${asset}`);
    res.type(type).sendFile(join(PUBLIC_DIR, asset), { headers: { 'Cache-Control': 'no-cache' } });
  }
}
