// Errors across bundles: the lazily loaded token verifier (lib/wiring/web-identity.ts) and MFA check
// (lib/wiring/mfa.ts) are bundles of their own, each with its own copy of errors.ts, so their errors
// fail `instanceof AppError` in the handler's error mapper. (Apart from errors.ts, whose every export is an error class.)
import {
  AppError,
  type DependencyUnavailableCode,
  DependencyUnavailableError,
  type ForbiddenCode,
  ForbiddenError,
  type UnauthorizedCode,
  UnauthorizedError,
} from './errors';

/**
 * An error of ours thrown by a module bundled apart (the lazily loaded token verifier has its own
 * copy of this file, so `instanceof` fails), as this copy's own class; anything else as it was.
 */
export function reviveAppError(err: unknown): unknown {
  const e = err as { statusCode?: unknown; code?: string; message?: string; cause?: unknown } | undefined;
  if (err instanceof AppError || typeof e?.code !== 'string') return err;
  if (e.statusCode === 401) return new UnauthorizedError(e.code as UnauthorizedCode, `${e.message}`);
  // The lazily loaded MFA check's refusals (issue 19: mfa_code_invalid, mfa_code_replayed, mfa_not_enrolled).
  if (e.statusCode === 403) return new ForbiddenError(e.code as ForbiddenCode, `${e.message}`);
  if (e.statusCode === 503)
    // The cause (why an issuer could not be reached) stays for the error log line; it never reaches the answer.
    return new DependencyUnavailableError(e.code as DependencyUnavailableCode, `${e.message}`, { retryAfterSeconds: 5, cause: e.cause });
  return err;
}
