/**
 * Errors with a stable `code` (the last segment of the problem `type` URI) and a `kind`
 * that the one HTTP exception filter maps to a status code. Domain code throws these;
 * nothing else about HTTP leaks into the domain.
 */
export type ErrorKind =
  | 'validation'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'unprocessable'
  | 'stale'
  | 'too_many'
  | 'unavailable';

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends DomainError {
  constructor(code: string, message: string, extensions?: Record<string, unknown>) {
    super('validation', code, message, extensions);
  }
}

export class ForbiddenError extends DomainError {
  constructor(code: string, message: string, extensions?: Record<string, unknown>) {
    super('forbidden', code, message, extensions);
  }
}

export class NotFoundError extends DomainError {
  constructor(code: string, message: string, extensions?: Record<string, unknown>) {
    super('not_found', code, message, extensions);
  }
}

export class ConflictError extends DomainError {
  constructor(code: string, message: string, extensions?: Record<string, unknown>) {
    super('conflict', code, message, extensions);
  }
}

/** The client acted on a version it displayed which is no longer current (If-Match). */
export class StaleVersionError extends DomainError {
  constructor(readonly expected: number, readonly actual: number) {
    super('stale', 'stale-version', `The resource changed: you sent version ${expected}, the current version is ${actual}.`, {
      currentVersion: actual,
    });
  }
}

/** The caller went over a rate limit; `retryAfterSeconds` becomes the Retry-After header. */
export class TooManyRequestsError extends DomainError {
  constructor(code: string, message: string, retryAfterSeconds: number, extensions: Record<string, unknown> = {}) {
    super('too_many', code, message, { ...extensions, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterSeconds)) });
  }
}
