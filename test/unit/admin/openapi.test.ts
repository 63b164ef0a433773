// The OpenAPI document against the code it describes: serverless.yml routes, the admin route table,
// the committed JSON, and the response validator the integration tests use.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { bindingView, getTrust, initialBinding } from '../../../lib/admin/bindings';
import type { AdminDeps } from '../../../lib/admin/ports';
import { ADMIN_ROUTES, OPERATOR, PARTNER, REVOCATION_ROUTES, TENANT_ADMIN } from '../../../lib/admin/routes';
import { policyView } from '../../../lib/admin/views';
import type { Tenant, TenantBinding, TenantPolicy } from '../../../lib/core/model';
import { buildOpenApiDocument, errorStatuses } from '../../../lib/openapi/document';
import { ROUTES } from '../../../lib/openapi/routes';
import { whoami } from '../../../lib/vend/whoami';
import { SERVERLESS_YML } from '../../../local/tables';
import { CONSOLE_ROUTES } from '../../../scripts/check-package';
import { assertMatchesOpenApi, openApiDocument, templateOf } from '../../support/openapi';

type Functions = Record<string, { handler: string; events?: { httpApi?: string }[] }>;
const functions = (parse(readFileSync(SERVERLESS_YML, 'utf8'), { logLevel: 'silent' }) as { functions: Functions }).functions;
const routesOf = (fns: Functions) =>
  Object.values(fns).flatMap((fn) => (fn.events ?? []).map((e) => e.httpApi).filter((r): r is string => typeof r === 'string'));
const documented = Object.entries(openApiDocument.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
  Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
);

describe('the OpenAPI document', () => {
  it('is the committed lib/openapi/openapi.json (rebuild: npx tsx scripts/build-openapi.ts)', () => {
    expect(openApiDocument).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument())));
  });

  it('covers every httpApi route of serverless.yml, and nothing else', () => {
    // '*' is API Gateway's $default: the JSON 404/405 for whatever no documented route matches.
    expect(functions.defaultRoute?.events).toEqual([{ httpApi: '*' }]);
    // The console's static pages are no API routes (scripts/check-package.ts CONSOLE_ROUTES).
    expect(routesOf({ console: functions.console! }).sort()).toEqual([...CONSOLE_ROUTES].sort());
    const { console: _console, ...api } = functions;
    const deployed = routesOf(api).filter((route) => route !== '*');
    expect(deployed.length).toBeGreaterThan(20);
    for (const route of deployed) expect(documented).toContain(route);
    expect([...documented].sort()).toEqual([...deployed].sort());
  });

  it('wires the admin Lambda to exactly the routes of its route table', () => {
    expect(routesOf({ admin: functions.admin! }).sort()).toEqual(Object.keys(ADMIN_ROUTES).sort());
    // The routes that write IAM policies run in their own function, the only one with IAM grants.
    expect(routesOf({ revocations: functions.revocations! }).sort()).toEqual(Object.keys(REVOCATION_ROUTES).sort());
    expect(functions.openapi?.events).toEqual([{ httpApi: 'GET /v1/openapi.json' }]);
  });

  it('documents each admin route with the success status and key kinds the route table enforces', () => {
    for (const [key, route] of Object.entries({ ...ADMIN_ROUTES, ...REVOCATION_ROUTES })) {
      const spec = ROUTES.find((r) => `${r.method} ${r.path}` === key)!;
      expect([key, spec.success.status]).toEqual([key, route.status]);
      const auth = route.kinds === OPERATOR ? 'operator' : route.kinds === PARTNER ? 'partner' : 'tenant';
      expect([key, spec.auth]).toEqual([key, auth]);
      // A partner acts on its own records only (issue 19: confirming its MFA device).
      expect(route.kinds === OPERATOR || route.kinds === TENANT_ADMIN || route.kinds === PARTNER).toBe(true);
    }
  });

  it('declares the error schema for every error status of every route', () => {
    for (const spec of ROUTES) {
      const responses = openApiDocument.paths[spec.path][spec.method.toLowerCase()].responses;
      const statuses = Object.keys(responses).map(Number);
      expect([spec.path, statuses.filter((s) => s >= 400)]).toEqual([spec.path, errorStatuses(spec)]);
      if (spec.auth !== 'none') expect(statuses).toEqual(expect.arrayContaining([401, 403]));
      if (spec.path.includes('{')) expect(statuses).toContain(404);
    }
    expect(openApiDocument.components.responses.Error404.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/Error',
    });
  });

  it('resolves concrete paths to their templates, literal segments first', () => {
    expect(templateOf('/v1/tenants/acme/policy/versions?limit=2')).toBe('/v1/tenants/{tenantId}/policy/versions');
    expect(templateOf('/v1/tenants/acme/partners/p1/keys/pk-aaaaaaaaaaaaaaaa/rotate')).toBe(
      '/v1/tenants/{tenantId}/partners/{partnerId}/keys/{keyId}/rotate',
    );
    expect(templateOf('/v1/nowhere')).toBeUndefined();
  });
});

describe('assertMatchesOpenApi', () => {
  const key = {
    keyId: 'pk-aaaaaaaaaaaaaaaa',
    kind: 'partner',
    tenantId: 'acme',
    partnerId: 'partner-one',
    status: 'active',
    createdAt: '2026-01-01T00:00:00.000Z',
  };

  it('accepts a response the document describes', () => {
    expect(() => assertMatchesOpenApi('GET', '/v1/tenants/acme/partners/partner-one/keys', 200, { items: [key] })).not.toThrow();
    const error = { error: { code: 'not_found', message: 'Tenant not found', requestId: 'r1', details: [] } };
    expect(() => assertMatchesOpenApi('GET', '/v1/tenants/acme/policy', 404, error)).not.toThrow();
  });

  it('rejects a key listing that leaks its secret hash', () => {
    expect(() =>
      assertMatchesOpenApi('GET', '/v1/tenants/acme/partners/partner-one/keys', 200, { items: [{ ...key, secretHash: 'ab' }] }),
    ).toThrow(/must NOT have additional properties/);
  });

  it('rejects an undocumented status, method or path, and a malformed error', () => {
    expect(() => assertMatchesOpenApi('GET', '/v1/tenants', 404, {})).toThrow(/status 404 is not documented/);
    expect(() => assertMatchesOpenApi('PATCH', '/v1/tenants', 200, {})).toThrow(/not in the OpenAPI document/);
    expect(() => assertMatchesOpenApi('GET', '/v2/tenants', 200, {})).toThrow(/path is not in the OpenAPI document/);
    expect(() => assertMatchesOpenApi('GET', '/v1/tenants', 401, { error: { code: 'invalid_key' } })).toThrow(/does not match/);
  });

  it('compiles the success schema of every route', () => {
    for (const spec of ROUTES) {
      // No success body is a bare number: every schema compiles (its refs resolve) and rejects it.
      expect(() => assertMatchesOpenApi(spec.method, spec.path, spec.success.status, 42)).toThrow(/does not match/);
    }
  });
});

describe('the trust-model shapes, as the code builds them', () => {
  const at = '2026-01-01T00:00:00.000Z';
  const fresh = initialBinding(at, 'ok-aaaaaaaaaaaaaaaa');
  const full: TenantBinding = {
    ...fresh,
    version: 4,
    nextExternalId: initialBinding(at, 'ok-aaaaaaaaaaaaaaaa').externalId,
    roles: { reader: { roleArn: 'arn:aws:iam::123456789012:role/credvend/acme-reader', maxSessionDuration: 3600 } },
    federation: { resourceBoundary: ['arn:aws:s3:::data/acme/*'] },
    maxDurationSeconds: 1800,
    maxIssuancesPerMinute: 60,
  };
  const tenant: Tenant = { tenantId: 'acme', name: 'Acme', status: 'enabled', createdAt: at, binding: full };
  const policy: TenantPolicy = {
    tenantId: 'acme',
    version: 3,
    updatedAt: at,
    document: {
      defaultMode: 'assume-role',
      modes: {
        'assume-role': { role: 'reader', defaultDurationSeconds: 900, maxDurationSeconds: 3600 },
        federation: { defaultDurationSeconds: 900, maxDurationSeconds: 3600 },
      },
      statements: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/{{tenantId}}/{{partnerId}}/*' }],
    },
  };

  it('documents the binding view of every binding route', () => {
    for (const binding of [fresh, full]) {
      const view = bindingView('acme', binding);
      assertMatchesOpenApi('GET', '/v1/tenants/acme/binding', 200, view);
      assertMatchesOpenApi('PUT', '/v1/tenants/acme/binding', 200, view);
      assertMatchesOpenApi('POST', '/v1/tenants/acme/binding/external-id/rotate', 200, view);
      assertMatchesOpenApi('POST', '/v1/tenants/acme/binding/external-id/activate', 200, view);
    }
  });

  it('documents the trust view, during a rotation and outside one', async () => {
    const { nextExternalId: _, ...settled } = full;
    for (const binding of [full, settled]) {
      const deps = {
        lookup: { getTenant: async () => ({ ...tenant, binding }) },
        trust: {
          rolePattern: 'arn:aws:iam::*:role/credvend/*',
          issuerPrincipal: async () => 'arn:aws:iam::123456789012:role/credvend-prod-us-east-1-lambdaRole',
        },
      } as unknown as AdminDeps;
      const trust = await getTrust(deps, { kind: 'admin', keyId: 'ak-aaaaaaaaaaaaaaaa', tenantId: 'acme' }, 'acme');
      assertMatchesOpenApi('GET', '/v1/tenants/acme/trust', 200, trust);
    }
  });

  it('documents whoami with its principal names, bound roles and federation', () => {
    const caller = { kind: 'partner' as const, keyId: 'pk-aaaaaaaaaaaaaaaa', tenantId: 'acme', partnerId: 'partner-one' };
    const settings = policy.document.modes['assume-role']!;
    const body = whoami(caller, { policy, binding: full, mode: 'assume-role', settings });
    assertMatchesOpenApi('GET', '/v1/whoami', 200, body);
  });

  it('answers GET /policy with the field PUT takes, so a GET round-trips', () => {
    const view = policyView({ ...policy, updatedBy: 'ak-aaaaaaaaaaaaaaaa' });
    assertMatchesOpenApi('GET', '/v1/tenants/acme/policy', 200, view);
    const schemas = openApiDocument.components.schemas;
    expect(Object.keys(schemas.TenantPolicy.properties)).toContain('policy');
    expect(Object.keys(schemas.TenantPolicy.properties)).not.toContain('document');
    expect(schemas.PutPolicyRequest.properties.policy).toEqual(schemas.TenantPolicy.properties.policy);
  });

  it('declares servers and a 4XX response on every operation (redocly recommended rules)', () => {
    expect(openApiDocument.servers).toEqual([expect.objectContaining({ url: '/' })]);
    for (const item of Object.values(openApiDocument.paths as Record<string, Record<string, { responses: object }>>)) {
      for (const op of Object.values(item)) expect(Object.keys(op.responses).some((s) => s.startsWith('4'))).toBe(true);
    }
  });
});
