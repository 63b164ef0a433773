// Abuse bounds of issue 15 through serverless-offline, dynalite and the local STS: the hostile scope is
// answered (403) and a scope past the matching cap refused (422), health costs no AWS call unless an
// operator asks for the deep check, and federation keys rejected by STS are read again from SSM.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { hostileScope } from '../../../bench/scope-case';
import { createApiKey } from '../../../lib/admin/api-keys';
import type { TenantPolicyDocument } from '../../../lib/core/model';
import { DynamoDirectoryAdmin } from '../../../lib/store/directory-admin';
import { demoPolicy } from '../../../local/seed';
import { call, closeTables, createTestTenant, type TestTenant, tables } from '../../support/api';
import { control } from '../../support/control';
import { apiKeySecret, recordSecrets } from '../../support/secret-scan';

let tenant: TestTenant;
let operatorKey: string;

beforeAll(async () => {
  tenant = await createTestTenant();
  const { client, main } = tables();
  operatorKey = (await createApiKey(new DynamoDirectoryAdmin(client, main), 'operator', {})).apiKey;
  recordSecrets([apiKeySecret(operatorKey)]);
});
afterAll(async () => {
  await control.clearStsFaults();
  closeTables();
});

describe('scope matching bounded in work', () => {
  it("the issue's hostile scope (20 x 20 entries of ~740 characters full of */?) is answered 403 scope_not_allowed", async () => {
    const res = await call('POST', '/v1/credentials', { key: tenant.partnerKey, body: { scope: hostileScope() } });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('scope_not_allowed');
  });

  it('a scope whose check would pass the cap is refused 422 scope_too_complex, naming the limit', async () => {
    // A tenant pattern whose middle segment of `?`s is tried at every position of a long key.
    const policy: TenantPolicyDocument = demoPolicy();
    policy.statements = [
      {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: Array.from({ length: 19 }, (_, i) => `arn:aws:s3:::demo-bucket/*${'?a'.repeat(10)}${i}*/end`),
      },
    ];
    const heavy = await createTestTenant(policy);
    const resources = Array.from({ length: 15 }, (_, i) => `arn:aws:s3:::demo-bucket/${i}${'xa'.repeat(500)}`.slice(0, 996) + '/end');
    const res = await call('POST', '/v1/credentials', { key: heavy.partnerKey, body: { scope: { actions: ['s3:GetObject'], resources } } });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('scope_too_complex');
    expect(res.body.error.message).toContain('250000');
  });
});

describe('health', () => {
  it('GET /v1/health: 200 {status: ok} without touching STS', async () => {
    await control.resetStsCalls();
    const res = await call('GET', '/v1/health');
    expect(res).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect((await control.stsCalls()).filter((c) => c.action === 'GetCallerIdentity')).toEqual([]);
  });

  it('GET /v1/health/deep: 401 without a key, 403 with a partner key, the report with an operator key', async () => {
    expect((await call('GET', '/v1/health/deep')).status).toBe(401);
    expect((await call('GET', '/v1/health/deep', { key: tenant.partnerKey })).status).toBe(403);
    const res = await call('GET', '/v1/health/deep', { key: operatorKey });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', dependencies: { dynamodb: { ok: true }, sts: { ok: true } } });
  });
});

describe('federation keys rejected by STS', () => {
  it('the request that meets the rejection fails; the next reads the keys from SSM again and is issued', async () => {
    // The keys are loaded (if no earlier request did) and work.
    expect((await call('POST', '/v1/credentials', { key: tenant.partnerKey, body: { mode: 'federation' } })).status).toBe(201);
    await control.stsFault({ action: 'GetFederationToken', status: 403, code: 'InvalidClientTokenId', times: 1 });
    await control.resetStsCalls();
    const refused = await call('POST', '/v1/credentials', { key: tenant.partnerKey, body: { mode: 'federation' } });
    expect([refused.status, refused.body.error.code]).toEqual([502, 'sts_credentials_rejected']);
    const issued = await call('POST', '/v1/credentials', { key: tenant.partnerKey, body: { mode: 'federation' } });
    expect(issued.status).toBe(201);
    const actions = (await control.stsCalls()).map((c) => c.action).filter((a) => a === 'GetFederationToken' || a === 'GetParameter');
    expect(actions).toEqual(['GetFederationToken', 'GetParameter', 'GetFederationToken']);
  });
});
