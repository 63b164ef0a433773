// The admin route table behind the real HTTP wiring and the real Authenticator, over fake ports;
// every response is also checked against the OpenAPI document.
import { beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ADMIN_ROUTES, dispatchAdmin, REVOCATION_ROUTES } from '../../../lib/admin/routes';
import { logger } from '../../../lib/core/log';
import { httpHandler } from '../../../lib/http/handler';
import { Authenticator } from '../../../lib/identity/authenticate';
import { assertMatchesOpenApi } from '../../support/openapi';
import { fakeContext, fakeEvent, JSON_HEADERS } from '../http/fake-event';
import { FakeDirectory, type IssuedKey, issuedKey } from '../issuance-fakes';
import { type FakeAdmin, fakeAdmin, seedTenant } from './fakes';

let f: FakeAdmin;
let keys: Record<'admin' | 'operator' | 'partner', IssuedKey>;
let handler: ReturnType<typeof httpHandler>;

beforeAll(() => {
  for (const level of ['info', 'warn', 'error'] as const) jest.spyOn(logger, level).mockImplementation(() => undefined);
});

beforeEach(async () => {
  f = fakeAdmin();
  await seedTenant(f.store, 'acme', 'partner-one');
  const directory = new FakeDirectory();
  keys = { admin: issuedKey('admin'), operator: issuedKey('operator'), partner: issuedKey('partner') };
  for (const key of Object.values(keys)) directory.keys.set(key.keyId, key.record);
  handler = httpHandler(
    (req) => dispatchAdmin({ ...ADMIN_ROUTES, ...REVOCATION_ROUTES }, f.deps, new Authenticator(directory, 60_000), req),
    { body: true },
  );
});

async function call(
  routeKey: string,
  path: string,
  opts: { key?: IssuedKey; body?: unknown; query?: Record<string, string>; params?: Record<string, string>; undocumented?: boolean } = {},
) {
  const [method] = routeKey.split(' ');
  const event = fakeEvent({
    method,
    path,
    headers: { ...(opts.body !== undefined && JSON_HEADERS), ...(opts.key && { authorization: `Bearer ${opts.key.apiKey}` }) },
    query: opts.query,
    pathParameters: opts.params,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  event.routeKey = routeKey;
  const res = (await handler(event, fakeContext())) as APIGatewayProxyStructuredResultV2;
  const body = res.body ? JSON.parse(res.body) : undefined;
  if (!opts.undocumented) assertMatchesOpenApi(method!, path, res.statusCode!, body);
  return { status: res.statusCode, body };
}

const acme = { tenantId: 'acme' };

describe('admin routes', () => {
  it('creates a tenant with 201 for an operator, 403 wrong_key_kind for an admin, 401 without a key', async () => {
    const body = { tenantId: 'initech', name: 'Initech' };
    expect(await call('POST /v1/tenants', '/v1/tenants', { key: keys.operator, body })).toMatchObject({
      status: 201,
      body: { tenantId: 'initech' },
    });
    expect(await call('POST /v1/tenants', '/v1/tenants', { key: keys.admin, body })).toMatchObject({
      status: 403,
      body: { error: { code: 'wrong_key_kind' } },
    });
    expect(await call('POST /v1/tenants', '/v1/tenants', { body })).toMatchObject({
      status: 401,
      body: { error: { code: 'missing_key' } },
    });
  });

  it('rejects unknown body fields, also on routes that take no body', async () => {
    const out = await call('POST /v1/tenants', '/v1/tenants', { key: keys.operator, body: { tenantId: 'x-y', name: 'n', extra: 1 } });
    expect(out).toMatchObject({ status: 400, body: { error: { code: 'invalid_request' } } });
    const disable = await call('POST /v1/tenants/{tenantId}/disable', '/v1/tenants/acme/disable', {
      key: keys.operator,
      params: acme,
      body: { now: true },
    });
    expect(disable).toMatchObject({ status: 400, body: { error: { code: 'invalid_request' } } });
    expect(f.store.tenants.get('acme')?.status).toBe('enabled');
  });

  it('pages lists with limit 1-100 (default 25) and refuses anything else', async () => {
    const route = 'GET /v1/tenants/{tenantId}/partners';
    const path = '/v1/tenants/acme/partners';
    expect(await call(route, path, { key: keys.admin, params: acme })).toMatchObject({
      status: 200,
      body: { items: [{ partnerId: 'partner-one' }] },
    });
    for (const limit of ['0', '101', '1.5', 'ten', '-1', '010']) {
      expect([limit, (await call(route, path, { key: keys.admin, params: acme, query: { limit } })).status]).toEqual([limit, 400]);
    }
    expect((await call(route, path, { key: keys.admin, params: acme, query: { limit: '100' } })).status).toBe(200);
    const listed: { page: { limit: number } }[] = [];
    f.deps.issuances.query = async (_t, _f, page) => {
      listed.push({ page });
      return { items: [] };
    };
    await call('GET /v1/tenants/{tenantId}/issuances', '/v1/tenants/acme/issuances', { key: keys.admin, params: acme });
    expect(listed).toEqual([{ page: { limit: 25, cursor: undefined } }]);
  });

  it('validates the issuance query', async () => {
    const route = 'GET /v1/tenants/{tenantId}/issuances';
    const path = '/v1/tenants/acme/issuances';
    const queries: Record<string, string>[] = [
      { from: 'yesterday' },
      { status: 'revoked' },
      { partnerId: 'Not_An_Id' },
      { from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' },
    ];
    for (const query of queries) {
      expect(await call(route, path, { key: keys.admin, params: acme, query })).toMatchObject({
        status: 400,
        body: { error: { code: 'invalid_request' } },
      });
    }
  });

  it('answers a route key it does not know with 404', async () => {
    const out = await call('GET /v1/tenants/{tenantId}', '/v1/tenants/acme', { key: keys.operator, params: acme, undocumented: true });
    expect(out).toMatchObject({ status: 404, body: { error: { code: 'route_not_found' } } });
  });

  it('creates a partner key (secret once) and lists it without secrets', async () => {
    const params = { tenantId: 'acme', partnerId: 'partner-one' };
    const created = await call('POST /v1/tenants/{tenantId}/partners/{partnerId}/keys', '/v1/tenants/acme/partners/partner-one/keys', {
      key: keys.admin,
      params,
    });
    expect(created.status).toBe(201);
    expect(created.body.apiKey).toMatch(/^cv1\.pk-/);
    const listed = await call('GET /v1/tenants/{tenantId}/partners/{partnerId}/keys', '/v1/tenants/acme/partners/partner-one/keys', {
      key: keys.admin,
      params,
    });
    expect(JSON.stringify(listed.body)).not.toContain(created.body.apiKey.split('.')[2]);
    expect(listed.body.items[0]).not.toHaveProperty('secretHash');
  });
});
