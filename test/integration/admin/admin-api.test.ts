// The admin API over HTTP against serverless-offline, dynalite and the local STS: onboarding,
// policy versions, partners and keys, and their effect on issuance within the cache TTL.
import { readFileSync } from 'node:fs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { IssuanceRecord } from '../../../lib/core/model';
import { ISSUANCE_SHARDS, tableKeys } from '../../../lib/core/table-keys';
import { validatePolicyDocument } from '../../../lib/policy/validate';
import { issuanceItem } from '../../../lib/store/issuance-ledger';
import { DEMO_ROLE, demoPolicy } from '../../../local/seed';
import { closeTables, createTestTenant, type TestTenant, tables, uniqueId } from '../../support/api';
import { control } from '../../support/control';
import { OPENAPI_JSON } from '../../support/openapi';
import { bind, registerRole, trustOf } from '../../support/trust';
import { api, listAll, newKey, pastCacheTtl } from './support';

let operatorKey: string;
const policy = () => demoPolicy();
const issue = (key: string, body: unknown = {}) => api('POST', '/v1/credentials', { key, body });

beforeAll(async () => {
  operatorKey = (await newKey('operator')).apiKey;
});
afterAll(() => closeTables());

describe('onboarding a tenant (operator), then managing it (its admin)', () => {
  const tenantId = uniqueId('t');
  let adminKey: string;
  let partnerKey: string;
  let roleArn: string;

  it('creates the tenant, once', async () => {
    const created = await api('POST', '/v1/tenants', { key: operatorKey, body: { tenantId, name: 'Onboarded' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ tenantId, name: 'Onboarded', status: 'enabled' });
    const again = await api('POST', '/v1/tenants', { key: operatorKey, body: { tenantId, name: 'Again' } });
    expect([again.status, again.body.error.code]).toEqual([409, 'tenant_exists']);
    const invalid = await api('POST', '/v1/tenants', { key: operatorKey, body: { tenantId: 'Bad Id', name: 'x' } });
    expect([invalid.status, invalid.body.error.code]).toEqual([400, 'invalid_request']);
  });

  it('gives it an admin key, whose secret is shown once', async () => {
    const res = await api('POST', `/v1/tenants/${tenantId}/admin-keys`, { key: operatorKey });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toMatchObject({ kind: 'admin', tenantId, status: 'active' });
    adminKey = res.body.apiKey;
  });

  it('has no policy yet: the admin reads 404, and issuance answers 403 policy_not_configured', async () => {
    const read = await api('GET', `/v1/tenants/${tenantId}/policy`, { key: adminKey });
    expect([read.status, read.body.error.code]).toEqual([404, 'policy_not_configured']);

    const partner = await api('POST', `/v1/tenants/${tenantId}/partners`, {
      key: adminKey,
      body: { partnerId: 'app-one', name: 'App one' },
    });
    expect(partner.status).toBe(201);
    const key = await api('POST', `/v1/tenants/${tenantId}/partners/app-one/keys`, { key: adminKey });
    expect(key.status).toBe(201);
    partnerKey = key.body.apiKey;
    const refused = await issue(partnerKey);
    expect([refused.status, refused.body.error.code]).toEqual([403, 'policy_not_configured']);
  });

  it('cannot write a policy before an operator binds a role: 422 role_not_bound and federation_not_enabled', async () => {
    const put = await api('PUT', `/v1/tenants/${tenantId}/policy`, { key: adminKey, body: { expectedVersion: 0, policy: policy() } });
    expect([put.status, put.body.error.code]).toEqual([422, 'invalid_policy']);
    expect(put.body.error.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: "$.modes['assume-role'].role", code: 'role_not_bound' }),
        expect.objectContaining({ path: '$.modes.federation', code: 'federation_not_enabled' }),
      ]),
    );
    expect((await api('GET', `/v1/tenants/${tenantId}/policy`, { key: adminKey })).status).toBe(404);
  });

  it('is bound by the operator to a role the tenant registered with the trust policy its trust view shows', async () => {
    const trust = await trustOf(adminKey, tenantId);
    roleArn = await registerRole(trust.trustPolicy, { maxSessionDuration: 14_400 });
    const bound = await bind(operatorKey, tenantId, {
      roles: { [DEMO_ROLE]: { roleArn, maxSessionDuration: 14_400 } },
      federation: { resourceBoundary: ['arn:aws:s3:::demo-bucket', `arn:aws:s3:::demo-bucket/${tenantId}/*`] },
    });
    expect(bound).toMatchObject({ tenantId, version: 2, externalId: trust.externalId, roles: { [DEMO_ROLE]: { roleArn } } });
  });

  it('lets the admin write the first version (expectedVersion 0), after which the partner gets credentials as the bound role', async () => {
    const put = await api('PUT', `/v1/tenants/${tenantId}/policy`, { key: adminKey, body: { expectedVersion: 0, policy: policy() } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ tenantId, version: 1, policy: policy() });
    await pastCacheTtl(); // the "no policy" answer may still be cached
    const issued = await issue(partnerKey);
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({ tenantId, partnerId: 'app-one', policyVersion: 1 });
    expect((await control.stsSession(issued.body.credentials.accessKeyId))?.roleArn).toBe(roleArn);
  });

  it('lists the tenant among all tenants, page by page', async () => {
    const { items, pages } = await listAll('/v1/tenants', operatorKey, 100);
    expect(items.filter((t) => t.tenantId === tenantId)).toHaveLength(1);
    expect(new Set(items.map((t) => t.tenantId)).size).toBe(items.length);
    expect(pages).toBeGreaterThanOrEqual(1);
  });
});

describe('policy versions', () => {
  let tenant: TestTenant;
  beforeAll(async () => {
    tenant = await createTestTenant();
  });
  const path = () => `/v1/tenants/${tenant.tenantId}/policy`;

  it('moves forward one version per write; a stale expectedVersion is 409', async () => {
    const v2 = await api('PUT', path(), {
      key: tenant.adminKey,
      body: { expectedVersion: 1, policy: { ...policy(), defaultMode: 'federation' } },
    });
    expect([v2.status, v2.body.version]).toEqual([200, 2]);
    const stale = await api('PUT', path(), { key: tenant.adminKey, body: { expectedVersion: 1, policy: policy() } });
    expect([stale.status, stale.body.error.code]).toEqual([409, 'version_conflict']);
    const current = await api('GET', path(), { key: tenant.adminKey });
    expect(current.body).toMatchObject({ version: 2, policy: { defaultMode: 'federation' } });
    const versions = await listAll(`${path()}/versions`, tenant.adminKey, 1);
    expect(versions.items.map((v) => v.version)).toEqual([2, 1]);
    expect(versions.pages).toBeGreaterThanOrEqual(2);
  });

  it('round-trips: the `policy` of a GET body, modified, is what PUT takes back', async () => {
    const read = await api('GET', path(), { key: tenant.adminKey });
    expect(read.status).toBe(200);
    expect(read.body).not.toHaveProperty('document');
    const { version, policy: current } = read.body;
    current.modes.federation.maxDurationSeconds = 3600;
    const put = await api('PUT', path(), { key: tenant.adminKey, body: { expectedVersion: version, policy: current } });
    expect([put.status, put.body.version]).toEqual([200, version + 1]);
    const again = await api('GET', path(), { key: tenant.adminKey });
    expect(again.body.policy).toEqual(current);
    expect(again.body.policy.modes.federation.maxDurationSeconds).toBe(3600);
  });

  it('of concurrent writes with the same expectedVersion, exactly one wins and the rest get 409', async () => {
    const from = (await api('GET', path(), { key: tenant.adminKey })).body.version as number;
    const writers = Array.from({ length: 8 }, (_, i) =>
      api('PUT', path(), {
        key: tenant.adminKey,
        body: { expectedVersion: from, policy: { ...policy(), rateLimit: { perMinute: 100 + i } } },
      }),
    );
    const results = await Promise.all(writers);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
    const winner = results.find((r) => r.status === 200)!;
    const current = await api('GET', path(), { key: tenant.adminKey });
    expect(current.body).toMatchObject({ version: from + 1, policy: winner.body.policy });
    const versions = await api('GET', `${path()}/versions?limit=100`, { key: tenant.adminKey });
    expect(versions.body.items.map((v: { version: number }) => v.version)).toEqual(
      Array.from({ length: from + 1 }, (_, i) => from + 1 - i),
    );
  });

  it('answers a document that breaks rules with 422 invalid_policy, every problem in details, and writes nothing', async () => {
    const before = (await api('GET', path(), { key: tenant.adminKey })).body.version;
    const bad = {
      ...policy(),
      defaultMode: 'federation',
      modes: { 'assume-role': policy().modes['assume-role'] },
      statements: [
        { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/{{tenant}}/*' },
        { Effect: 'Permit', Action: 'not an action' },
      ],
      unexpected: true,
    };
    const res = await api('PUT', path(), { key: tenant.adminKey, body: { expectedVersion: before, policy: bad } });
    const expected = validatePolicyDocument(bad);
    expect(expected.ok).toBe(false);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('invalid_policy');
    expect(res.body.error.details).toEqual(expected.problems);
    expect(res.body.error.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: '$.unexpected', code: 'unknown_field' }),
        expect.objectContaining({ path: '$.defaultMode', code: 'default_mode_not_configured' }),
        expect.objectContaining({ path: '$.statements[0].Resource', code: 'unknown_placeholder' }),
        expect.objectContaining({ path: '$.statements[1].Effect' }),
        expect.objectContaining({ path: '$.statements[1]', code: 'missing_resource' }),
      ]),
    );
    expect((await api('GET', path(), { key: tenant.adminKey })).body.version).toBe(before);
  });

  it('takes condition keys {{partnerId}} could merge only for a partner id no tenant can create (red team: was a 500)', async () => {
    const read = await api('GET', path(), { key: tenant.adminKey });
    const document = policy();
    document.statements[1]!.Condition = {
      StringLike: { 's3:prefix': '{{tenantId}}/{{partnerId}}/*', 'aws:PrincipalTag/{{partnerId}}': 'a', 'aws:PrincipalTag/*': 'b' },
    };
    const preview = await api('POST', `${path()}/preview`, {
      key: tenant.adminKey,
      body: { partnerId: tenant.partnerId, policy: document },
    });
    expect([preview.status, preview.body.ok]).toEqual([200, true]);
    const put = await api('PUT', path(), { key: tenant.adminKey, body: { expectedVersion: read.body.version, policy: document } });
    expect([put.status, put.body.version]).toEqual([200, read.body.version + 1]);
  });

  it('previews the current policy and a draft without issuing anything', async () => {
    await control.resetStsCalls();
    const current = await api('POST', `${path()}/preview`, {
      key: tenant.adminKey,
      body: { partnerId: tenant.partnerId, mode: 'assume-role', scope: { actions: ['s3:GetObject', 'ec2:RunInstances'] } },
    });
    expect(current.status).toBe(200);
    expect(current.body).toMatchObject({ source: 'current', mode: 'assume-role', ok: false });
    expect(current.body.problems).toEqual([
      expect.objectContaining({ code: 'scope_not_allowed', path: '$.scope.actions[1]', action: 'ec2:RunInstances' }),
    ]);
    expect(current.body.size.total).toBe(JSON.stringify(current.body.renderedPolicy).length);

    const draft = await api('POST', `${path()}/preview`, {
      key: tenant.adminKey,
      body: { partnerId: tenant.partnerId, policy: { ...policy(), statements: [] } },
    });
    expect(draft.body).toMatchObject({
      source: 'draft',
      renderedPolicy: null,
      ok: false,
      problems: [expect.objectContaining({ code: 'no_statements' })],
    });

    const unknown = await api('POST', `${path()}/preview`, { key: tenant.adminKey, body: { partnerId: 'nobody' } });
    expect(unknown.status).toBe(404);
    expect(await control.stsCalls()).toEqual([]);
    expect((await api('GET', `/v1/tenants/${tenant.tenantId}/issuances`, { key: tenant.adminKey })).body.items).toEqual([]);
  });
});

describe('partners and keys: effects on issuance within the cache TTL', () => {
  let tenant: TestTenant;
  beforeAll(async () => {
    tenant = await createTestTenant();
  });
  const partnerPath = () => `/v1/tenants/${tenant.tenantId}/partners/${tenant.partnerId}`;

  it('rotates a key: both keys work until the old one is revoked, then only the new one', async () => {
    const rotated = await api('POST', `${partnerPath()}/keys/${tenant.partnerKeyId}/rotate`, { key: tenant.adminKey });
    expect(rotated.status).toBe(201);
    expect(rotated.body).toMatchObject({ rotatedFrom: tenant.partnerKeyId, partnerId: tenant.partnerId, status: 'active' });
    expect((await issue(tenant.partnerKey)).status).toBe(201);
    expect((await issue(rotated.body.apiKey)).status).toBe(201);

    const revoked = await api('DELETE', `${partnerPath()}/keys/${tenant.partnerKeyId}`, { key: tenant.adminKey });
    expect(revoked.body).toMatchObject({ keyId: tenant.partnerKeyId, status: 'revoked' });
    await pastCacheTtl();
    const refused = await issue(tenant.partnerKey);
    expect([refused.status, refused.body.error.code]).toEqual([401, 'invalid_key']);
    expect((await issue(rotated.body.apiKey)).status).toBe(201);

    const again = await api('POST', `${partnerPath()}/keys/${tenant.partnerKeyId}/rotate`, { key: tenant.adminKey });
    expect([again.status, again.body.error.code]).toEqual([409, 'key_revoked']);
    const listed = await api('GET', `${partnerPath()}/keys`, { key: tenant.adminKey });
    expect(listed.body.items.map((k: { keyId: string; status: string }) => [k.keyId, k.status])).toEqual([
      [tenant.partnerKeyId, 'revoked'],
      [rotated.body.keyId, 'active'],
    ]);
    expect(listed.text).not.toContain('secretHash');
    expect(listed.text).not.toContain(rotated.body.apiKey.split('.')[2]);
    tenant.partnerKey = rotated.body.apiKey;
  });

  it('disabling a partner stops its issuance; enabling it restores it', async () => {
    expect((await api('POST', `${partnerPath()}/disable`, { key: tenant.adminKey })).body.status).toBe('disabled');
    await pastCacheTtl();
    const refused = await issue(tenant.partnerKey);
    expect([refused.status, refused.body.error.code]).toEqual([403, 'partner_disabled']);
    expect((await api('POST', `${partnerPath()}/enable`, { key: tenant.adminKey })).body.status).toBe('enabled');
    await pastCacheTtl();
    expect((await issue(tenant.partnerKey)).status).toBe(201);
  });

  it('disabling a tenant stops its issuance and its admins; enabling it restores both', async () => {
    const disabled = await api('POST', `/v1/tenants/${tenant.tenantId}/disable`, { key: operatorKey });
    expect(disabled.body).toMatchObject({ tenantId: tenant.tenantId, status: 'disabled' });
    await pastCacheTtl();
    const refused = await issue(tenant.partnerKey);
    expect([refused.status, refused.body.error.code]).toEqual([403, 'tenant_disabled']);
    const admin = await api('GET', `/v1/tenants/${tenant.tenantId}/partners`, { key: tenant.adminKey });
    expect([admin.status, admin.body.error.code]).toEqual([403, 'tenant_disabled']);
    expect((await api('GET', `/v1/tenants/${tenant.tenantId}/partners`, { key: operatorKey })).status).toBe(200);
    await api('POST', `/v1/tenants/${tenant.tenantId}/enable`, { key: operatorKey });
    await pastCacheTtl();
    expect((await issue(tenant.partnerKey)).status).toBe(201);
  });

  it('revoking an admin key shuts it out', async () => {
    const extra = await api('POST', `/v1/tenants/${tenant.tenantId}/admin-keys`, { key: operatorKey });
    expect((await api('GET', `/v1/tenants/${tenant.tenantId}/policy`, { key: extra.body.apiKey })).status).toBe(200);
    const revoked = await api('DELETE', `/v1/tenants/${tenant.tenantId}/admin-keys/${extra.body.keyId}`, { key: operatorKey });
    expect(revoked.body).toMatchObject({ keyId: extra.body.keyId, status: 'revoked' });
    await pastCacheTtl();
    const refused = await api('GET', `/v1/tenants/${tenant.tenantId}/policy`, { key: extra.body.apiKey });
    expect([refused.status, refused.body.error.code]).toEqual([401, 'invalid_key']);
  });

  it("answers another tenant's partners and keys as absent, even under the caller's own tenant", async () => {
    const other = await createTestTenant();
    const mine = `/v1/tenants/${tenant.tenantId}`;
    const probes = [
      api('GET', `${mine}/partners/${other.partnerId}/keys`, { key: tenant.adminKey }),
      api('POST', `${mine}/partners/${other.partnerId}/disable`, { key: tenant.adminKey }),
      api('DELETE', `${mine}/partners/${tenant.partnerId}/keys/${other.partnerKeyId}`, { key: tenant.adminKey }),
      api('POST', `${mine}/partners/${tenant.partnerId}/keys/${other.partnerKeyId}/rotate`, { key: tenant.adminKey }),
      api('GET', `/v1/tenants/${other.tenantId}/issuances`, { key: tenant.adminKey }),
      api('GET', '/v1/tenants/no-such-tenant/policy', { key: tenant.adminKey }),
    ];
    for (const res of await Promise.all(probes)) expect([res.status, res.body.error.code]).toEqual([404, 'not_found']);
    expect((await issue(other.partnerKey)).status).toBe(201); // untouched
  });
});

describe('issuance ledger and audit reports', () => {
  let tenant: TestTenant;
  let second: { partnerId: string; apiKey: string };
  const issued: { issuanceId: string; partnerId: string; serverTime: string }[] = [];

  beforeAll(async () => {
    tenant = await createTestTenant();
    const partnerId = uniqueId('p');
    await api('POST', `/v1/tenants/${tenant.tenantId}/partners`, { key: tenant.adminKey, body: { partnerId, name: 'Second' } });
    const key = await api('POST', `/v1/tenants/${tenant.tenantId}/partners/${partnerId}/keys`, { key: tenant.adminKey });
    second = { partnerId, apiKey: key.body.apiKey };
    for (const key of [tenant.partnerKey, second.apiKey, tenant.partnerKey, second.apiKey, tenant.partnerKey]) {
      const res = await issue(key);
      expect(res.status).toBe(201);
      issued.push({ issuanceId: res.body.issuanceId, partnerId: res.body.partnerId, serverTime: res.body.serverTime });
      await new Promise((resolve) => setTimeout(resolve, 5)); // distinct issuedAt, so the order is exact
    }
  });

  const ledger = () => `/v1/tenants/${tenant.tenantId}/issuances`;
  const ids = (items: { issuanceId: string }[]) => items.map((i) => i.issuanceId);
  const newestFirst = () => [...issued].reverse();

  it('lists every issuance newest first, through the cursor, a Query per shard and page and no Scan', async () => {
    await control.resetDynamoCounts();
    const { items, pages } = await listAll(ledger(), tenant.adminKey, 2);
    expect(ids(items)).toEqual(ids(newestFirst()));
    expect(pages).toBe(3);
    const counts = await control.dynamoCounts();
    // Each page reads each write shard and the unsharded key once, and again only a shard it emptied.
    expect(counts['DynamoDB_20120810.Query']).toBeGreaterThanOrEqual(3 * (ISSUANCE_SHARDS + 1));
    expect(counts['DynamoDB_20120810.Query']).toBeLessThanOrEqual(3 * (ISSUANCE_SHARDS + 1) + 5);
    expect(counts['DynamoDB_20120810.Scan']).toBeUndefined();
    expect(items[0]).toMatchObject({ tenantId: tenant.tenantId, status: 'active', mode: 'assume-role' });
  });

  it('filters by partner, by status, by both, and by time range', async () => {
    const byPartner = await listAll(`${ledger()}?partnerId=${second.partnerId}`, tenant.adminKey, 1);
    expect(ids(byPartner.items)).toEqual(ids(newestFirst().filter((i) => i.partnerId === second.partnerId)));
    const active = await listAll(`${ledger()}?status=active`, tenant.adminKey, 10);
    expect(ids(active.items)).toEqual(ids(newestFirst()));
    const expired = await api('GET', `${ledger()}?status=expired`, { key: tenant.adminKey });
    expect(expired.body).toEqual({ items: [] });
    const both = await listAll(`${ledger()}?partnerId=${tenant.partnerId}&status=active`, tenant.adminKey, 2);
    expect(ids(both.items)).toEqual(ids(newestFirst().filter((i) => i.partnerId === tenant.partnerId)));

    // issuedAt is within the issue request; serverTime (whole seconds) is taken after it.
    const all = (await api('GET', `${ledger()}?limit=100`, { key: tenant.adminKey })).body.items as {
      issuanceId: string;
      issuedAt: string;
    }[];
    const byId = new Map(all.map((i) => [i.issuanceId, i.issuedAt]));
    const from = byId.get(issued[1]!.issuanceId)!;
    const to = byId.get(issued[3]!.issuanceId)!;
    const range = await api('GET', `${ledger()}?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, { key: tenant.adminKey });
    expect(ids(range.body.items)).toEqual(ids([issued[2]!, issued[1]!])); // from inclusive, to exclusive
    const offset = await api('GET', `${ledger()}?to=${encodeURIComponent(from.replace('Z', '+00:00'))}`, { key: tenant.adminKey });
    expect(ids(offset.body.items)).toEqual(ids([issued[0]!]));
  });

  it('lists records written before sharding with the new ones, in one order, by every filter', async () => {
    // Written as the ledger wrote them before sharding (no shard in any key), between the new ones.
    const all = (await api('GET', `${ledger()}?limit=100`, { key: tenant.adminKey })).body.items as IssuanceRecord[];
    const [newest, , middle] = all;
    const old = [newest!, middle!].map((r, i) => ({
      ...r,
      issuanceId: `${r.issuanceId.slice(0, -4)}old${i}`,
      issuedAt: new Date(Date.parse(r.issuedAt) - 1).toISOString(),
      status: i === 0 ? ('expired' as const) : r.status,
    }));
    const { client, issuances } = tables();
    for (const record of old) await client.send(new PutCommand({ TableName: issuances, Item: issuanceItem(record, 400, 'legacy') }));
    const expected = [...all, ...old].sort((a, b) => (`${a.issuedAt}#${a.issuanceId}` < `${b.issuedAt}#${b.issuanceId}` ? 1 : -1));

    const listed = await listAll(ledger(), tenant.adminKey, 2);
    expect(ids(listed.items)).toEqual(ids(expected));
    const expired = await listAll(`${ledger()}?status=expired`, tenant.adminKey, 2);
    expect(ids(expired.items)).toEqual([old[0]!.issuanceId]);
    const byPartner = await listAll(`${ledger()}?partnerId=${middle!.partnerId}&status=active`, tenant.adminKey, 1);
    expect(ids(byPartner.items)).toEqual(ids(expected.filter((r) => r.partnerId === middle!.partnerId && r.status === 'active')));
    expect(byPartner.items.map((r) => r.issuanceId)).toContain(old[1]!.issuanceId);
  });

  it('refuses a tampered cursor and bad filters with 400', async () => {
    const first = await api('GET', `${ledger()}?limit=1`, { key: tenant.adminKey });
    const other = await createTestTenant();
    const foreign = await api('GET', `/v1/tenants/${other.tenantId}/issuances?cursor=${first.body.nextCursor}`, { key: other.adminKey });
    expect([foreign.status, foreign.body.error.code]).toEqual([400, 'invalid_cursor']);
    for (const query of ['cursor=garbage', 'limit=0', 'limit=101', 'status=revoked', 'from=yesterday']) {
      const res = await api('GET', `${ledger()}?${query}`, { key: tenant.adminKey });
      expect([query, res.status]).toEqual([query, 400]);
    }
  });

  it("lists the tenant's audit reports newest first, never another tenant's", async () => {
    const { client, main } = tables();
    const report = (tenantId: string, windowEnd: string) => ({
      ...tableKeys.auditReport(tenantId, windowEnd, `run-${windowEnd}`),
      tenantId,
      runId: `run-${windowEnd}`,
      windowStart: '2026-01-01T00:00:00.000Z',
      windowEnd,
      createdAt: windowEnd,
      expiredInWindow: 1,
    });
    for (const item of [
      report(tenant.tenantId, '2026-01-01T00:15:00.000Z'),
      report(tenant.tenantId, '2026-01-01T00:30:00.000Z'),
      report(`${tenant.tenantId}x`, '2026-01-01T00:45:00.000Z'),
    ]) {
      await client.send(new PutCommand({ TableName: main, Item: item }));
    }
    const { items } = await listAll(`/v1/tenants/${tenant.tenantId}/audit-reports`, tenant.adminKey, 1);
    expect(items.map((r) => r.windowEnd)).toEqual(['2026-01-01T00:30:00.000Z', '2026-01-01T00:15:00.000Z']);
    expect(items[0]).not.toHaveProperty('pk');
  });
});

describe('GET /v1/openapi.json', () => {
  it('serves the committed document without a key', async () => {
    const res = await api('GET', '/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body).toEqual(JSON.parse(readFileSync(OPENAPI_JSON, 'utf8')));
    expect(res.body.openapi).toBe('3.1.0');
  });
});
