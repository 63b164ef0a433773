// Typed errors of the partner client, one class per kind of failure a caller reacts to differently.
// Messages come from the API's error body or from this client; neither ever carries a secret.

export interface CredvendErrorInit {
  code: string;
  message: string;
  /** HTTP status; undefined when no HTTP answer was received (network, parse, configuration). */
  status?: number;
  requestId?: string;
  details?: unknown[];
  cause?: unknown;
}

export class CredvendError extends Error {
  readonly code: string;
  readonly status: number | undefined;
  readonly requestId: string | undefined;
  readonly details: unknown[];

  constructor(init: CredvendErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.code = init.code;
    this.status = init.status;
    this.requestId = init.requestId;
    this.details = init.details ?? [];
  }

  /** Whether trying the same request again later may succeed. */
  get retryable(): boolean {
    return false;
  }
}

/** 401: no key, a malformed key, or one that is unknown, disabled or revoked. */
export class CredvendAuthError extends CredvendError {}

/** 403: the key is valid but not allowed this (tenant/partner disabled, mode or scope not allowed). */
export class CredvendForbiddenError extends CredvendError {}

/** 400 / 422: the request is malformed or breaks a rule (an STS limit, a tenant maximum). */
export class CredvendValidationError extends CredvendError {}

/** 429: rate limited; `retryAfterSeconds` is the server's Retry-After when it sent one. */
export class CredvendRateLimitError extends CredvendError {
  readonly retryAfterSeconds: number | undefined;

  constructor(init: CredvendErrorInit & { retryAfterSeconds?: number }) {
    super(init);
    this.retryAfterSeconds = init.retryAfterSeconds;
  }

  override get retryable(): boolean {
    return true;
  }
}

/** 5xx, a network failure or a timeout. Only 502/503/504 and network failures are worth retrying. */
export class CredvendUnavailableError extends CredvendError {
  readonly retryAfterSeconds: number | undefined;

  constructor(init: CredvendErrorInit & { retryAfterSeconds?: number }) {
    super(init);
    this.retryAfterSeconds = init.retryAfterSeconds;
  }

  override get retryable(): boolean {
    return this.status === undefined || this.status === 502 || this.status === 503 || this.status === 504;
  }
}

/** Malformed `serialized` input, or an API answer that does not have the documented shape. */
export class CredvendParseError extends CredvendError {
  constructor(code: string, message: string) {
    super({ code, message });
  }
}

/** The error class for an HTTP error status, per the API contract's status table. */
export function errorForStatus(init: CredvendErrorInit & { status: number; retryAfterSeconds?: number }): CredvendError {
  const { status } = init;
  if (status === 401) return new CredvendAuthError(init);
  if (status === 403) return new CredvendForbiddenError(init);
  if (status === 400 || status === 422) return new CredvendValidationError(init);
  if (status === 429) return new CredvendRateLimitError(init);
  if (status >= 500) return new CredvendUnavailableError(init);
  return new CredvendError(init);
}
