// One error hierarchy for the whole service. The HTTP layer maps these by `instanceof`
// in a single middleware; nothing else decides status codes.

export interface ErrorDetail {
  path?: string;
  message: string;
  [key: string]: unknown;
}

export class AppError extends Error {
  readonly statusCode: number;
  readonly code: string;
  readonly details: ErrorDetail[];
  readonly headers: Record<string, string>;

  constructor(
    statusCode: number,
    code: string,
    message: string,
    opts: { cause?: unknown; details?: ErrorDetail[]; headers?: Record<string, string> } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = new.target.name;
    this.statusCode = statusCode;
    this.code = code;
    this.details = opts.details ?? [];
    this.headers = opts.headers ?? {};
  }
}

/** 400: the request is malformed (bad JSON, wrong types, unknown fields). */
export class BadRequestError extends AppError {
  constructor(code: string, message: string, details?: ErrorDetail[]) {
    super(400, code, message, { details });
  }
}

/** 401: no key, a malformed key, or a key that is unknown, disabled or revoked. */
export class UnauthorizedError extends AppError {
  constructor(message = 'A valid API key is required', code = 'unauthorized') {
    super(401, code, message, { headers: { 'WWW-Authenticate': 'Bearer' } });
  }
}

/** 403: authenticated but not allowed. */
export class ForbiddenError extends AppError {
  constructor(code: string, message: string, details?: ErrorDetail[]) {
    super(403, code, message, { details });
  }
}

/** 404: unknown, or another tenant's (tenants are never enumerable). */
export class NotFoundError extends AppError {
  constructor(what: string, code = 'not_found') {
    super(404, code, `${what} not found`);
  }
}

/** 409: a conditional write lost (stale version, duplicate id). */
export class ConflictError extends AppError {
  constructor(code: string, message: string, details?: ErrorDetail[]) {
    super(409, code, message, { details });
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(limitBytes: number) {
    super(413, 'payload_too_large', `The request body exceeds ${limitBytes} bytes`);
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor() {
    super(415, 'unsupported_media_type', 'The request body must be JSON (Content-Type: application/json)');
  }
}

/** 422: valid JSON that breaks a rule (an STS limit, a policy rule). */
export class UnprocessableError extends AppError {
  constructor(code: string, message: string, details?: ErrorDetail[]) {
    super(422, code, message, { details });
  }
}

export class RateLimitedError extends AppError {
  constructor(retryAfterSeconds: number, message = 'Too many requests') {
    super(429, 'rate_limited', message, { headers: { 'Retry-After': String(retryAfterSeconds) } });
  }
}

/** 502: STS refused for a reason the caller cannot fix (e.g. the role does not trust us). */
export class UpstreamRefusedError extends AppError {
  constructor(code: string, message: string, cause?: unknown) {
    super(502, code, message, { cause });
  }
}

/** 503: a dependency is down or throttling; safe to retry later. */
export class DependencyUnavailableError extends AppError {
  constructor(code: string, message: string, opts: { cause?: unknown; retryAfterSeconds?: number } = {}) {
    super(503, code, message, {
      cause: opts.cause,
      headers: opts.retryAfterSeconds ? { 'Retry-After': String(opts.retryAfterSeconds) } : {},
    });
  }
}
