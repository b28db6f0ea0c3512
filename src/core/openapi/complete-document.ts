import type {
  HeaderObject,
  OpenAPIObject,
  OperationObject,
  ParameterObject,
  PathItemObject,
  ReferenceObject,
  ResponseObject,
  SecurityRequirementObject,
} from '@nestjs/swagger';
import { problemResponse } from '../errors/api-problem-responses.decorator';
import type { RouteAccess } from './route-access';

/** Names of the security schemes in `components.securitySchemes`. */
export const SECURITY_SCHEMES = {
  apiKey: 'apiKey',
  bearer: 'bearer',
  sessionCookie: 'sessionCookie',
} as const;

/** Response headers described once in `components.headers` and referenced by name. */
const SHARED_HEADERS: Readonly<Record<string, HeaderObject>> = {
  'X-Request-Id': {
    description: 'The request id (the caller’s well-formed `X-Request-Id`, else a new UUID); also in logs and problems',
    schema: { type: 'string', maxLength: 128 },
  },
  'Retry-After': {
    description: 'Seconds to wait before trying again',
    schema: { type: 'integer', minimum: 0 },
  },
  'Idempotency-Key': {
    description: 'The idempotency key the request was processed under (the one sent, or a generated one)',
    schema: { type: 'string', minLength: 1, maxLength: 255 },
  },
  'Idempotent-Replayed': {
    description: '`true` when this is the stored answer to an earlier request with the same key',
    schema: { type: 'string', enum: ['true'] },
  },
};

/** The request header every idempotent POST accepts. */
const IDEMPOTENCY_KEY_SCHEMA = { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' } as const;

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export interface CompletionOptions {
  /** `PUBLIC_URL`: the one server entry. */
  readonly publicUrl: string;
  /** Access of a route by operationId (see collectRouteAccess). */
  readonly accessOf: (operationId: string) => RouteAccess | undefined;
  /** Name of the session cookie the guard accepts. */
  readonly sessionCookie: string;
}

/**
 * Completes what Nest's explorer leaves out, for every operation at once, so
 * routes added later are described without per-controller work: security
 * (from the same metadata the guard reads), required scopes, 401/403
 * problems, undeclared path parameters, shared header schemas (X-Request-Id
 * on every answer, Retry-After on 429/503, the idempotency headers) and
 * stable ordering (paths and components sorted) so the export is
 * deterministic.
 */
export function completeDocument(document: OpenAPIObject, options: CompletionOptions): OpenAPIObject {
  const components = document.components ?? {};
  components.securitySchemes = {
    [SECURITY_SCHEMES.apiKey]: {
      type: 'apiKey',
      in: 'header',
      name: 'X-Api-Key',
      description: 'An API key (`API_KEYS`; admin keys carry the `admin` scope)',
    },
    [SECURITY_SCHEMES.bearer]: {
      type: 'http',
      scheme: 'bearer',
      description: 'An API key, or a session token from a login (`/auth/refresh` returns one)',
    },
    [SECURITY_SCHEMES.sessionCookie]: {
      type: 'apiKey',
      in: 'cookie',
      name: options.sessionCookie,
      description: 'The session cookie a browser login sets',
    },
  };
  components.headers = { ...components.headers, ...SHARED_HEADERS };

  const paths: Record<string, PathItemObject> = {};
  for (const path of Object.keys(document.paths).sort()) {
    const item = document.paths[path];
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (operation !== undefined) completeOperation(path, method, operation, options);
    }
    paths[path] = item;
  }

  return {
    ...document,
    servers: [{ url: options.publicUrl }],
    paths,
    components: sortKeys({
      ...components,
      schemas: components.schemas && sortKeys(components.schemas),
    }),
  };
}

function completeOperation(path: string, method: string, operation: OperationObject, options: CompletionOptions): void {
  const operationId = operation.operationId ?? '';
  const access = options.accessOf(operationId);
  if (access === undefined) {
    // A route whose guard metadata cannot be found would be documented wrongly; refuse to build the contract.
    throw new Error(`OpenAPI: no route access known for ${method.toUpperCase()} ${path} (${operationId})`);
  }
  operation.security = securityOf(access);
  const scopes = [...access.scopes];
  if (scopes.length > 0) {
    (operation as OperationObject & { 'x-required-scopes'?: string[] })['x-required-scopes'] = scopes;
    const note = `Requires the scope${scopes.length > 1 ? 's' : ''} ${scopes.map((s) => `\`${s}\``).join(', ')}.`;
    operation.description = operation.description === undefined ? note : `${operation.description}\n\n${note}`;
  }

  const responses = operation.responses as Record<string, ResponseObject | ReferenceObject>;
  if (!access.public) responses['401'] ??= problemResponse(401);
  if (scopes.length > 0) responses['403'] ??= problemResponse(403);
  operation.responses = sortKeys(responses);

  operation.parameters = completeParameters(path, operation.parameters ?? []);
  for (const [status, response] of Object.entries(operation.responses) as Array<
    [string, ResponseObject | ReferenceObject]
  >) {
    if (!('$ref' in response)) completeResponseHeaders(status, response);
  }
}

function securityOf(access: RouteAccess): SecurityRequirementObject[] {
  if (access.public) return [];
  const keys: SecurityRequirementObject[] = [{ [SECURITY_SCHEMES.apiKey]: [] }, { [SECURITY_SCHEMES.bearer]: [] }];
  // Sessions carry scopes too (AUTH_USER_SCOPES; `admin` for AUTH_ADMIN_EMAILS), so every route takes the cookie.
  return [...keys, { [SECURITY_SCHEMES.sessionCookie]: [] }];
}

function completeParameters(
  path: string,
  parameters: ReadonlyArray<ParameterObject | ReferenceObject>,
): Array<ParameterObject | ReferenceObject> {
  const result = parameters.map((parameter) => {
    if ('$ref' in parameter) return parameter;
    if (parameter.in === 'header' && parameter.name.toLowerCase() === 'idempotency-key') {
      return { ...parameter, name: 'Idempotency-Key', schema: IDEMPOTENCY_KEY_SCHEMA };
    }
    // Path, query and header values are strings unless a DTO typed them (Nest emits `{}` for untyped ones).
    const untyped = parameter.content === undefined && (parameter.schema === undefined || isEmpty(parameter.schema));
    return untyped ? { ...parameter, schema: { type: 'string' } } : parameter;
  });
  const declared = new Set(
    result.filter((p): p is ParameterObject => !('$ref' in p) && p.in === 'path').map((p) => p.name),
  );
  for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) {
    if (!declared.has(name)) result.push({ name, in: 'path', required: true, schema: { type: 'string' } });
  }
  return result;
}

function completeResponseHeaders(status: string, response: ResponseObject): void {
  const headers: Record<string, HeaderObject | ReferenceObject> = { ...response.headers };
  for (const name of Object.keys(headers)) {
    if (name in SHARED_HEADERS) headers[name] = headerRef(name);
  }
  headers['X-Request-Id'] = headerRef('X-Request-Id');
  if (status === '429' || status === '503') headers['Retry-After'] = headerRef('Retry-After');
  response.headers = sortKeys(headers);
}

function isEmpty(value: object): boolean {
  return Object.keys(value).length === 0;
}

function headerRef(name: string): ReferenceObject {
  return { $ref: `#/components/headers/${name}` };
}

function sortKeys<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) as T;
}
