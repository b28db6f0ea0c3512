import { STATUS_CODES } from 'node:http';
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { IntegrationError } from './integration.error';
import { PROBLEM_CONTENT_TYPE, type ProblemDetails, problemType } from './problem';
import { ProblemException } from './problem.exception';
import { ValidationProblemException } from './validation-problem.exception';
import { JsonShapeError } from '../http/json-shape';
import { requestIdOf } from '../http/request-id';

/** Errors raised by Express body parsers before a route runs. */
interface BodyParserError extends Error {
  type: string;
  status?: number;
  statusCode?: number;
  expose?: boolean;
}

const BODY_PARSER_DETAILS: Readonly<Record<string, { status: number; detail: string; slug: string }>> = {
  'entity.parse.failed': { status: 400, detail: 'The request body is not valid JSON', slug: 'malformed-body' },
  'entity.too.large': {
    status: 413,
    detail: 'The request body is larger than the server accepts',
    slug: 'body-too-large',
  },
  'encoding.unsupported': {
    status: 415,
    detail: 'The request body uses an unsupported content encoding',
    slug: 'unsupported-encoding',
  },
  'charset.unsupported': {
    status: 415,
    detail: 'The request body uses an unsupported charset',
    slug: 'unsupported-charset',
  },
  'request.aborted': {
    status: 400,
    detail: 'The request was aborted before its body was read',
    slug: 'request-aborted',
  },
  // From the JSON shape scan (core/http/json-shape.ts), before parsing; its message says which rule.
  'entity.too.deep': { status: 400, detail: 'The JSON body is nested too deeply', slug: 'json-too-deep' },
  'entity.forbidden.key': { status: 400, detail: 'The JSON body uses a forbidden key', slug: 'forbidden-json-key' },
  'entity.invalid.unicode': { status: 400, detail: 'The JSON body is not valid Unicode', slug: 'malformed-body' },
  'request.size.invalid': {
    status: 400,
    detail: 'The request body does not match its Content-Length',
    slug: 'malformed-body',
  },
};

/**
 * The one exception filter: every error leaves as RFC 9457
 * `application/problem+json` with the request id. Stack traces and upstream
 * bodies stay in the logs; clients get a status, a title and a safe detail.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request>();
    const res = ctx.getResponse<Response>();
    const { problem, headers } = this.toProblem(exception);
    problem.instance = req.originalUrl?.split('?')[0] ?? req.url;
    const requestId = requestIdOf(req);
    if (requestId !== undefined) problem.requestId = requestId;

    if (problem.status >= 500) {
      this.logger.error({ err: exception, status: problem.status, requestId }, problem.detail ?? problem.title);
    } else if (exception instanceof IntegrationError) {
      this.logger.warn({ err: exception, status: problem.status, requestId }, exception.message);
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  }

  private toProblem(exception: unknown): { problem: ProblemDetails; headers: Record<string, string> } {
    if (exception instanceof IntegrationError) return fromIntegrationError(exception);
    if (exception instanceof ValidationProblemException) {
      return {
        problem: {
          type: problemType('validation'),
          title: 'Invalid request',
          status: 400,
          detail: exception.message,
          errors: exception.errors,
        },
        headers: {},
      };
    }
    if (exception instanceof ProblemException) {
      const status = exception.getStatus();
      return {
        problem: {
          ...exception.problem.extensions,
          type: exception.problem.slug ? problemType(exception.problem.slug) : 'about:blank',
          title: exception.problem.title ?? STATUS_CODES[status] ?? 'Error',
          status,
          detail: exception.message,
        },
        headers: { ...exception.problem.headers },
      };
    }
    // Express maps body-parser errors to HttpExceptions; the cause says which.
    const parserError = isBodyParserError(exception)
      ? exception
      : exception instanceof HttpException && isBodyParserError(exception.cause)
        ? exception.cause
        : undefined;
    if (parserError !== undefined) {
      const known = BODY_PARSER_DETAILS[parserError.type];
      const status = known?.status ?? parserError.status ?? parserError.statusCode ?? 400;
      return {
        problem: {
          type: known ? problemType(known.slug) : 'about:blank',
          title: STATUS_CODES[status] ?? 'Bad Request',
          status,
          detail:
            parserError instanceof JsonShapeError
              ? parserError.message
              : (known?.detail ?? 'The request body could not be read'),
        },
        headers: {},
      };
    }
    if (exception instanceof HttpException) return fromHttpException(exception);
    return {
      problem: {
        type: 'about:blank',
        title: 'Internal Server Error',
        status: 500,
        detail: 'Something went wrong on our side; the request id helps us find it',
      },
      headers: {},
    };
  }
}

function fromIntegrationError(error: IntegrationError): { problem: ProblemDetails; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  if (error.retryAfterMs !== undefined && (error.httpStatus === 429 || error.httpStatus === 503)) {
    headers['Retry-After'] = String(Math.max(1, Math.ceil(error.retryAfterMs / 1000)));
  }
  return {
    problem: {
      ...error.details,
      type: problemType(error.slug),
      title: error.title,
      status: error.httpStatus,
      detail: error.message,
      provider: error.provider,
      ...(error.code === undefined ? {} : { code: error.code }),
    },
    headers,
  };
}

function fromHttpException(exception: HttpException): { problem: ProblemDetails; headers: Record<string, string> } {
  const status = exception.getStatus();
  const body = exception.getResponse();
  let detail = exception.message;
  if (typeof body === 'object' && body !== null && 'message' in body) {
    const message = body.message;
    if (Array.isArray(message)) detail = message.map(String).join('; ');
    else if (typeof message === 'string') detail = message;
  }
  // Nest's default 404 says "Cannot GET /x": keep it, it names the route.
  return {
    problem: { type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail },
    headers: {},
  };
}

function isBodyParserError(error: unknown): error is BodyParserError {
  return error instanceof Error && typeof (error as Partial<BodyParserError>).type === 'string';
}
