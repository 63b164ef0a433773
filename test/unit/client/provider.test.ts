// The partner SDK provider and one-shot issue call, against a fake credvend over real HTTP.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import {
  CredvendAuthError,
  CredvendError,
  CredvendForbiddenError,
  CredvendParseError,
  type CredvendProviderOptions,
  CredvendRateLimitError,
  CredvendUnavailableError,
  CredvendValidationError,
  credvendProvider,
  issueCredentials,
} from '../../../client';
import {
  BadRequestError,
  DependencyUnavailableError,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  UnauthorizedError,
  UnprocessableError,
  UpstreamRefusedError,
} from '../../../lib/core/errors';
import { FakeCredvend, type IssueBody, randomApiKey } from './fake-credvend';

const START = Date.UTC(2026, 10, 22, 7, 0, 0);

let fake: FakeCredvend;
let apiKey: string;
let t: number;
let sleeps: number[];

beforeEach(async () => {
  fake = await FakeCredvend.start();
  apiKey = randomApiKey();
  t = START;
  fake.clock = () => t;
  sleeps = [];
});

afterEach(async () => {
  await fake.close();
});

/** A provider on the shared clock; backoff waits are recorded, not slept, and jitter is fixed at half. */
function provider(overrides: Partial<CredvendProviderOptions> = {}) {
  return credvendProvider({
    endpoint: fake.url,
    apiKey,
    now: () => t,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
    ...overrides,
  });
}

function credentialsOf(body: IssueBody | undefined) {
  if (!body) throw new Error('no such issuance');
  const c = body.credentials;
  return {
    accessKeyId: c.accessKeyId,
    secretAccessKey: c.secretAccessKey,
    sessionToken: c.sessionToken,
    expiration: new Date(c.expiration),
  };
}

async function rejection(promise: Promise<unknown>): Promise<CredvendError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof CredvendError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('credvendProvider: caching and refresh', () => {
  it('issues once, serves the cache until refreshAfter, and refreshes before the credentials expire', async () => {
    fake.lifetimeSeconds = 900; // the shortest lifetime STS grants: refreshAfter is at 720 s
    const get = provider();

    const first = await get();
    expect(first).toEqual(credentialsOf(fake.issued[0]));
    expect(fake.issued[0]!.refreshAfter).toBe('2026-11-22T07:12:00Z');

    t = START + 720_000 - 1;
    expect(await get()).toEqual(first);
    expect(fake.requests).toHaveLength(1);

    t = START + 720_000;
    const second = await get();
    expect(fake.requests).toHaveLength(2);
    expect(second).toEqual(credentialsOf(fake.issued[1]));
    expect(second.accessKeyId).not.toBe(first.accessKeyId);
    expect(t).toBeLessThan(first.expiration.getTime());
  });

  it('refreshes at the expiry margin when that comes before refreshAfter', async () => {
    const get = provider({ expiryMarginSeconds: 300 });
    await get();
    t = START + 600_000 - 1;
    await get();
    expect(fake.requests).toHaveLength(1);
    t = START + 600_000;
    await get();
    expect(fake.requests).toHaveLength(2);
  });

  it('lets 50 concurrent callers share one issuance, and 50 more share the next refresh', async () => {
    const get = provider();
    let release = fake.hold();
    let calls = Array.from({ length: 50 }, () => get());
    await fake.receivedCount(1);
    release();
    let results = await Promise.all(calls);
    expect(fake.requests).toHaveLength(1);
    for (const r of results) expect(r).toEqual(credentialsOf(fake.issued[0]));

    t = START + 720_000;
    release = fake.hold();
    calls = Array.from({ length: 50 }, () => get());
    await fake.receivedCount(2);
    release();
    results = await Promise.all(calls);
    expect(fake.requests).toHaveLength(2);
    for (const r of results) expect(r).toEqual(credentialsOf(fake.issued[1]));
  });

  it('maps server times onto a skewed local clock instead of refreshing on every call', async () => {
    // The local clock is an hour ahead: the credentials' expiration is already "past" locally.
    const get = provider({ now: () => t + 3_600_000 });
    await get();
    await get();
    expect(fake.requests).toHaveLength(1);
    t = START + 720_000;
    await get();
    expect(fake.requests).toHaveLength(2);
  });

  it('bypasses the cache when the SDK asks for forceRefresh', async () => {
    const get = provider();
    await get();
    await get({ forceRefresh: true });
    expect(fake.requests).toHaveLength(2);
  });

  it("hands each caller its own object, so one caller's mutation does not reach the next", async () => {
    const get = provider();
    const mine = await get();
    mine.expiration.setTime(0);
    mine.accessKeyId = 'changed';
    expect(await get()).toEqual(credentialsOf(fake.issued[0]));
  });

  it('keeps serving valid credentials when an early refresh fails, and retries it 10 s later', async () => {
    const get = provider({ maxRetries: 0 });
    const first = await get();
    t = START + 720_000;
    fake.next({ kind: 'error', error: new DependencyUnavailableError('sts_unavailable', 'STS is unavailable; retry later') });
    expect(await get()).toEqual(first);
    expect(fake.requests).toHaveLength(2);
    t += 9_999;
    expect(await get()).toEqual(first);
    expect(fake.requests).toHaveLength(2);
    t += 1;
    expect(await get()).toEqual(credentialsOf(fake.issued[1]));
    expect(fake.requests).toHaveLength(3);
  });

  it('throws when the refresh fails within the expiry margin', async () => {
    const get = provider({ maxRetries: 0 });
    await get();
    t = START + 900_000 - 60_000;
    fake.next({ kind: 'error', error: new DependencyUnavailableError('sts_unavailable', 'STS is unavailable; retry later') });
    const err = await rejection(get());
    expect(err).toBeInstanceOf(CredvendUnavailableError);
    expect(err.code).toBe('sts_unavailable');
  });

  it('is accepted as `credentials` by an AWS SDK v3 client, which signs with the vended keys', async () => {
    const seen = fake.fakeSts('/sts/');
    const credentials: AwsCredentialIdentityProvider = credvendProvider({ endpoint: fake.url, apiKey });
    fake.clock = Date.now; // the SDK signs with the real clock
    const sts = new STSClient({ region: 'us-east-1', endpoint: `${fake.url}/sts/`, credentials, maxAttempts: 1 });
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe('123456789012');
    const issued = credentialsOf(fake.issued[0]);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.authorization).toContain(`Credential=${issued.accessKeyId}/`);
    expect(seen[0]!.securityToken).toBe(issued.sessionToken);
  });
});

describe('credvendProvider: retries and typed errors', () => {
  it('retries 503s with backoff, honouring Retry-After, then succeeds', async () => {
    fake.next(
      {
        kind: 'error',
        error: new DependencyUnavailableError('sts_throttled', 'STS is throttling requests; retry later', { retryAfterSeconds: 2 }),
      },
      { kind: 'error', error: new DependencyUnavailableError('sts_unavailable', 'STS is unavailable; retry later') },
    );
    const creds = await provider()();
    expect(fake.requests).toHaveLength(3);
    // retry 0 backs off 100..200 ms (150 at half jitter) but Retry-After asks 2 s; retry 1 backs off 300 ms.
    expect(sleeps).toEqual([2000, 300]);
    expect(creds).toEqual(credentialsOf(fake.issued[0]));
  });

  it('gives up after maxRetries and throws the typed error of the last answer', async () => {
    const unavailable = {
      kind: 'error',
      error: new DependencyUnavailableError('sts_unavailable', 'STS is unavailable; retry later'),
    } as const;
    fake.next(unavailable, unavailable, unavailable, unavailable);
    const err = await rejection(provider({ maxRetries: 2, random: () => 0 })());
    expect(err).toBeInstanceOf(CredvendUnavailableError);
    expect(err).toMatchObject({ code: 'sts_unavailable', status: 503, message: 'STS is unavailable; retry later' });
    expect(err.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(fake.requests).toHaveLength(3);
    expect(sleeps).toEqual([100, 200]);
  });

  it('throws CredvendAuthError on 401 at once, without retrying', async () => {
    fake.next({ kind: 'error', error: new UnauthorizedError('invalid_key', 'The API key is not valid') });
    const err = await rejection(provider()());
    expect(err).toBeInstanceOf(CredvendAuthError);
    expect(err).toMatchObject({ code: 'invalid_key', status: 401, message: 'The API key is not valid', retryable: false });
    expect(fake.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it.each([
    ['403', new ForbiddenError('scope_not_allowed', 'Not covered by the tenant policy: s3:DeleteObject'), CredvendForbiddenError],
    ['400', new BadRequestError('invalid_request', 'Unknown field "color"'), CredvendValidationError],
    [
      '422',
      new UnprocessableError('duration_not_allowed', 'durationSeconds 99999 exceeds the maximum', {
        details: [{ path: '$.durationSeconds', message: 'at most 7200' }],
      }),
      CredvendValidationError,
    ],
    ['404', new NotFoundError('not_found', 'Tenant not found'), CredvendError],
  ])('maps %s to its error class without retrying', async (_status, error, type) => {
    fake.next({ kind: 'error', error });
    const err = await rejection(provider()());
    expect(err).toBeInstanceOf(type);
    expect(err.constructor).toBe(type);
    expect(err).toMatchObject({ code: error.code, status: error.statusCode, message: error.message, details: error.details });
    expect(fake.requests).toHaveLength(1);
  });

  it('retries a 429 after its Retry-After and reports CredvendRateLimitError once retries run out', async () => {
    fake.next(
      { kind: 'error', error: new RateLimitedError('rate_limited', 'Too many requests', { retryAfterSeconds: 3 }) },
      { kind: 'error', error: new RateLimitedError('rate_limited', 'Too many requests', { retryAfterSeconds: 3 }) },
    );
    const err = await rejection(provider({ maxRetries: 1 })());
    expect(err).toBeInstanceOf(CredvendRateLimitError);
    expect(err).toMatchObject({ code: 'rate_limited', status: 429, retryAfterSeconds: 3 });
    expect(sleeps).toEqual([3000]);
    expect(fake.requests).toHaveLength(2);
  });

  it('does not wait out a Retry-After longer than 10 s: the caller gets it at once', async () => {
    fake.next({ kind: 'error', error: new RateLimitedError('rate_limited', 'Too many requests', { retryAfterSeconds: 60 }) });
    const err = await rejection(provider()());
    expect(err).toMatchObject({ code: 'rate_limited', retryAfterSeconds: 60 });
    expect(sleeps).toEqual([]);
    expect(fake.requests).toHaveLength(1);
  });

  it('retries a 502, including a gateway body that is not the API error shape', async () => {
    fake.next(
      { kind: 'error', error: new UpstreamRefusedError('sts_access_denied', 'STS denied the request (check the role trust policy)') },
      { kind: 'raw', status: 502, body: '{"message":"Internal Server Error"}', headers: { 'apigw-requestid': 'gw-1' } },
    );
    const err = await rejection(provider({ maxRetries: 1 })());
    expect(err).toBeInstanceOf(CredvendUnavailableError);
    expect(err).toMatchObject({ code: 'http_502', status: 502, requestId: 'gw-1', message: 'credvend answered HTTP 502' });
    expect(fake.requests).toHaveLength(2);
  });

  it('does not retry a 500', async () => {
    fake.next({ kind: 'error', error: new Error('boom') as never });
    const err = await rejection(provider()());
    expect(err).toBeInstanceOf(CredvendUnavailableError);
    expect(err).toMatchObject({ code: 'internal_error', status: 500, retryable: false });
    expect(fake.requests).toHaveLength(1);
  });

  it('retries a dropped connection as a network error', async () => {
    fake.next({ kind: 'drop' });
    const creds = await provider()();
    expect(fake.requests).toHaveLength(2);
    expect(creds).toEqual(credentialsOf(fake.issued[0]));
  });

  it('reports a timeout as CredvendUnavailableError("timeout")', async () => {
    fake.next({ kind: 'hang' });
    const err = await rejection(provider({ maxRetries: 0, timeoutMs: 50 })());
    expect(err).toBeInstanceOf(CredvendUnavailableError);
    expect(err).toMatchObject({ code: 'timeout', status: undefined, retryable: true });
  });

  it('reports a redirect instead of following it with the key', async () => {
    fake.next({ kind: 'raw', status: 301, body: '', headers: { location: 'http://127.0.0.1:9/elsewhere' } });
    const err = await rejection(provider()());
    expect(err).toMatchObject({ code: 'unexpected_redirect', status: 301 });
    expect(fake.requests).toHaveLength(1);
  });

  it('rejects a 201 body without the documented shape, never quoting it', async () => {
    const secret = 'S'.repeat(40);
    fake.next({
      kind: 'raw',
      status: 201,
      body: JSON.stringify({ credentials: { accessKeyId: 'A'.repeat(20), secretAccessKey: secret } }),
    });
    const err = await rejection(provider()());
    expect(err).toBeInstanceOf(CredvendParseError);
    expect(err).toMatchObject({ code: 'invalid_response', message: 'Unexpected response from credvend: principal is not an object' });
    expect(err.message).not.toContain(secret);
  });

  it('redacts the API key should an error message ever quote it', async () => {
    const body = JSON.stringify({ error: { code: 'invalid_key', message: `bad key ${apiKey}`, requestId: 'r', details: [] } });
    fake.next({ kind: 'raw', status: 401, body });
    const err = await rejection(provider()());
    expect(err.message).toBe('bad key [redacted]');
  });
});

describe('request, key and endpoint handling', () => {
  it('POSTs the request body with the key as a bearer token to <endpoint>/v1/credentials', async () => {
    const request = {
      mode: 'federation',
      durationSeconds: 1800,
      sessionName: 'nightly',
      scope: { actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/*'] },
    } as const;
    const body = await issueCredentials({ endpoint: `${fake.url}/prod/`, apiKey, request });
    expect(fake.requests).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: '/prod/v1/credentials',
        body: request,
        headers: expect.objectContaining({ authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }),
      }),
    ]);
    const sent = fake.issued[0]!;
    expect(body).toEqual({
      ...sent,
      credentials: credentialsOf(sent),
      serverTime: new Date(sent.serverTime),
      refreshAfter: new Date(sent.refreshAfter),
    });
  });

  it('reads the key from CREDVEND_API_KEY, else from the file CREDVEND_API_KEY_FILE names (per issuance)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'credvend-key-'));
    try {
      const file = join(dir, 'key');
      const fileKey = randomApiKey();
      await writeFile(file, `${fileKey}\n`);
      await issueCredentials({ endpoint: fake.url, env: { CREDVEND_API_KEY: apiKey, CREDVEND_API_KEY_FILE: file } });
      const get = provider({ apiKey: undefined, env: { CREDVEND_API_KEY_FILE: file } });
      await get();
      const rotated = randomApiKey();
      await writeFile(file, rotated);
      await get({ forceRefresh: true });
      expect(fake.requests.map((r) => r.headers.authorization)).toEqual([`Bearer ${apiKey}`, `Bearer ${fileKey}`, `Bearer ${rotated}`]);
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it('fails without a request when there is no key, or a key no header can carry', async () => {
    expect(await rejection(issueCredentials({ endpoint: fake.url, env: {} }))).toMatchObject({
      code: 'missing_api_key',
      status: undefined,
    });
    const bad = `${apiKey} x`;
    const err = await rejection(issueCredentials({ endpoint: fake.url, env: { CREDVEND_API_KEY: bad } }));
    expect(err).toMatchObject({
      code: 'invalid_api_key',
      message: 'The API key from CREDVEND_API_KEY is empty or contains spaces or non-ASCII characters',
    });
    expect(await rejection(issueCredentials({ endpoint: fake.url, env: { CREDVEND_API_KEY_FILE: '/nonexistent/key' } }))).toMatchObject({
      code: 'key_file_unreadable',
      message: 'Cannot read the API key file /nonexistent/key (ENOENT)',
    });
    expect(fake.requests).toHaveLength(0);
  });

  it.each([
    ['http://credvend.example.com', 'insecure_endpoint'],
    ['ftp://127.0.0.1', 'invalid_endpoint'],
    ['not a url', 'invalid_endpoint'],
    ['https://user:pw@credvend.example.com', 'invalid_endpoint'],
    ['https://credvend.example.com/?x=1', 'invalid_endpoint'],
  ])('refuses the endpoint %s when the provider is created', (endpoint, code) => {
    expect(() => credvendProvider({ endpoint, apiKey })).toThrow(expect.objectContaining({ code }));
  });

  it('accepts https anywhere, http on loopback, and http elsewhere only when allowed', () => {
    expect(() => credvendProvider({ endpoint: 'https://credvend.example.com', apiKey })).not.toThrow();
    expect(() => credvendProvider({ endpoint: 'http://localhost:3000', apiKey })).not.toThrow();
    expect(() => credvendProvider({ endpoint: 'http://credvend:3000', apiKey, allowInsecureHttp: true })).not.toThrow();
  });
});
