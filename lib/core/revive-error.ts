// Errors across bundles: the lazily loaded token verifier (lib/wiring/web-identity.ts) and MFA check
// (lib/wiring/mfa.ts) are bundles of their own, each with its own copy of errors.ts, so their errors
// fail `instanceof AppError` in the handler's error mapper. (Apart from errors.ts, whose every export is an error class.)
import {
  AppError,
  type DependencyUnavailableCode,
  DependencyUnavailableError,
  ForbiddenError,
  RateLimitedError,
  UnauthorizedError,
} from './errors';

/**
 * An error of ours thrown by a module bundled apart (the lazily loaded token verifier has its own
 * copy of this file, so `instanceof` fails), as this copy's own class; anything else as it was.
 */
export function reviveAppError(err: unknown): unknown {
  const e = err as { statusCode?: unknown; code?: string; message?: string; cause?: unknown } | undefined;
  if (err instanceof AppError || typeof e?.code !== 'string') return err;
  // 401s; the lazily loaded MFA check's refusals (issue 19: 403 mfa_code_invalid, mfa_code_replayed,
  // mfa_not_enrolled; 429 mfa_attempts_exceeded, whose Retry-After is in its own `headers`). The error
  // itself becomes this copy's class (its status, code, message and headers are its own properties): no
  // constructor call per class, which the handler's byte budget has no room for. The cause is dropped.
  const revived = ({ 401: UnauthorizedError, 403: ForbiddenError, 429: RateLimitedError } as Record<string, { prototype: AppError }>)[
    `${e.statusCode}`
  ];
  if (revived) {
    delete e.cause;
    return Object.setPrototypeOf(err, revived.prototype);
  }
  if (e.statusCode === 503)
    // The cause (why an issuer could not be reached) stays for the error log line; it never reaches the answer.
    return new DependencyUnavailableError(e.code as DependencyUnavailableCode, `${e.message}`, { retryAfterSeconds: 5, cause: e.cause });
  return err;
}
