// Operator keys through the API's domain functions and routes, and the bootstrap of the first one.
import { beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { bootstrapOperatorKey, createOperatorKey, listOperatorKeys, revokeOperatorKey } from '../../../lib/admin/operator-keys';
import { ADMIN_ROUTES, dispatchAdmin, REVOCATION_ROUTES } from '../../../lib/admin/routes';
import { logger } from '../../../lib/core/log';
import { httpHandler } from '../../../lib/http/handler';
import { hashSecret, parseKey } from '../../../lib/identity/api-key';
import { Authenticator } from '../../../lib/identity/authenticate';
import { assertMatchesOpenApi } from '../../support/openapi';
import { fakeContext, fakeEvent, JSON_HEADERS } from '../http/fake-event';
import { FakeDirectory, issuedKey } from '../issuance-fakes';
import { adminOf, type FakeAdmin, fakeAdmin, NOW, operator, refusal, seedTenant } from './fakes';

/** A tenant admin key, straight into the store. */
const ADMIN_KEY = {
  keyId: 'ak-bbbbbbbbbbbbbbbb',
  kind: 'admin',
  tenantId: 'acme',
  secretHash: 'x',
  status: 'active',
  createdAt: '',
} as const;

let f: FakeAdmin;
beforeEach(async () => {
  f = fakeAdmin();
  await seedTenant(f.store, 'acme', 'partner-one');
});

describe('operator keys (operator)', () => {
  it('creates a key whose secret is returned once and stored only as a hash', async () => {
    const created = await createOperatorKey(f.deps, operator);
    const parsed = parseKey(created.apiKey);
    expect(parsed?.keyId).toBe(created.keyId);
    expect(created).toMatchObject({ kind: 'operator', status: 'active', createdAt: NOW.toISOString() });
    expect(f.store.keys.get(created.keyId)).toMatchObject({ kind: 'operator', secretHash: hashSecret(parsed?.secret ?? '') });
    expect(JSON.stringify([...f.store.keys.values()])).not.toContain(parsed?.secret);
  });

  it('lists operator keys only, without secrets or hashes', async () => {
    const one = await createOperatorKey(f.deps, operator);
    const two = await createOperatorKey(f.deps, operator);
    await f.store.createKey(ADMIN_KEY);
    const listed = await listOperatorKeys(f.deps, operator, { limit: 25 });
    expect(listed.items.map((k) => k.keyId).sort()).toEqual([one.keyId, two.keyId].sort());
    expect(JSON.stringify(listed)).not.toMatch(/secretHash|apiKey/);
  });

  it('revokes another operator key, idempotently, dropping cached directory entries', async () => {
    const other = await createOperatorKey(f.deps, operator);
    expect(await revokeOperatorKey(f.deps, operator, other.keyId)).toMatchObject({ keyId: other.keyId, status: 'revoked' });
    expect(await revokeOperatorKey(f.deps, operator, other.keyId)).toMatchObject({ status: 'revoked', revokedAt: NOW.toISOString() });
    expect(f.revocations).toBe(2);
  });

  it('refuses to revoke the key the request is made with (so the last active key stays): 409 own_operator_key', async () => {
    const own = await createOperatorKey(f.deps, operator);
    const caller = { kind: 'operator' as const, keyId: own.keyId };
    expect(await refusal(revokeOperatorKey(f.deps, caller, own.keyId))).toEqual({ status: 409, code: 'own_operator_key' });
    expect(f.store.keys.get(own.keyId)?.status).toBe('active');
  });

  it("answers a tenant admin key's id, an unknown id and a malformed id with 404", async () => {
    await f.store.createKey(ADMIN_KEY);
    const answers = await Promise.all(
      ['ak-bbbbbbbbbbbbbbbb', 'ok-cccccccccccccccc', 'nope'].map((keyId) => refusal(revokeOperatorKey(f.deps, operator, keyId))),
    );
    expect(answers).toEqual(Array(3).fill({ status: 404, code: 'not_found' }));
    expect(f.store.keys.get('ak-bbbbbbbbbbbbbbbb')?.status).toBe('active');
  });

  it('refuses tenant admins on every operator-key action', async () => {
    const admin = adminOf('acme');
    expect(await refusal(createOperatorKey(f.deps, admin))).toEqual({ status: 403, code: 'wrong_key_kind' });
    expect(await refusal(listOperatorKeys(f.deps, admin, { limit: 25 }))).toEqual({ status: 403, code: 'wrong_key_kind' });
    expect(await refusal(revokeOperatorKey(f.deps, admin, 'ok-cccccccccccccccc'))).toEqual({ status: 403, code: 'wrong_key_kind' });
  });
});

describe('bootstrap of the first operator key', () => {
  it('creates the first key, then refuses while an active one exists (409 operator_key_exists) unless add', async () => {
    const first = await bootstrapOperatorKey(f.store, { add: false, now: NOW });
    expect(first).toMatchObject({ othersActive: 0, record: { kind: 'operator', status: 'active' } });
    expect(await refusal(bootstrapOperatorKey(f.store, { add: false, now: NOW }))).toEqual({ status: 409, code: 'operator_key_exists' });
    const second = await bootstrapOperatorKey(f.store, { add: true, now: NOW });
    expect(second.othersActive).toBe(1);
    expect([...f.store.keys.values()].filter((k) => k.kind === 'operator')).toHaveLength(2);
  });

  it('creates one again when every operator key is revoked, reading past the first page', async () => {
    for (let i = 0; i < 120; i++) {
      await f.store.createKey({
        keyId: `ok-${String(i).padStart(16, 'a')}`,
        kind: 'operator',
        secretHash: 'x',
        status: 'revoked',
        createdAt: '',
      });
    }
    await f.store.createKey({ keyId: 'ok-zzzzzzzzzzzzzzzz', kind: 'operator', secretHash: 'x', status: 'active', createdAt: '' });
    expect(await refusal(bootstrapOperatorKey(f.store, { add: false, now: NOW }))).toEqual({ status: 409, code: 'operator_key_exists' });
    f.store.keys.delete('ok-zzzzzzzzzzzzzzzz');
    expect((await bootstrapOperatorKey(f.store, { add: false, now: NOW })).record.kind).toBe('operator');
  });
});

describe('operator-key routes', () => {
  beforeAll(() => {
    for (const level of ['info', 'warn', 'error'] as const) jest.spyOn(logger, level).mockImplementation(() => undefined);
  });

  it('create, list and revoke through the route table, each answer as the OpenAPI document says', async () => {
    const directory = new FakeDirectory();
    const op = issuedKey('operator');
    const admin = issuedKey('admin');
    for (const key of [op, admin]) directory.keys.set(key.keyId, key.record);
    const handler = httpHandler(
      (req) => dispatchAdmin({ ...ADMIN_ROUTES, ...REVOCATION_ROUTES }, f.deps, new Authenticator(directory, 60_000), req),
      { body: true },
    );
    const call = async (routeKey: string, path: string, key: string, params?: Record<string, string>, body?: unknown) => {
      const [method] = routeKey.split(' ');
      const event = fakeEvent({
        method,
        path,
        headers: { ...(body !== undefined && JSON_HEADERS), authorization: `Bearer ${key}` },
        pathParameters: params,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      event.routeKey = routeKey;
      const res = (await handler(event, fakeContext())) as APIGatewayProxyStructuredResultV2;
      const parsed = res.body ? JSON.parse(res.body) : undefined;
      assertMatchesOpenApi(method ?? '', path, res.statusCode ?? 0, parsed);
      return { status: res.statusCode, body: parsed };
    };
    const created = await call('POST /v1/operator-keys', '/v1/operator-keys', op.apiKey, undefined, {});
    expect(created).toMatchObject({ status: 201, body: { kind: 'operator' } });
    expect((await call('POST /v1/operator-keys', '/v1/operator-keys', admin.apiKey, undefined, {})).status).toBe(403);
    const listed = await call('GET /v1/operator-keys', '/v1/operator-keys', op.apiKey);
    expect(listed.body.items.map((k: { keyId: string }) => k.keyId)).toEqual([created.body.keyId]);
    const path = (keyId: string) => `/v1/operator-keys/${keyId}`;
    const revoke = (keyId: string) => call('DELETE /v1/operator-keys/{keyId}', path(keyId), op.apiKey, { keyId });
    expect(await revoke(created.body.keyId)).toMatchObject({ status: 200, body: { status: 'revoked' } });
    expect(await revoke(op.keyId)).toMatchObject({ status: 409, body: { error: { code: 'own_operator_key' } } });
  });
});
