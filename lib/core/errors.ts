// One error hierarchy for the whole service. The HTTP layer maps these by `instanceof`
// in a single middleware; nothing else decides status codes.
//
// Every class is built the same way: `new XError(code, message, options?)`. Each `code` is a union
// of the codes that class may carry, so a message passed where the code belongs does not compile.

export interface ErrorDetail {
  path?: string;
  message: string;
  [key: string]: unknown;
}

/** What any error may carry besides its code and message; `cause` is logged, never answered. */
export interface AppErrorOptions {
  cause?: unknown;
  details?: ErrorDetail[];
}

export abstract class AppError extends Error {
  /**
   * Spelled out in each class: the bundles are minified, so the class's own name (new.target.name)
   * would log as "nn". A string costs bytes only here; esbuild's keepNames cost 27 KB per bundle.
   */
  abstract override readonly name: string;
  readonly statusCode: number;
  readonly code: string;
  readonly details: ErrorDetail[];
  readonly headers: Record<string, string>;

  constructor(statusCode: number, code: string, message: string, opts: AppErrorOptions & { headers?: Record<string, string> } = {}) {
    super(message, { cause: opts.cause });
    this.statusCode = statusCode;
    this.code = code;
    this.details = opts.details ?? [];
    this.headers = opts.headers ?? {};
  }
}

export type BadRequestCode = 'invalid_request' | 'invalid_json' | 'body_too_deep' | 'invalid_format' | 'invalid_limit' | 'invalid_cursor';

/** 400: the request is malformed (bad JSON, wrong types, unknown fields). */
export class BadRequestError extends AppError {
  override readonly name = 'BadRequestError';
  constructor(code: BadRequestCode, message: string, options?: AppErrorOptions) {
    super(400, code, message, options);
  }
}

export type UnauthorizedCode =
  | 'missing_key'
  | 'invalid_key'
  // OIDC tokens (issue 17): each names the check that failed, never a claim's value.
  | 'token_malformed'
  | 'token_too_large'
  | 'token_audience_unknown'
  // Unregistered issuer (or tenant), unknown key and bad signature alike: probing learns nothing (F5).
  | 'token_not_trusted'
  | 'token_algorithm_not_allowed'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'token_issued_in_future'
  | 'token_claims_invalid'
  | 'token_subject_not_allowed'
  | 'token_identity_ambiguous';

/** 401: no key, a malformed key, or a key that is unknown, disabled or revoked. */
export class UnauthorizedError extends AppError {
  override readonly name = 'UnauthorizedError';
  constructor(code: UnauthorizedCode, message: string, options?: AppErrorOptions) {
    super(401, code, message, { ...options, headers: { 'WWW-Authenticate': 'Bearer' } });
  }
}

export type ForbiddenCode =
  | 'wrong_key_kind'
  | 'tenant_disabled'
  | 'partner_disabled'
  | 'policy_not_configured'
  | 'mode_not_allowed'
  | 'scope_not_allowed'
  | 'binding_not_configured'
  | 'policy_outside_binding'
  | 'policy_needs_update'
  | 'mfa_required'
  | 'mfa_code_invalid'
  | 'mfa_code_replayed'
  | 'mfa_not_enrolled';

/** 403: authenticated but not allowed. */
export class ForbiddenError extends AppError {
  override readonly name = 'ForbiddenError';
  constructor(code: ForbiddenCode, message: string, options?: AppErrorOptions) {
    super(403, code, message, options);
  }
}

export type NotFoundCode = 'not_found' | 'policy_not_configured' | 'binding_not_configured' | 'route_not_found';

/** 404: unknown, or another tenant's (tenants are never enumerable). */
export class NotFoundError extends AppError {
  override readonly name = 'NotFoundError';
  constructor(code: NotFoundCode, message: string, options?: AppErrorOptions) {
    super(404, code, message, options);
  }
}

/** 405: the path is a route of the API, the method is not; `Allow` lists the methods it has. */
export class MethodNotAllowedError extends AppError {
  override readonly name = 'MethodNotAllowedError';
  constructor(code: 'method_not_allowed', message: string, options: AppErrorOptions & { allow: string[] }) {
    super(405, code, message, { cause: options.cause, details: options.details, headers: { Allow: options.allow.join(', ') } });
  }
}

export type ConflictCode =
  | 'version_conflict'
  | 'tenant_exists'
  | 'partner_exists'
  | 'key_exists'
  | 'key_revoked'
  | 'own_operator_key'
  | 'operator_key_exists'
  | 'mfa_device_limit'
  | 'mfa_device_confirmed'
  | 'idempotency_key_reused';

/** 409: a conditional write lost (stale version, duplicate id). */
export class ConflictError extends AppError {
  override readonly name = 'ConflictError';
  constructor(code: ConflictCode, message: string, options?: AppErrorOptions) {
    super(409, code, message, options);
  }
}

export class PayloadTooLargeError extends AppError {
  override readonly name = 'PayloadTooLargeError';
  constructor(code: 'payload_too_large', message: string, options?: AppErrorOptions) {
    super(413, code, message, options);
  }
}

export class UnsupportedMediaTypeError extends AppError {
  override readonly name = 'UnsupportedMediaTypeError';
  constructor(code: 'unsupported_media_type', message: string, options?: AppErrorOptions) {
    super(415, code, message, options);
  }
}

export type UnprocessableCode =
  | 'invalid_policy'
  | 'invalid_binding'
  | 'invalid_workload_identity'
  | 'policy_key_collision'
  | 'duration_not_allowed'
  | 'sts_limit_exceeded'
  | 'sts_malformed_policy'
  | 'sts_packed_policy_too_large'
  | 'sts_validation_error'
  | 'scope_too_complex'
  | 'mfa_code_invalid';

/** 422: valid JSON that breaks a rule (an STS limit, a policy rule). */
export class UnprocessableError extends AppError {
  override readonly name = 'UnprocessableError';
  constructor(code: UnprocessableCode, message: string, options?: AppErrorOptions) {
    super(422, code, message, options);
  }
}

/** 429: the partner's issuance rate limit, or its budget of MFA code attempts (mfa_attempts_exceeded). */
export type RateLimitedCode = 'rate_limited' | 'mfa_attempts_exceeded';

export class RateLimitedError extends AppError {
  override readonly name = 'RateLimitedError';
  constructor(code: RateLimitedCode, message: string, options: AppErrorOptions & { retryAfterSeconds: number }) {
    super(429, code, message, {
      cause: options.cause,
      details: options.details,
      headers: { 'Retry-After': String(options.retryAfterSeconds) },
    });
  }
}

export type UpstreamRefusedCode = 'sts_region_disabled' | 'sts_access_denied' | 'sts_credentials_rejected';

/** 502: STS refused for a reason the caller cannot fix (e.g. the role does not trust us). */
export class UpstreamRefusedError extends AppError {
  override readonly name = 'UpstreamRefusedError';
  constructor(code: UpstreamRefusedCode, message: string, options?: AppErrorOptions) {
    super(502, code, message, options);
  }
}

export type DependencyUnavailableCode =
  | 'dynamodb_unavailable'
  | 'audit_write_failed'
  | 'dependency_timeout'
  | 'sts_throttled'
  | 'sts_unavailable'
  | 'federation_not_configured'
  | 'federation_keys_unavailable'
  | 'federation_keys_invalid'
  | 'mfa_unavailable'
  | 'oidc_issuer_unavailable';

/** 503: a dependency is down or throttling; safe to retry later. */
export class DependencyUnavailableError extends AppError {
  override readonly name = 'DependencyUnavailableError';
  constructor(code: DependencyUnavailableCode, message: string, options: AppErrorOptions & { retryAfterSeconds?: number } = {}) {
    super(503, code, message, {
      cause: options.cause,
      details: options.details,
      headers: options.retryAfterSeconds ? { 'Retry-After': String(options.retryAfterSeconds) } : {},
    });
  }
}
