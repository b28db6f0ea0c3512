import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import 'reflect-metadata';
import { Controller, Headers, HttpCode, Module, Post, type RawBodyRequest, Req, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import type { Request, Response } from 'express';
import { announce, openInbox } from './webhook-baseline';

/**
 * (b2) Nest 12 on Express with `rawBody: true` and one controller doing the
 * baseline's verify + insert, nothing else (no middleware, guard, interceptor
 * or request log): what a bare Nest webhook receiver costs, such as
 * `@golevelup/nestjs-stripe`'s. The framework floor Portico's (c) stands on.
 */
const handle = openInbox(join(process.env.DATA_DIR ?? '.', 'nest.sqlite'));

@Controller('webhooks')
class WebhookController {
  @Post('stripe')
  @HttpCode(200)
  receive(
    @Req() req: RawBodyRequest<Request>,
    @Res() res: Response,
    @Headers('stripe-signature') signature?: string,
  ): void {
    const result = handle(req.rawBody?.toString('utf8') ?? '', signature);
    res.status(result.status).type('application/json').send(result.body);
  }
}

@Module({ controllers: [WebhookController] })
class WebhookModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(WebhookModule, new ExpressAdapter(), {
    rawBody: true,
    logger: false,
  });
  app.disable('x-powered-by');
  await app.listen(0, '127.0.0.1');
  announce((app.getHttpServer().address() as AddressInfo).port);
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

void main();
