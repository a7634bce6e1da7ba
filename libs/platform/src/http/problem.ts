import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError, ErrorKind } from '@access-ledger/core';
import { AuthenticationError } from '@access-ledger/auth';
import { AppendTooLargeError, DuplicateEventIdError, EventStoreUnavailableError, WrongExpectedRevisionError } from '@access-ledger/event-store';

/** RFC 9457 problem details; `type` ends in a stable code clients can switch on. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  correlationId?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export interface FieldError {
  readonly field: string;
  readonly messages: readonly string[];
}

export const PROBLEM_TYPE_BASE = 'urn:access-ledger:problem:';
export const problemType = (code: string) => `${PROBLEM_TYPE_BASE}${code}`;

const STATUS_BY_KIND: Record<ErrorKind, number> = {
  validation: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  stale: 412,
  too_many: 429,
  unavailable: 503,
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const CODES_BY_STATUS: Record<number, string> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  408: 'request-timeout',
  409: 'conflict',
  412: 'precondition-failed',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  429: 'rate-limited',
  431: 'header-fields-too-large',
  503: 'unavailable',
};

/** A 400 whose body names each offending field. */
export class RequestValidationError extends Error {
  constructor(readonly errors: FieldError[]) {
    super(`Invalid request: ${errors.map((e) => e.field).join(', ')}`);
    this.name = 'RequestValidationError';
  }
}

/** An error raised by the JSON body parser before any route runs, keeping its kind. */
export class BodyParseError extends Error {
  readonly type: string;
  readonly status: number;
  /** The message of one of our own body checks (BODY_CHECKS), which is meant for the client. */
  readonly checkMessage?: string;
  constructor(cause: unknown) {
    super('The request body could not be read');
    this.name = 'BodyParseError';
    const { type, status } = (cause ?? {}) as { type?: unknown; status?: unknown };
    this.type = typeof type === 'string' ? type : 'unknown';
    this.status = typeof status === 'number' && status >= 400 && status < 500 ? status : 400;
    // Our own checks write their messages for the client; a parser's message is not shown.
    if (cause instanceof Error && cause.name === 'JsonBodyError') this.checkMessage = cause.message;
  }
}

/** Problems of the checks that run on the raw body before it is parsed (see json-body.ts). */
const BODY_CHECKS: Record<string, { status: number; code: string; fallback: string }> = {
  'json.too.deep': { status: 400, code: 'json-too-deep', fallback: 'The request body is nested too deep.' },
  'json.too.many.items': { status: 400, code: 'json-too-many-items', fallback: 'The request body has too many array elements and object members.' },
  'unicode.malformed': { status: 400, code: 'malformed-unicode', fallback: 'The request body is not well-formed Unicode.' },
  'charset.unsupported': { status: 415, code: 'unsupported-charset', fallback: 'JSON bodies must be encoded in UTF-8.' },
};

export function toProblem(exception: unknown): { problem: Problem; headers: Record<string, string> } {
  // Extensions first: they can never overwrite the standard members.
  const make = (status: number, code: string, detail: string, extra: Record<string, unknown> = {}): Problem => ({
    ...extra,
    type: problemType(code),
    title: TITLES[status] ?? HttpStatus[status] ?? 'Error',
    status,
    detail,
  });
  if (exception instanceof RequestValidationError) {
    return { problem: make(400, 'validation-failed', 'The request is not valid: see errors.', { errors: exception.errors }), headers: {} };
  }
  if (exception instanceof DomainError) {
    const retryAfter = exception.extensions.retryAfterSeconds;
    return {
      problem: make(STATUS_BY_KIND[exception.kind], exception.code, exception.message, exception.extensions),
      headers: {
        ...(typeof retryAfter === 'number' ? { 'Retry-After': String(retryAfter) } : {}),
        ...(exception.kind === 'unauthorized' ? { 'WWW-Authenticate': 'Bearer' } : {}),
      },
    };
  }
  if (exception instanceof AuthenticationError) {
    return {
      problem: make(401, exception.code, exception.message),
      // RFC 6750 §3: error_description is visible ASCII without `"` and `\`; anything else would make the header invalid (a 500).
      headers: { 'WWW-Authenticate': `Bearer error="invalid_token", error_description="${exception.message.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '?')}"` },
    };
  }
  if (exception instanceof WrongExpectedRevisionError) {
    return { problem: make(409, 'concurrent-modification', 'The resource was changed by another request at the same time; retry.'), headers: {} };
  }
  // The event store's own typed refusals (libs/event-store, event-store.ts): nothing was written in any of them.
  if (exception instanceof DuplicateEventIdError) {
    return { problem: make(409, 'duplicate-event-id', 'This request repeats part of an earlier change, but not all of it; nothing was written.'), headers: {} };
  }
  if (exception instanceof AppendTooLargeError) {
    return { problem: make(413, 'append-too-large', `The change is larger than the event store accepts (${exception.maxSize} bytes); nothing was written.`), headers: {} };
  }
  if (exception instanceof EventStoreUnavailableError) {
    const retryAfter = Math.max(1, Math.ceil(exception.retryAfterSeconds));
    return {
      problem: make(503, 'event-store-unavailable', 'The event store did not confirm the change in time; it may or may not have been recorded. Retry the same request (with the same Idempotency-Key, if you sent one).', { retryAfterSeconds: retryAfter }),
      headers: { 'Retry-After': String(retryAfter) },
    };
  }
  if (exception instanceof BodyParseError) {
    if (exception.type === 'entity.too.large') return { problem: make(413, 'payload-too-large', 'The request body is larger than this service accepts.'), headers: {} };
    if (exception.type === 'entity.parse.failed') return { problem: make(400, 'malformed-json', 'The request body is not valid JSON.'), headers: {} };
    // Refused by our own checks before parsing (json-body.ts): their messages are written for the client.
    const own = Object.hasOwn(BODY_CHECKS, exception.type) ? BODY_CHECKS[exception.type] : undefined;
    if (own) return { problem: make(own.status, own.code, exception.checkMessage ?? own.fallback), headers: {} };
    return { problem: make(exception.status, CODES_BY_STATUS[exception.status] ?? 'bad-request', 'The request body could not be read (check its encoding and Content-Type).'), headers: {} };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const body = exception.getResponse();
    const message = typeof body === 'string' ? body : String((body as { message?: unknown }).message ?? exception.message);
    const detail = status === 404 && /^Cannot [A-Z]+ /.test(message) ? `No such resource: ${message.slice('Cannot '.length)}` : message;
    // Readiness (terminus) answers 503 with what is down: keep that, it is what an operator needs.
    if (status === 503 && typeof body === 'object' && body !== null && 'details' in body) {
      return { problem: make(503, 'not-ready', 'A dependency is down or a projection is too far behind: see checks.', { checks: (body as { details: unknown }).details }), headers: {} };
    }
    return { problem: make(status, CODES_BY_STATUS[status] ?? 'error', status >= 500 ? 'An unexpected error occurred.' : detail), headers: {} };
  }
  return { problem: make(500, 'internal-error', 'An unexpected error occurred; quote the correlation id when reporting it.'), headers: {} };
}

/** The one place where errors become HTTP responses. No stack or internal message leaves the process. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Problem');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    sendProblem(exception, request, response, this.logger);
  }
}

export function sendProblem(exception: unknown, request: Request, response: Response, logger: Pick<Logger, 'error'>): void {
  const { problem, headers } = toProblem(exception);
  problem.instance = request.originalUrl;
  problem.correlationId = request.correlationId;
  if (problem.status >= 500) logger.error(exception instanceof Error ? exception.stack ?? exception.message : String(exception));
  if (response.headersSent) return;
  response.status(problem.status).set(headers).type('application/problem+json').send(JSON.stringify(problem));
}
