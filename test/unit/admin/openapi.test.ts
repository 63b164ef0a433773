// The OpenAPI document against the code it describes: serverless.yml routes, the admin route table,
// the committed JSON, and the response validator the integration tests use.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { ADMIN_ROUTES, OPERATOR, TENANT_ADMIN } from '../../../lib/admin/routes';
import { buildOpenApiDocument, errorStatuses } from '../../../lib/openapi/document';
import { ROUTES } from '../../../lib/openapi/routes';
import { SERVERLESS_YML } from '../../../local/tables';
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
    const deployed = routesOf(functions);
    expect(deployed.length).toBeGreaterThan(20);
    for (const route of deployed) expect(documented).toContain(route);
    expect([...documented].sort()).toEqual([...deployed].sort());
  });

  it('wires the admin Lambda to exactly the routes of its route table', () => {
    expect(routesOf({ admin: functions.admin! }).sort()).toEqual(Object.keys(ADMIN_ROUTES).sort());
    expect(functions.openapi?.events).toEqual([{ httpApi: 'GET /v1/openapi.json' }]);
  });

  it('documents each admin route with the success status and key kinds the route table enforces', () => {
    for (const [key, route] of Object.entries(ADMIN_ROUTES)) {
      const spec = ROUTES.find((r) => `${r.method} ${r.path}` === key)!;
      expect([key, spec.success.status]).toEqual([key, route.status]);
      expect([key, spec.auth]).toEqual([key, route.kinds === OPERATOR ? 'operator' : 'tenant']);
      expect(route.kinds === OPERATOR || route.kinds === TENANT_ADMIN).toBe(true);
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
