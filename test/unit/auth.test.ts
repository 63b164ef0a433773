import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import { DependencyUnavailableError, ForbiddenError, UnauthorizedError } from '../../lib/core/errors';
import { logger } from '../../lib/core/log';
import type { ApiKeyRecord, KeyKind } from '../../lib/core/model';
import { Authenticator } from '../../lib/identity/authenticate';
import { FakeDirectory, type IssuedKey, issuedKey, PARTNER_ID, TENANT_ID } from './issuance-fakes';

const INTERVAL = 300_000;
const T0 = Date.parse('2026-05-01T12:00:00.000Z');

let directory: FakeDirectory;
let t: number;
let auth: Authenticator;

function add(kind: KeyKind, overrides: Partial<ApiKeyRecord> = {}): IssuedKey {
  const key = issuedKey(kind, overrides);
  directory.keys.set(key.keyId, key.record);
  return key;
}

async function refusal(promise: Promise<unknown>) {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof Error)) throw new Error('expected a refusal');
  return err as UnauthorizedError;
}

beforeEach(() => {
  directory = new FakeDirectory();
  t = T0;
  auth = new Authenticator(directory, INTERVAL, () => t);
});

describe('Authenticator.authenticate', () => {
  it('answers the caller of a valid partner key', async () => {
    const key = add('partner');
    await expect(auth.authenticate(`Bearer ${key.apiKey}`, { kinds: ['partner'] })).resolves.toEqual({
      kind: 'partner',
      keyId: key.keyId,
      tenantId: TENANT_ID,
      partnerId: PARTNER_ID,
    });
  });

  it('answers admin and operator callers with their tenant (none for operators)', async () => {
    const admin = add('admin');
    const operator = add('operator');
    await expect(auth.authenticate(`Bearer ${admin.apiKey}`, { kinds: ['admin', 'operator'] })).resolves.toEqual({
      kind: 'admin',
      keyId: admin.keyId,
      tenantId: TENANT_ID,
      partnerId: undefined,
    });
    await expect(auth.authenticate(`Bearer ${operator.apiKey}`, { kinds: ['admin', 'operator'] })).resolves.toEqual({
      kind: 'operator',
      keyId: operator.keyId,
      tenantId: undefined,
      partnerId: undefined,
    });
  });

  it.each([undefined, '', 'Bearer', 'Basic dXNlcjpwYXNz'])('401 missing_key for header %j', async (header) => {
    const err = await refusal(auth.authenticate(header, { kinds: ['partner'] }));
    expect(err).toBeInstanceOf(UnauthorizedError);
    expect(err).toMatchObject({ statusCode: 401, code: 'missing_key', headers: { 'WWW-Authenticate': 'Bearer' } });
    expect(directory.calls.getKey).toBe(0);
  });

  it('401 missing_key for a bare key on a route that wants Bearer', async () => {
    const key = add('partner');
    const err = await refusal(auth.authenticate(key.apiKey, { kinds: ['partner'] }));
    expect(err).toMatchObject({ statusCode: 401, code: 'missing_key' });
  });

  it('accepts a bare key where allowBare (container route), and a blank header is still missing_key', async () => {
    const key = add('partner');
    await expect(auth.authenticate(key.apiKey, { kinds: ['partner'], allowBare: true })).resolves.toMatchObject({ keyId: key.keyId });
    await expect(auth.authenticate(`Bearer ${key.apiKey}`, { kinds: ['partner'], allowBare: true })).resolves.toMatchObject({
      keyId: key.keyId,
    });
    const err = await refusal(auth.authenticate('   ', { kinds: ['partner'], allowBare: true }));
    expect(err).toMatchObject({ statusCode: 401, code: 'missing_key' });
  });

  it.each(['Bearer not-a-key', 'Bearer cv1.pk-abc.def', `Bearer cv1.zz-abcdefghijklmnop.${'a'.repeat(43)}`])(
    '401 invalid_key without a lookup for malformed %j',
    async (header) => {
      const err = await refusal(auth.authenticate(header, { kinds: ['partner'] }));
      expect(err).toMatchObject({ statusCode: 401, code: 'invalid_key', message: 'The API key is malformed' });
      expect(directory.calls.getKey).toBe(0);
    },
  );

  it('gives one answer for unknown, revoked and wrong-secret keys, and records no use for them', async () => {
    const unknown = issuedKey('partner'); // never stored
    const revoked = add('partner', { status: 'revoked', revokedAt: '2026-04-01T00:00:00.000Z' });
    const good = add('partner');
    const wrongSecret = `cv1.${good.keyId}.${'Z'.repeat(43)}`;
    const answers = [];
    for (const apiKey of [unknown.apiKey, revoked.apiKey, wrongSecret]) {
      const err = await refusal(auth.authenticate(`Bearer ${apiKey}`, { kinds: ['partner'] }));
      expect(err).toBeInstanceOf(UnauthorizedError);
      answers.push({ status: err.statusCode, code: err.code, message: err.message, details: err.details, headers: err.headers });
    }
    expect(answers).toEqual(
      Array(3).fill({
        status: 401,
        code: 'invalid_key',
        message: 'The API key is not valid',
        details: [],
        headers: { 'WWW-Authenticate': 'Bearer' },
      }),
    );
    expect(directory.touches).toEqual([]);
  });

  it('refuses a record whose kind disagrees with its key id prefix', async () => {
    // A partner-prefixed key whose record claims operator must not gain operator rights.
    const key = add('partner', { kind: 'operator' });
    const err = await refusal(auth.authenticate(`Bearer ${key.apiKey}`, { kinds: ['operator'] }));
    expect(err).toMatchObject({ statusCode: 401, code: 'invalid_key' });
  });

  it.each<[KeyKind, KeyKind[]]>([
    ['partner', ['admin', 'operator']],
    ['admin', ['partner']],
    ['operator', ['partner']],
  ])('403 wrong_key_kind for a valid %s key on a route for %j', async (kind, kinds) => {
    const key = add(kind);
    const err = await refusal(auth.authenticate(`Bearer ${key.apiKey}`, { kinds }));
    expect(err).toBeInstanceOf(ForbiddenError);
    expect(err).toMatchObject({ statusCode: 403, code: 'wrong_key_kind', message: `This route does not accept ${kind} keys` });
  });

  it('lets a directory failure through (503), not a 401', async () => {
    const key = add('partner');
    directory.getKey = async () => {
      throw new DependencyUnavailableError('dynamodb_unavailable', 'down');
    };
    const err = await refusal(auth.authenticate(`Bearer ${key.apiKey}`, { kinds: ['partner'] }));
    expect(err).toMatchObject({ statusCode: 503, code: 'dynamodb_unavailable' });
  });
});

describe('Authenticator last-used writes', () => {
  it('writes on first use with at = now and notAfter = now - interval', async () => {
    const key = add('partner');
    await auth.authenticate(`Bearer ${key.apiKey}`, { kinds: ['partner'] });
    expect(directory.touches).toEqual([{ keyId: key.keyId, at: '2026-05-01T12:00:00.000Z', notAfter: '2026-05-01T11:55:00.000Z' }]);
  });

  it('writes at most once per interval per key', async () => {
    const a = add('partner');
    const b = add('partner');
    await auth.authenticate(`Bearer ${a.apiKey}`, { kinds: ['partner'] });
    t += INTERVAL - 1;
    await auth.authenticate(`Bearer ${a.apiKey}`, { kinds: ['partner'] });
    await auth.authenticate(`Bearer ${b.apiKey}`, { kinds: ['partner'] });
    expect(directory.touches.map((x) => x.keyId)).toEqual([a.keyId, b.keyId]);
    t += 1;
    await auth.authenticate(`Bearer ${a.apiKey}`, { kinds: ['partner'] });
    expect(directory.touches.map((x) => [x.keyId, x.at])).toEqual([
      [a.keyId, new Date(T0).toISOString()],
      [b.keyId, new Date(T0 + INTERVAL - 1).toISOString()],
      [a.keyId, new Date(T0 + INTERVAL).toISOString()],
    ]);
  });

  it('skips the write when the stored lastUsedAt is within the interval (another container wrote it)', async () => {
    const recent = add('partner', { lastUsedAt: new Date(T0 - INTERVAL + 1).toISOString() });
    const old = add('partner', { lastUsedAt: new Date(T0 - INTERVAL).toISOString() });
    await auth.authenticate(`Bearer ${recent.apiKey}`, { kinds: ['partner'] });
    await auth.authenticate(`Bearer ${old.apiKey}`, { kinds: ['partner'] });
    expect(directory.touches.map((x) => x.keyId)).toEqual([old.keyId]);
  });

  it('writes every time with an interval of 0', async () => {
    auth = new Authenticator(directory, 0, () => t);
    const key = add('partner');
    await auth.authenticate(`Bearer ${key.apiKey}`, { kinds: ['partner'] });
    await auth.authenticate(`Bearer ${key.apiKey}`, { kinds: ['partner'] });
    expect(directory.touches).toHaveLength(2);
  });

  it('swallows a failed write, logs no secret, and does not retry it within the interval', async () => {
    const key = add('partner');
    directory.touchError = new DependencyUnavailableError('dynamodb_unavailable', 'DynamoDB is unavailable');
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    try {
      await expect(auth.authenticate(`Bearer ${key.apiKey}`, { kinds: ['partner'] })).resolves.toMatchObject({ keyId: key.keyId });
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0]).toEqual(['could not record key use', { keyId: key.keyId, error: 'DependencyUnavailableError' }]);
      const secret = key.apiKey.split('.')[2]!;
      expect(JSON.stringify(warn.mock.calls)).not.toContain(secret);

      await auth.authenticate(`Bearer ${key.apiKey}`, { kinds: ['partner'] });
      expect(directory.touches).toHaveLength(1);
    } finally {
      warn.mockRestore();
    }
  });

  it('swallows a write that throws synchronously', async () => {
    const key = add('partner');
    directory.touchKey = (() => {
      throw new TypeError('boom');
    }) as never;
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    try {
      await expect(auth.authenticate(`Bearer ${key.apiKey}`, { kinds: ['partner'] })).resolves.toMatchObject({ keyId: key.keyId });
    } finally {
      warn.mockRestore();
    }
  });
});
