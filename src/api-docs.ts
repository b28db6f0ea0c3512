import type { INestApplication } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { appConfig } from './config/app.config';
import { ProblemDetailsDto } from './core/errors/api-problem-responses.decorator';
import { completeDocument } from './core/openapi/complete-document';
import { collectRouteAccess, operationIdOf } from './core/openapi/route-access';
import { ACCESS_COOKIE } from './integrations/auth/sessions/session-cookies';
import { SCOPES, SCOPE_DESCRIPTIONS } from './core/security/scopes';

/**
 * The contract's version (`info.version`). A breaking change to the API
 * (what `npm run api:diff` reports as breaking) raises its major part —
 * while it is 0.x, its minor part; see docs/API.md.
 */
export const API_VERSION = '0.3.0';

/**
 * The OpenAPI document of this app: Nest's explorer plus the completion
 * (security, problems, headers) every operation gets. One builder for the
 * served `/docs-json` and for `npm run api:export`, so they cannot differ.
 */
export function createApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Portico')
    .setDescription(
      'Third-party integrations behind one API: payments (Stripe), email (SendGrid), storage (S3), login (Google, GitHub). ' +
        'Every error is RFC 9457 `application/problem+json` with a `requestId`.\n\n' +
        'Every route names the scope it needs (`x-required-scopes`; a missing scope is 403 `insufficient-scope`):\n\n' +
        SCOPES.map((scope) => `- \`${scope}\`: ${SCOPE_DESCRIPTIONS[scope]}`).join('\n'),
    )
    .setVersion(API_VERSION)
    .setLicense('Proprietary', 'https://portico.dev/license')
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: [ProblemDetailsDto],
    operationIdFactory: operationIdOf,
  });
  const access = collectRouteAccess(app);
  return completeDocument(document, {
    publicUrl: app.get<ConfigType<typeof appConfig>>(appConfig.KEY).publicUrl,
    accessOf: (operationId) => access.get(operationId),
    sessionCookie: ACCESS_COOKIE,
  });
}

/** OpenAPI at `/docs` (UI) and `/docs-json`. */
export function setupApiDocs(app: INestApplication): void {
  SwaggerModule.setup('docs', app, createApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: 'Portico API',
  });
}
