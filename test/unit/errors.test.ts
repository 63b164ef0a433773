import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { build } from 'esbuild';
import { readServerlessYml } from '../../bench/serverless-config';
import {
  AppError,
  BadRequestError,
  ConflictError,
  DependencyUnavailableError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitedError,
  UnauthorizedError,
  UnprocessableError,
  UnsupportedMediaTypeError,
  UpstreamRefusedError,
} from '../../lib/core/errors';

describe('the error hierarchy', () => {
  it.each<[AppError, number, string, string, Record<string, string>]>([
    [
      new BadRequestError('invalid_json', 'The request body is not valid JSON'),
      400,
      'invalid_json',
      'The request body is not valid JSON',
      {},
    ],
    [
      new UnauthorizedError('invalid_key', 'The API key is not valid'),
      401,
      'invalid_key',
      'The API key is not valid',
      { 'WWW-Authenticate': 'Bearer' },
    ],
    [new ForbiddenError('tenant_disabled', 'The tenant is disabled'), 403, 'tenant_disabled', 'The tenant is disabled', {}],
    [new NotFoundError('not_found', 'Tenant not found'), 404, 'not_found', 'Tenant not found', {}],
    [new ConflictError('version_conflict', 'stale'), 409, 'version_conflict', 'stale', {}],
    [
      new PayloadTooLargeError('payload_too_large', 'The request body exceeds 1024 bytes'),
      413,
      'payload_too_large',
      'The request body exceeds 1024 bytes',
      {},
    ],
    [new UnsupportedMediaTypeError('unsupported_media_type', 'JSON only'), 415, 'unsupported_media_type', 'JSON only', {}],
    [new UnprocessableError('sts_limit_exceeded', 'too long'), 422, 'sts_limit_exceeded', 'too long', {}],
    [
      new RateLimitedError('rate_limited', 'Too many requests', { retryAfterSeconds: 7 }),
      429,
      'rate_limited',
      'Too many requests',
      { 'Retry-After': '7' },
    ],
    [new UpstreamRefusedError('sts_access_denied', 'denied'), 502, 'sts_access_denied', 'denied', {}],
    [
      new DependencyUnavailableError('sts_throttled', 'slow down', { retryAfterSeconds: 2 }),
      503,
      'sts_throttled',
      'slow down',
      { 'Retry-After': '2' },
    ],
    [new DependencyUnavailableError('sts_unavailable', 'down'), 503, 'sts_unavailable', 'down', {}],
  ])('%p answers %i', (err, statusCode, code, message, headers) => {
    expect(err).toBeInstanceOf(AppError);
    expect({ statusCode: err.statusCode, code: err.code, message: err.message, headers: err.headers, details: err.details }).toEqual({
      statusCode,
      code,
      message,
      headers,
      details: [],
    });
    expect(err.name).toBe(err.constructor.name);
  });

  it('carries details and cause through the options argument', () => {
    const cause = new Error('inner');
    const details = [{ path: '$.scope', message: 'not allowed' }];
    expect(new ForbiddenError('scope_not_allowed', 'no', { details, cause })).toMatchObject({ details, cause });
    expect(new UpstreamRefusedError('sts_access_denied', 'denied', { cause }).cause).toBe(cause);
    expect(new DependencyUnavailableError('audit_write_failed', 'not recorded', { cause, retryAfterSeconds: 1 })).toMatchObject({
      cause,
      details: [],
    });
  });

  it('does not compile with the code and the message swapped', () => {
    // Never called: these lines are for `tsc -p .`, which fails if any of them type-checks
    // (an unused @ts-expect-error is itself an error).
    const swapped = () => [
      // @ts-expect-error message where the code belongs
      new BadRequestError('The request body is not valid JSON', 'invalid_json'),
      // @ts-expect-error message where the code belongs
      new UnauthorizedError('The API key is not valid', 'invalid_key'),
      // @ts-expect-error message where the code belongs
      new ForbiddenError('The tenant is disabled', 'tenant_disabled'),
      // @ts-expect-error message where the code belongs (the old NotFoundError(what, code) order)
      new NotFoundError('Policy', 'policy_not_configured'),
      // @ts-expect-error message where the code belongs
      new ConflictError('stale', 'version_conflict'),
      // @ts-expect-error message where the code belongs
      new PayloadTooLargeError('The request body exceeds 1024 bytes', 'payload_too_large'),
      // @ts-expect-error message where the code belongs
      new UnsupportedMediaTypeError('JSON only', 'unsupported_media_type'),
      // @ts-expect-error message where the code belongs
      new UnprocessableError('too long', 'sts_limit_exceeded'),
      // @ts-expect-error message where the code belongs
      new RateLimitedError('Too many requests', 'rate_limited', { retryAfterSeconds: 7 }),
      // @ts-expect-error message where the code belongs
      new UpstreamRefusedError('denied', 'sts_access_denied'),
      // @ts-expect-error message where the code belongs
      new DependencyUnavailableError('down', 'sts_unavailable'),
      // @ts-expect-error a computed message is a string, not a code
      new ForbiddenError(`This route does not accept ${'admin'} keys`, 'wrong_key_kind'),
    ];
    expect(typeof swapped).toBe('function');
  });
});

describe('error names in the deployed bundles', () => {
  it("survive serverless.yml's esbuild options (minified): logs name the class, not a minified symbol", async () => {
    const options = (readServerlessYml().custom as { esbuild: Record<string, unknown> }).esbuild;
    const dir = mkdtempSync(join(tmpdir(), 'credvend-errors-'));
    try {
      const outfile = join(dir, 'errors.mjs');
      await build({
        entryPoints: [fileURLToPath(new URL('../../lib/core/errors.ts', import.meta.url))],
        outfile,
        bundle: true,
        minify: options.minify as boolean,
        keepNames: options.keepNames as boolean | undefined,
        format: options.format as 'esm',
        target: options.target as string,
        platform: options.platform as 'node',
        logLevel: 'silent',
      });
      const bundled = (await import(pathToFileURL(outfile).href)) as Record<string, unknown>;
      const classes = Object.entries(bundled).filter(([exported]) => exported !== 'AppError');
      expect(classes.length).toBeGreaterThanOrEqual(12);
      for (const [exported, Class] of classes) {
        const err = new (Class as new (...args: unknown[]) => Error)('x', 'message', { retryAfterSeconds: 1, allow: ['GET'] });
        expect([exported, err.name]).toEqual([exported, exported]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('reviveAppError (errors of the lazily loaded token verifier, a bundle of its own)', () => {
  it("turns a foreign 401/503 of ours into this copy's classes, keeping code and message (and a 503's cause)", async () => {
    const { UnauthorizedError, DependencyUnavailableError } = await import('../../lib/core/errors');
    const { reviveAppError } = await import('../../lib/core/revive-error');
    const foreign401 = Object.assign(new Error('The token has expired'), { statusCode: 401, code: 'token_expired', cause: 'secret' });
    const revived = reviveAppError(foreign401) as InstanceType<typeof UnauthorizedError>;
    expect(revived).toBeInstanceOf(UnauthorizedError);
    expect({ code: revived.code, message: revived.message, cause: revived.cause }).toEqual({
      code: 'token_expired',
      message: 'The token has expired',
      cause: undefined,
    });
    // A 503 keeps its cause (why the issuer could not be reached) for the error log line; answers never carry it.
    const why = new Error('idp.example.com resolves to an address that is not public');
    const foreign503 = Object.assign(new Error('down'), { statusCode: 503, code: 'oidc_issuer_unavailable', cause: why });
    const revived503 = reviveAppError(foreign503);
    expect(revived503).toBeInstanceOf(DependencyUnavailableError);
    expect((revived503 as Error).cause).toBe(why);
    const plain = new Error('boom');
    expect(reviveAppError(plain)).toBe(plain);
    const own = new UnauthorizedError('invalid_key', 'x');
    expect(reviveAppError(own)).toBe(own);
  });

  it("turns the lazily loaded MFA check's 403 refusals into this copy's ForbiddenError (issue 19)", async () => {
    const { ForbiddenError } = await import('../../lib/core/errors');
    const { reviveAppError } = await import('../../lib/core/revive-error');
    const foreign403 = Object.assign(new Error('This MFA code was already used'), { statusCode: 403, code: 'mfa_code_replayed' });
    const revived = reviveAppError(foreign403) as InstanceType<typeof ForbiddenError>;
    expect(revived).toBeInstanceOf(ForbiddenError);
    expect({ status: revived.statusCode, code: revived.code, message: revived.message }).toEqual({
      status: 403,
      code: 'mfa_code_replayed',
      message: 'This MFA code was already used',
    });
  });

  it("turns the MFA check's 429 mfa_attempts_exceeded, thrown by another copy of errors.ts, into this copy's RateLimitedError with its Retry-After (red-team F1)", async () => {
    const { RateLimitedError } = await import('../../lib/core/errors');
    const { reviveAppError } = await import('../../lib/core/revive-error');
    // What the other copy's RateLimitedError is: an Error with these own properties, of a class this copy does not know.
    class ForeignRateLimitedError extends Error {
      override readonly name = 'RateLimitedError';
      readonly statusCode = 429;
      readonly code = 'mfa_attempts_exceeded';
      readonly details = [];
      readonly headers = { 'Retry-After': '123' };
    }
    const foreign = new ForeignRateLimitedError('Too many MFA code attempts');
    expect(foreign).not.toBeInstanceOf(RateLimitedError);
    const revived = reviveAppError(foreign) as InstanceType<typeof RateLimitedError>;
    expect(revived).toBeInstanceOf(RateLimitedError);
    expect({ status: revived.statusCode, code: revived.code, message: revived.message, headers: revived.headers }).toEqual({
      status: 429,
      code: 'mfa_attempts_exceeded',
      message: 'Too many MFA code attempts',
      headers: { 'Retry-After': '123' },
    });
  });
});
