import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ProblemDetailsDto } from './core/errors/api-problem-responses.decorator';
import { SCOPES_EXTENSION } from './core/security/require-scopes.decorator';
import { SCOPES, SCOPE_DESCRIPTIONS } from './core/security/scopes';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** OpenAPI at `/docs` (UI) and `/docs-json`. */
export function setupApiDocs(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Portico')
    .setDescription(
      'Third-party integrations behind one API: payments (Stripe), email (SendGrid), storage (S3), login (Google, GitHub). ' +
        'Every error is RFC 9457 `application/problem+json` with a `requestId`.\n\n' +
        'Every route names the scope it needs (`x-required-scopes`; a missing scope is 403 `insufficient-scope`):\n\n' +
        SCOPES.map((scope) => `- \`${scope}\`: ${SCOPE_DESCRIPTIONS[scope]}`).join('\n'),
    )
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API key (or a session token)' }, 'bearer')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Api-Key' }, 'apiKey')
    .addSecurityRequirements('bearer')
    .addSecurityRequirements('apiKey')
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ProblemDetailsDto] });
  describeScopes(document);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', customSiteTitle: 'Portico API' });
}

/** Adds a "Scopes:" line to each operation that declares them, so the UI shows it without reading extensions. */
export function describeScopes(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (operation === undefined) continue;
      const scopes: unknown = (operation as unknown as Record<string, unknown>)[SCOPES_EXTENSION];
      if (!Array.isArray(scopes)) continue;
      const line =
        scopes.length === 0
          ? '**Scopes:** none (any signed-in user or API key)'
          : `**Scopes:** ${scopes.map((scope) => `\`${String(scope)}\``).join(', ')}`;
      operation.description = operation.description === undefined ? line : `${operation.description}\n\n${line}`;
    }
  }
}
