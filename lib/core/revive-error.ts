// Errors across bundles: the lazily loaded token verifier (lib/wiring/web-identity.ts) is a bundle of
// its own with its own copy of errors.ts, so its errors fail `instanceof AppError` in the handler's
// error mapper. (Apart from errors.ts, whose every export is an error class.)
import { AppError, type DependencyUnavailableCode, DependencyUnavailableError, type UnauthorizedCode, UnauthorizedError } from './errors';

/**
 * An error of ours thrown by a module bundled apart (the lazily loaded token verifier has its own
 * copy of this file, so `instanceof` fails), as this copy's own class; anything else as it was.
 */
export function reviveAppError(err: unknown): unknown {
  const e = err as { statusCode?: unknown; code?: string; message?: string; cause?: unknown } | undefined;
  if (err instanceof AppError || typeof e?.code !== 'string') return err;
  if (e.statusCode === 401) return new UnauthorizedError(e.code as UnauthorizedCode, `${e.message}`);
  if (e.statusCode === 503)
    // The cause (why an issuer could not be reached) stays for the error log line; it never reaches the answer.
    return new DependencyUnavailableError(e.code as DependencyUnavailableCode, `${e.message}`, { retryAfterSeconds: 5, cause: e.cause });
  return err;
}
