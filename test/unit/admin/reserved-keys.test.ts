// Reserved keys (`__proto__`, `constructor`, `prototype`) through the admin API (issue 15): PUT policy,
// preview and PUT binding answer 422 naming the key; before, `__proto__` vanished and the write succeeded.
import { beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ADMIN_ROUTES, dispatchAdmin, REVOCATION_ROUTES } from '../../../lib/admin/routes';
import { logger } from '../../../lib/core/log';
import { httpHandler } from '../../../lib/http/handler';
import { Authenticator } from '../../../lib/identity/authenticate';
import { fakeContext, fakeEvent, JSON_HEADERS } from '../http/fake-event';
import { FakeDirectory, type IssuedKey, issuedKey } from '../issuance-fakes';
import { type FakeAdmin, fakeAdmin, seedTenant } from './fakes';

let f: FakeAdmin;
let operator: IssuedKey;
let handler: ReturnType<typeof httpHandler>;

beforeAll(() => {
  for (const level of ['info', 'warn', 'error'] as const) jest.spyOn(logger, level).mockImplementation(() => undefined);
});

beforeEach(async () => {
  f = fakeAdmin();
  await seedTenant(f.store, 'acme', 'partner-one');
  const directory = new FakeDirectory();
  operator = issuedKey('operator');
  directory.keys.set(operator.keyId, operator.record);
  handler = httpHandler(
    (req) => dispatchAdmin({ ...ADMIN_ROUTES, ...REVOCATION_ROUTES }, f.deps, new Authenticator(directory, 60_000), req),
    { body: true },
  );
});

/** The body as raw JSON text: an object literal cannot carry an own `__proto__` key. */
async function send(routeKey: string, path: string, rawBody: string) {
  const [method] = routeKey.split(' ');
  const event = fakeEvent({ method, path, headers: { ...JSON_HEADERS, authorization: `Bearer ${operator.apiKey}` }, body: rawBody });
  event.routeKey = routeKey;
  event.pathParameters = { tenantId: 'acme' };
  const res = (await handler(event, fakeContext())) as APIGatewayProxyStructuredResultV2;
  return { status: res.statusCode, body: JSON.parse(res.body ?? '{}') };
}

const POLICY = (condition: string) =>
  `{"defaultMode":"assume-role","modes":{"assume-role":{"role":"primary","defaultDurationSeconds":900,"maxDurationSeconds":3600}},` +
  `"statements":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-data/*","Condition":${condition}}]}`;
const HIDDEN_CONDITION = '{"StringEquals":{"__proto__":"x","aws:SourceVpc":"vpc-1"}}';

describe('reserved keys through the admin API', () => {
  it('PUT policy: 422 invalid_policy naming the key, and nothing is written', async () => {
    const res = await send(
      'PUT /v1/tenants/{tenantId}/policy',
      '/v1/tenants/acme/policy',
      `{"expectedVersion":0,"policy":${POLICY(HIDDEN_CONDITION)}}`,
    );
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('invalid_policy');
    expect(res.body.error.details).toEqual([
      expect.objectContaining({ path: '$.statements[0].Condition.StringEquals.__proto__', code: 'reserved_key' }),
    ]);
    expect(await f.store.getPolicy('acme')).toBeUndefined();
  });

  it('the same policy without the key is written (the key alone made the difference)', async () => {
    const res = await send(
      'PUT /v1/tenants/{tenantId}/policy',
      '/v1/tenants/acme/policy',
      `{"expectedVersion":0,"policy":${POLICY('{"StringEquals":{"aws:SourceVpc":"vpc-1"}}')}}`,
    );
    expect(res.status).toBe(200);
  });

  it('preview of a draft lists the reserved key among its problems', async () => {
    const res = await send(
      'POST /v1/tenants/{tenantId}/policy/preview',
      '/v1/tenants/acme/policy/preview',
      `{"partnerId":"partner-one","policy":${POLICY('{"StringEquals":{"constructor":"x"}}')}}`,
    );
    expect(JSON.stringify(res.body)).toContain('reserved_key');
    expect(JSON.stringify(res.body)).toContain('$.statements[0].Condition.StringEquals.constructor');
  });

  it.each(['__proto__', 'constructor', 'prototype'])(
    'PUT binding with a role named %s: 422 invalid_binding, the binding unchanged',
    async (name) => {
      const role = '{"roleArn":"arn:aws:iam::123456789012:role/credvend/acme","maxSessionDuration":3600}';
      const res = await send(
        'PUT /v1/tenants/{tenantId}/binding',
        '/v1/tenants/acme/binding',
        `{"expectedVersion":1,"roles":{"primary":${role},"${name}":${role}}}`,
      );
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('invalid_binding');
      expect(res.body.error.details).toEqual([expect.objectContaining({ path: `$.roles.${name}`, code: 'reserved_key' })]);
      expect((await f.store.getTenant('acme'))?.binding?.version).toBe(1);
    },
  );
});
