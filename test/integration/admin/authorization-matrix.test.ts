// Every route of serverless.yml against every kind of caller, over HTTP, each with the status it
// must answer. Each case gets a fresh tenant, so a success cannot change what the next case sees.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { codeAt, seedFromBase32 } from '../../../lib/mfa/totp';
import { demoBinding, demoPolicy } from '../../../local/seed';
import { SERVERLESS_YML } from '../../../local/tables';
import { CONSOLE_ASSETS_FILE } from '../../../scripts/build-console.mjs';
import {
  call,
  closeTables,
  createTestTenant,
  roleOnlyBinding,
  stackInfo,
  type TestTenant,
  type TestTenantOptions,
  uniqueId,
} from '../../support/api';
import { api, directoryAdmin, newKey, revokedKey } from './support';

type CallerKind =
  | 'no key'
  | 'malformed key'
  | 'revoked key'
  | 'partner key'
  | 'admin of the tenant'
  | 'admin of another tenant'
  | 'operator';
const CALLERS: CallerKind[] = [
  'no key',
  'malformed key',
  'revoked key',
  'partner key',
  'admin of the tenant',
  'admin of another tenant',
  'operator',
];

type Access = 'public' | 'partner' | 'operator' | 'tenant';

/** What each kind of caller must get, by who the route is for; `ok` is the route's success status. */
function expectedStatus(access: Access, caller: CallerKind, ok: number): number {
  if (access === 'public') return ok;
  if (caller === 'no key' || caller === 'malformed key' || caller === 'revoked key') return 401;
  const allowed: Record<Exclude<Access, 'public'>, CallerKind[]> = {
    partner: ['partner key'],
    operator: ['operator'],
    tenant: ['admin of the tenant', 'operator'],
  };
  if (allowed[access].includes(caller)) return ok;
  // Another tenant's resources answer as absent; a key of the wrong kind is 403 wherever it points.
  if (access === 'tenant' && caller === 'admin of another tenant') return 404;
  return 403;
}

interface Ctx {
  tenant: TestTenant;
  /** An admin key of the tenant besides the caller's, for the revoke route. */
  spareAdminKeyId: string;
  /** A pending MFA device of the tenant's partner, enrolled by its admin (cases with `device`). */
  device?: { deviceId: string; seed: Uint8Array };
}

interface Case {
  route: string;
  access: Access;
  ok: number;
  path: (c: Ctx) => string;
  body?: (c: Ctx) => unknown;
  /** The case's tenant binding, when the route needs one other than the demo binding. */
  binding?: TestTenantOptions['binding'];
  /** The route acts on an MFA device: one is enrolled (pending) for the tenant's partner first. */
  device?: true;
  /** A console page (HTML, no API route): not in the OpenAPI document, any key is ignored. */
  page?: true;
  /** What must exist before the call (written straight to the tables). */
  setup?: (c: Ctx) => Promise<void>;
}

/** The console's script as the suite's stack serves it (the global setup built it). */
const consoleScript = () =>
  Object.keys(JSON.parse(readFileSync(CONSOLE_ASSETS_FILE, 'utf8')) as Record<string, unknown>).find((p) => p.endsWith('.js'));

/** A workload identity of the case's partner, version 1 (issue 17). */
const withIdentity = async (c: Ctx) => {
  const at = new Date().toISOString();
  await directoryAdmin().putWorkloadIdentity(
    {
      tenantId: c.tenant.tenantId,
      partnerId: c.tenant.partnerId,
      identityId: 'gh-ci',
      issuer: 'https://token.actions.githubusercontent.com',
      audiences: [`credvend:${c.tenant.tenantId}`],
      subject: { exact: 'repo:acme/app:ref:refs/heads/main' },
      version: 1,
      createdAt: at,
      updatedAt: at,
    },
    0,
  );
};

const t = (c: Ctx) => `/v1/tenants/${c.tenant.tenantId}`;
const p = (c: Ctx) => `${t(c)}/partners/${c.tenant.partnerId}`;

const CASES: Case[] = [
  { route: 'GET /v1/health', access: 'public', ok: 200, path: () => '/v1/health' },
  { route: 'GET /v1/health/deep', access: 'operator', ok: 200, path: () => '/v1/health/deep' },
  { route: 'GET /v1/openapi.json', access: 'public', ok: 200, path: () => '/v1/openapi.json' },
  // The console's static assets: public (the browser sends the key to the API, never to these).
  { route: 'GET /console', access: 'public', ok: 200, path: () => '/console', page: true },
  { route: 'GET /console/{proxy+}', access: 'public', ok: 200, path: () => `/console/${consoleScript()}`, page: true },
  { route: 'POST /v1/credentials', access: 'partner', ok: 201, path: () => '/v1/credentials', body: () => ({}) },
  { route: 'GET /v1/credentials', access: 'partner', ok: 200, path: () => '/v1/credentials?format=container' },
  { route: 'GET /v1/whoami', access: 'partner', ok: 200, path: () => '/v1/whoami' },
  // A partner passes authentication and gets the 404 any message not about its own sessions gets
  // (test/integration/credentials/decode-message.test.ts decodes a real one).
  {
    route: 'POST /v1/authorization-messages/decode',
    access: 'partner',
    ok: 404,
    path: () => '/v1/authorization-messages/decode',
    body: () => ({ encodedMessage: 'A'.repeat(64) }),
  },

  {
    route: 'POST /v1/tenants',
    access: 'operator',
    ok: 201,
    path: () => '/v1/tenants',
    body: () => ({ tenantId: uniqueId('t'), name: 'New' }),
  },
  { route: 'GET /v1/tenants', access: 'operator', ok: 200, path: () => '/v1/tenants?limit=2' },
  { route: 'POST /v1/tenants/{tenantId}/disable', access: 'operator', ok: 200, path: (c) => `${t(c)}/disable` },
  { route: 'POST /v1/tenants/{tenantId}/enable', access: 'operator', ok: 200, path: (c) => `${t(c)}/enable` },
  { route: 'POST /v1/tenants/{tenantId}/admin-keys', access: 'operator', ok: 201, path: (c) => `${t(c)}/admin-keys` },
  {
    route: 'DELETE /v1/tenants/{tenantId}/admin-keys/{keyId}',
    access: 'operator',
    ok: 200,
    path: (c) => `${t(c)}/admin-keys/${c.spareAdminKeyId}`,
  },

  { route: 'GET /v1/tenants/{tenantId}/binding', access: 'operator', ok: 200, path: (c) => `${t(c)}/binding` },
  {
    route: 'PUT /v1/tenants/{tenantId}/binding',
    access: 'operator',
    ok: 200,
    path: (c) => `${t(c)}/binding`,
    body: () => ({ expectedVersion: 1, roles: { demo: { roleArn: stackInfo().demoRoleArn, maxSessionDuration: 14_400 } } }),
  },
  {
    route: 'POST /v1/tenants/{tenantId}/binding/external-id/rotate',
    access: 'operator',
    ok: 200,
    path: (c) => `${t(c)}/binding/external-id/rotate`,
    body: () => ({ expectedVersion: 1 }),
  },
  {
    route: 'POST /v1/tenants/{tenantId}/binding/external-id/activate',
    access: 'operator',
    ok: 200,
    path: (c) => `${t(c)}/binding/external-id/activate`,
    body: () => ({ expectedVersion: 1 }),
    // Rotated already: there is a next external ID to activate.
    binding: (tenantId, at) => ({
      ...demoBinding(tenantId, stackInfo().demoRoleArn, stackInfo().demoExternalId, at),
      nextExternalId: `cv-${'a'.repeat(32)}`,
    }),
  },
  { route: 'GET /v1/tenants/{tenantId}/trust', access: 'tenant', ok: 200, path: (c) => `${t(c)}/trust` },

  { route: 'GET /v1/tenants/{tenantId}/policy', access: 'tenant', ok: 200, path: (c) => `${t(c)}/policy` },
  {
    route: 'PUT /v1/tenants/{tenantId}/policy',
    access: 'tenant',
    ok: 200,
    path: (c) => `${t(c)}/policy`,
    body: () => ({ expectedVersion: 1, policy: demoPolicy() }),
  },
  { route: 'GET /v1/tenants/{tenantId}/policy/versions', access: 'tenant', ok: 200, path: (c) => `${t(c)}/policy/versions` },
  {
    route: 'POST /v1/tenants/{tenantId}/policy/preview',
    access: 'tenant',
    ok: 200,
    path: (c) => `${t(c)}/policy/preview`,
    body: (c) => ({ partnerId: c.tenant.partnerId }),
  },
  {
    route: 'POST /v1/tenants/{tenantId}/partners',
    access: 'tenant',
    ok: 201,
    path: (c) => `${t(c)}/partners`,
    body: () => ({ partnerId: uniqueId('p'), name: 'New partner' }),
  },
  { route: 'GET /v1/tenants/{tenantId}/partners', access: 'tenant', ok: 200, path: (c) => `${t(c)}/partners` },
  { route: 'POST /v1/tenants/{tenantId}/partners/{partnerId}/disable', access: 'tenant', ok: 200, path: (c) => `${p(c)}/disable` },
  { route: 'POST /v1/tenants/{tenantId}/partners/{partnerId}/enable', access: 'tenant', ok: 200, path: (c) => `${p(c)}/enable` },
  { route: 'POST /v1/tenants/{tenantId}/partners/{partnerId}/keys', access: 'tenant', ok: 201, path: (c) => `${p(c)}/keys` },
  { route: 'GET /v1/tenants/{tenantId}/partners/{partnerId}/keys', access: 'tenant', ok: 200, path: (c) => `${p(c)}/keys` },
  {
    route: 'POST /v1/tenants/{tenantId}/partners/{partnerId}/keys/{keyId}/rotate',
    access: 'tenant',
    ok: 201,
    path: (c) => `${p(c)}/keys/${c.tenant.partnerKeyId}/rotate`,
  },
  {
    route: 'DELETE /v1/tenants/{tenantId}/partners/{partnerId}/keys/{keyId}',
    access: 'tenant',
    ok: 200,
    path: (c) => `${p(c)}/keys/${c.tenant.partnerKeyId}`,
  },
  {
    route: 'PUT /v1/tenants/{tenantId}/partners/{partnerId}/workload-identities/{identityId}',
    access: 'tenant',
    ok: 200,
    path: (c) => `${p(c)}/workload-identities/gh-ci`,
    body: (c) => ({
      expectedVersion: 0,
      issuer: 'https://token.actions.githubusercontent.com',
      audiences: [`credvend:${c.tenant.tenantId}`],
      subject: { pattern: 'repo:acme/app:*' },
    }),
  },
  {
    route: 'GET /v1/tenants/{tenantId}/partners/{partnerId}/workload-identities',
    access: 'tenant',
    ok: 200,
    path: (c) => `${p(c)}/workload-identities`,
  },
  {
    route: 'GET /v1/tenants/{tenantId}/partners/{partnerId}/workload-identities/{identityId}',
    access: 'tenant',
    ok: 200,
    path: (c) => `${p(c)}/workload-identities/gh-ci`,
    setup: withIdentity,
  },
  {
    route: 'DELETE /v1/tenants/{tenantId}/partners/{partnerId}/workload-identities/{identityId}',
    access: 'tenant',
    ok: 200,
    path: (c) => `${p(c)}/workload-identities/gh-ci?expectedVersion=1`,
    setup: withIdentity,
  },
  {
    route: 'GET /v1/tenants/{tenantId}/issuances',
    access: 'tenant',
    ok: 200,
    path: (c) => `${t(c)}/issuances?from=2020-01-01T00:00:00Z&status=active&limit=5`,
  },
  { route: 'GET /v1/tenants/{tenantId}/audit-reports', access: 'tenant', ok: 200, path: (c) => `${t(c)}/audit-reports` },
  {
    route: 'POST /v1/tenants/{tenantId}/revocations',
    access: 'tenant',
    ok: 201,
    path: (c) => `${t(c)}/revocations`,
    body: (c) => ({ partnerId: c.tenant.partnerId }),
    // Role only: the stack's one federation user has room for a few revocations, kept for the tests that need them.
    binding: roleOnlyBinding,
  },
  { route: 'GET /v1/tenants/{tenantId}/revocations', access: 'tenant', ok: 200, path: (c) => `${t(c)}/revocations` },

  // MFA devices (issue 19).
  {
    route: 'POST /v1/tenants/{tenantId}/partners/{partnerId}/mfa-devices',
    access: 'tenant',
    ok: 201,
    path: (c) => `${p(c)}/mfa-devices`,
    body: () => ({}),
  },
  { route: 'GET /v1/tenants/{tenantId}/partners/{partnerId}/mfa-devices', access: 'tenant', ok: 200, path: (c) => `${p(c)}/mfa-devices` },
  {
    route: 'POST /v1/tenants/{tenantId}/partners/{partnerId}/mfa-devices/{deviceId}/confirm',
    access: 'tenant',
    ok: 200,
    device: true,
    path: (c) => `${p(c)}/mfa-devices/${c.device!.deviceId}/confirm`,
    body: (c) => ({ code: codeAt(c.device!.seed, Date.now()) }),
  },
  {
    route: 'DELETE /v1/tenants/{tenantId}/partners/{partnerId}/mfa-devices/{deviceId}',
    access: 'tenant',
    ok: 200,
    device: true,
    path: (c) => `${p(c)}/mfa-devices/${c.device!.deviceId}`,
  },
  {
    route: 'POST /v1/mfa-devices/{deviceId}/confirm',
    access: 'partner',
    ok: 200,
    device: true,
    path: (c) => `/v1/mfa-devices/${c.device!.deviceId}/confirm`,
    body: (c) => ({ code: codeAt(c.device!.seed, Date.now()) }),
  },

  { route: 'POST /v1/operator-keys', access: 'operator', ok: 201, path: () => '/v1/operator-keys' },
  { route: 'GET /v1/operator-keys', access: 'operator', ok: 200, path: () => '/v1/operator-keys' },
  // Revocation is idempotent: every operator case revokes the same spare key.
  { route: 'DELETE /v1/operator-keys/{keyId}', access: 'operator', ok: 200, path: () => `/v1/operator-keys/${spareOperatorKeyId}` },
];

let otherTenant: TestTenant;
let operatorKey: string;
let spareOperatorKeyId: string;

beforeAll(async () => {
  otherTenant = await createTestTenant();
  operatorKey = (await newKey('operator')).apiKey;
  spareOperatorKeyId = (await newKey('operator')).keyId;
});
afterAll(() => closeTables());

async function authorizationFor(caller: CallerKind, access: Access, c: Ctx): Promise<string | undefined> {
  switch (caller) {
    case 'no key':
      return undefined;
    case 'malformed key':
      return 'Bearer cv1.not-a-key.at-all';
    case 'revoked key': {
      // The kind of key that would otherwise get in.
      const key =
        access === 'partner'
          ? await revokedKey('partner', { tenantId: c.tenant.tenantId, partnerId: c.tenant.partnerId })
          : access === 'operator'
            ? await revokedOperatorKey()
            : await revokedKey('admin', { tenantId: c.tenant.tenantId });
      return `Bearer ${key.apiKey}`;
    }
    case 'partner key':
      return `Bearer ${c.tenant.partnerKey}`;
    case 'admin of the tenant':
      return `Bearer ${c.tenant.adminKey}`;
    case 'admin of another tenant':
      return `Bearer ${otherTenant.adminKey}`;
    case 'operator':
      return `Bearer ${operatorKey}`;
  }
}

async function revokedOperatorKey() {
  const key = await newKey('operator');
  await directoryAdmin().revokeKey(key.keyId, { kind: 'operator' }, new Date().toISOString());
  return key;
}

describe('authorization matrix', () => {
  it('covers every route of serverless.yml', () => {
    type Fns = Record<string, { events?: { httpApi?: string }[] }>;
    const fns = (parse(readFileSync(SERVERLESS_YML, 'utf8'), { logLevel: 'silent' }) as { functions: Fns }).functions;
    // '*' is the $default route (unknown routes: test/integration/routes), no route of the contract.
    const deployed = Object.values(fns).flatMap((fn) =>
      (fn.events ?? []).flatMap((e) => (e.httpApi && e.httpApi !== '*' ? [e.httpApi] : [])),
    );
    expect(CASES.map((c) => c.route).sort()).toEqual([...deployed].sort());
  });

  const table = CASES.flatMap((c) => CALLERS.map((caller) => [c.route, caller, expectedStatus(c.access, caller, c.ok), c] as const));

  it.each(table)('%s with %s: %d', async (_route, caller, expected, testCase) => {
    const tenant = await createTestTenant(undefined, { binding: testCase.binding });
    const ctx: Ctx = { tenant, spareAdminKeyId: (await newKey('admin', { tenantId: tenant.tenantId })).keyId };
    if (testCase.device) {
      const enrolled = await api('POST', `/v1/tenants/${tenant.tenantId}/partners/${tenant.partnerId}/mfa-devices`, {
        key: tenant.adminKey,
        body: {},
      });
      expect(enrolled.status).toBe(201);
      ctx.device = { deviceId: enrolled.body.device.deviceId, seed: seedFromBase32(enrolled.body.seed) };
    }
    await testCase.setup?.(ctx);
    const [method] = testCase.route.split(' ');
    const authorization = await authorizationFor(caller, testCase.access, ctx);
    const res = await (testCase.page ? call : api)(method!, testCase.path(ctx), {
      ...(authorization !== undefined && { authorization }),
      ...(testCase.body && { body: testCase.body(ctx) }),
      ...(testCase.page && { unchecked: true }),
    });
    if (testCase.page) expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect({ status: res.status, code: res.body?.error?.code }).toEqual({
      status: expected,
      code:
        expected === 401
          ? caller === 'no key'
            ? 'missing_key'
            : 'invalid_key'
          : expected === 403
            ? 'wrong_key_kind'
            : expected === 404
              ? 'not_found'
              : undefined,
    });
  });
});
