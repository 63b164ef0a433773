// POST /v1/credentials over HTTP against serverless-offline, dynalite and the local STS.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { TenantBinding, TenantPolicyDocument } from '../../../lib/core/model';
import { demoBinding, demoPolicy } from '../../../local/seed';
import { call, closeTables, createTestTenant, stackInfo, type TestTenant, tables } from '../../support/api';
import { AWS_CLI } from '../../support/aws-cli';
import { control } from '../../support/control';
import { ledgerOf } from '../../support/ledger';

const run = promisify(execFile);

function policyWith(change: (doc: TenantPolicyDocument) => void): TenantPolicyDocument {
  const doc = demoPolicy();
  change(doc);
  return doc;
}

const issue = (tenant: TestTenant, body?: unknown, query = '') =>
  call('POST', `/v1/credentials${query}`, { key: tenant.partnerKey, body: body ?? {} });

async function callerArn({
  accessKeyId,
  secretAccessKey,
  sessionToken,
}: {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}) {
  // JSON carries `expiration` as a string; the SDK wants a Date, so only the three secrets are handed over.
  const credentials = { accessKeyId, secretAccessKey, sessionToken };
  const client = new STSClient({ endpoint: stackInfo().stsUrl, region: 'us-east-1', credentials, maxAttempts: 1 });
  try {
    return (await client.send(new GetCallerIdentityCommand({}))).Arn;
  } finally {
    client.destroy();
  }
}

let tenant: TestTenant;
beforeAll(async () => {
  tenant = await createTestTenant();
});
afterEach(async () => {
  await control.clearDynamoFaults();
  await control.clearStsFaults();
});
afterAll(() => closeTables());

describe('issuing credentials', () => {
  it('assume-role: 201 with the contract body, and STS accepts the credentials as the assumed-role principal', async () => {
    const res = await issue(tenant, { durationSeconds: 900 });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = res.body;
    expect(body).toMatchObject({ tenantId: tenant.tenantId, partnerId: tenant.partnerId, mode: 'assume-role', policyVersion: 1 });
    expect(body.credentials.accessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(body.credentials.expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Date.parse(body.credentials.expiration) - Date.parse(body.serverTime)).toBeGreaterThanOrEqual(899_000);
    expect(Date.parse(body.refreshAfter)).toBeLessThan(Date.parse(body.credentials.expiration));
    // RoleSessionName: tenant and partner first (DESIGN.md "Trust model"), whatever the request says.
    expect(body.principal.arn).toMatch(
      new RegExp(`^arn:aws:sts::123456789012:assumed-role/demo-partner/${tenant.tenantId}\\.${tenant.partnerId}\\.`),
    );
    expect(body.packedPolicySize).toBeGreaterThan(0);
    expect(await callerArn(body.credentials)).toBe(body.principal.arn);
  });

  it('federation: the credentials answer as the federated user named after the tenant and partner', async () => {
    const res = await issue(tenant, { mode: 'federation' });
    expect(res.status).toBe(201);
    expect(res.body.mode).toBe('federation');
    // Name: short tenant and partner prefixes and a hash of both (STS allows 32 characters).
    expect(res.body.principal.arn).toMatch(
      new RegExp(
        `^arn:aws:sts::123456789012:federated-user/${tenant.tenantId.slice(0, 4)}\\.${tenant.partnerId.slice(0, 4)}\\.[a-z2-7]{16}$`,
      ),
    );
    expect(await callerArn(res.body.credentials)).toBe(res.body.principal.arn);
  });

  it('serialized is base64 of the credential_process document, which the AWS CLI accepts as is', async () => {
    const res = await issue(tenant);
    const document = JSON.parse(Buffer.from(res.body.serialized, 'base64').toString('utf8'));
    expect(document).toEqual({
      Version: 1,
      AccessKeyId: res.body.credentials.accessKeyId,
      SecretAccessKey: res.body.credentials.secretAccessKey,
      SessionToken: res.body.credentials.sessionToken,
      Expiration: res.body.credentials.expiration,
    });
    const dir = mkdtempSync(join(tmpdir(), 'credvend-cp-'));
    writeFileSync(join(dir, 'serialized.b64'), res.body.serialized);
    writeFileSync(join(dir, 'config'), `[profile vended]\ncredential_process = base64 -d ${join(dir, 'serialized.b64')}\n`);
    const { stdout } = await run(
      AWS_CLI,
      [
        'sts',
        'get-caller-identity',
        '--profile',
        'vended',
        '--endpoint-url',
        stackInfo().stsUrl,
        '--region',
        'us-east-1',
        '--output',
        'json',
      ],
      {
        env: {
          PATH: process.env.PATH,
          HOME: dir,
          AWS_CONFIG_FILE: join(dir, 'config'),
          AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
          AWS_EC2_METADATA_DISABLED: 'true',
        },
      },
    );
    expect(JSON.parse(stdout).Arn).toBe(res.body.principal.arn);
  });

  it('?format=credential_process answers the document itself', async () => {
    const res = await issue(tenant, {}, '?format=credential_process');
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(['AccessKeyId', 'Expiration', 'SecretAccessKey', 'SessionToken', 'Version']);
    expect(res.body.Version).toBe(1);
    expect(
      await callerArn({
        accessKeyId: res.body.AccessKeyId,
        secretAccessKey: res.body.SecretAccessKey,
        sessionToken: res.body.SessionToken,
      }),
    ).toMatch(/assumed-role\/demo-partner\//);
  });

  it('GET ?format=container answers the container shape, with the key sent bare as SDKs do', async () => {
    const res = await call('GET', '/v1/credentials?format=container', { authorization: tenant.partnerKey });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['AccessKeyId', 'Expiration', 'SecretAccessKey', 'Token']);
  });

  it('every success leaves exactly one issuance record, with no secret in it', async () => {
    const own = await createTestTenant();
    const secrets: string[] = [];
    for (const body of [{}, { mode: 'federation' }, { durationSeconds: 1200 }]) {
      const res = await issue(own, body);
      expect(res.status).toBe(201);
      secrets.push(res.body.credentials.secretAccessKey, res.body.credentials.sessionToken);
    }
    await issue(own, { durationSeconds: 10 }); // refused: no record
    const records = await ledgerOf(own.tenantId);
    expect(records).toHaveLength(3);
    expect(new Set(records.map((r) => r.issuanceId)).size).toBe(3);
    const stored = JSON.stringify(records);
    for (const secret of secrets) expect(stored).not.toContain(secret);
    expect(records[0]).toMatchObject({ tenantId: own.tenantId, partnerId: own.partnerId, keyId: own.partnerKeyId, status: 'active' });
    expect(records[0]!.policySha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('fails closed: when the issuance record cannot be written, 503 and no credentials', async () => {
    const own = await createTestTenant();
    await issue(own); // warm the caches so only the ledger write touches DynamoDB
    const { issuances } = tables();
    await control.dynamoFault({
      target: 'DynamoDB_20120810.PutItem',
      tableName: issuances,
      status: 500,
      code: 'InternalServerError',
      times: 10,
    });
    const res = await issue(own);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('audit_write_failed');
    expect(res.text).not.toMatch(/ASIA|secretAccessKey|sessionToken/);
    expect(await ledgerOf(own.tenantId)).toHaveLength(1);
  });
});

describe('STS limits are checked before STS is called', () => {
  /** The demo binding, changed: written straight to the table, as a binding migrated from old policies may be. */
  const bindingWith =
    (change: (b: TenantBinding) => void) =>
    (tenantId: string, at: string): TenantBinding => {
      const b = demoBinding(tenantId, stackInfo().demoRoleArn, stackInfo().demoExternalId, at);
      change(b);
      return b;
    };
  type LimitCase = [string, TenantPolicyDocument | undefined, Record<string, unknown>, string, ReturnType<typeof bindingWith>?];
  const cases: LimitCase[] = [
    ['RoleSessionName too long', undefined, { sessionName: 'a'.repeat(65) }, 'RoleSessionName'],
    // The tenant and partner prefix takes part of STS's 64 characters: a suffix that fits alone does not fit after it.
    ['RoleSessionName too long with its prefix', undefined, { sessionName: 'a'.repeat(40) }, 'RoleSessionName'],
    ['RoleSessionName characters', undefined, { sessionName: 'bad name"}' }, 'RoleSessionName'],
    ['federation Name too long', undefined, { mode: 'federation', sessionName: 'a'.repeat(33) }, 'GetFederationToken Name'],
    ['federation Name too long with its prefix', undefined, { mode: 'federation', sessionName: 'a'.repeat(8) }, 'GetFederationToken Name'],
    ['AssumeRole duration too short', undefined, { durationSeconds: 899 }, 'AssumeRole DurationSeconds'],
    ['federation duration too short', undefined, { mode: 'federation', durationSeconds: 600 }, 'GetFederationToken DurationSeconds'],
    [
      'federation duration too long',
      policyWith((d) => (d.modes.federation!.maxDurationSeconds = 200_000)),
      { mode: 'federation', durationSeconds: 129_601 },
      'GetFederationToken DurationSeconds',
    ],
    [
      'AssumeRole duration too long',
      policyWith((d) => (d.modes['assume-role']!.maxDurationSeconds = 50_000)),
      { durationSeconds: 43_201 },
      'AssumeRole DurationSeconds',
      bindingWith((b) => (b.roles.demo!.maxSessionDuration = 50_000)),
    ],
    ['ExternalId', undefined, {}, 'ExternalId', bindingWith((b) => (b.externalId = 'x'))],
    ['policy plaintext size', policyWith((d) => (d.statements[0]!.Resource = `arn:aws:s3:::${'b'.repeat(2100)}`)), {}, 'Policy'],
    ['policy characters', policyWith((d) => (d.statements[0]!.Resource = 'arn:aws:s3:::bucket/\u0101')), {}, 'Policy'],
    [
      'PolicyArns count',
      policyWith((d) => (d.managedPolicyArns = Array.from({ length: 11 }, (_, i) => `arn:aws:iam::aws:policy/P${i}`))),
      {},
      'PolicyArns',
    ],
    [
      'session tag count',
      policyWith((d) => (d.sessionTags = Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`k${i}`, 'v'])))),
      {},
      'Tags',
    ],
    ['session tag value length', policyWith((d) => (d.sessionTags = { team: 'v'.repeat(257) })), {}, 'Tags'],
    ['session tag key length', policyWith((d) => (d.sessionTags = { ['k'.repeat(129)]: 'v' })), {}, 'Tags'],
  ];

  // Objects, not rows: a row shorter than the test's parameters would make jest pass a done callback.
  const table = cases.map(([name, policy, body, limit, binding]) => ({ name, policy, body, limit, binding }));
  it.each(table)('$name: 422 naming the limit, and STS saw no call', async ({ policy, body, limit, binding }) => {
    const own = policy || binding ? await createTestTenant(policy, { binding }) : tenant;
    await control.resetStsCalls();
    const res = await issue(own, body);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('sts_limit_exceeded');
    expect(res.body.error.details.map((d: { limit: string }) => d.limit)).toContain(limit);
    expect(await control.stsCalls()).toEqual([]);
  });

  it("a policy above the bound role's MaxSessionDuration (stored before the binding said so) is 403 policy_outside_binding, before STS", async () => {
    const own = await createTestTenant(policyWith((d) => (d.modes['assume-role']!.maxDurationSeconds = 20_000)));
    await control.resetStsCalls();
    const res = await issue(own, { durationSeconds: 15_000 });
    expect([res.status, res.body.error.code]).toEqual([403, 'policy_outside_binding']);
    expect(res.body.error.details).toEqual([
      expect.objectContaining({ path: "$.modes['assume-role'].maxDurationSeconds", code: 'exceeds_role_max_session_duration' }),
    ]);
    expect(await control.stsCalls()).toEqual([]);
  });

  it('STS PackedPolicyTooLarge is answered 422 too', async () => {
    await control.stsFault({ action: 'AssumeRole', status: 400, code: 'PackedPolicyTooLarge', message: 'packed size too large' });
    const res = await issue(tenant);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('sts_packed_policy_too_large');
  });

  it('STS throttling that outlasts the retries is 503 with Retry-After', async () => {
    await control.stsFault({ action: 'AssumeRole', status: 400, code: 'Throttling', times: 10 });
    const res = await issue(tenant);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('sts_throttled');
    expect(res.headers.get('retry-after')).toBe('2');
  });
});

describe('down-scoping', () => {
  it('a scope inside the tenant policy is issued', async () => {
    const res = await issue(tenant, {
      scope: { actions: ['s3:GetObject'], resources: [`arn:aws:s3:::demo-bucket/${tenant.tenantId}/${tenant.partnerId}/reports/*`] },
    });
    expect(res.status).toBe(201);
  });

  it('a scope outside it is 403 listing what is not covered, and STS saw no call', async () => {
    await control.resetStsCalls();
    const res = await issue(tenant, {
      scope: { actions: ['s3:GetObject', 's3:DeleteObject'], resources: ['arn:aws:s3:::demo-bucket/other/*'] },
    });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('scope_not_allowed');
    expect(res.body.error.details.map((d: { action: string }) => d.action).sort()).toEqual(['s3:DeleteObject', 's3:GetObject']);
    expect(await control.stsCalls()).toEqual([]);
  });

  it.each([
    ['quotes in sessionName', { sessionName: 'x"}],"Effect":"Allow' }],
    ['placeholder in sessionName', { sessionName: '{{tenantId}}' }],
    ['IAM variable in sessionName', { sessionName: '${aws:username}' }],
    ['control characters', { sessionName: 'ab\u0000\u001f' }],
    ['unicode', { sessionName: 'ünï' }],
    ['wildcard action', { scope: { actions: ['*'] } }],
    ['injected resource', { scope: { resources: ['*"}]}'] } }],
    ['unicode resource', { scope: { resources: ['arn:aws:s3:::demo-bucket/ü'] } }],
  ])('hostile input (%s) is refused with a 4xx and never reaches STS', async (_name, body) => {
    await control.resetStsCalls();
    const res = await issue(tenant, body);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(typeof res.body.error.code).toBe('string');
    expect(await control.stsCalls()).toEqual([]);
  });
});

describe('isolation and input handling', () => {
  it("another tenant's key gets that tenant's policy, never this one's", async () => {
    const other = await createTestTenant(
      policyWith((d) => (d.statements = [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' }])),
    );
    const res = await issue(other, { scope: { actions: ['s3:GetObject'] } });
    expect(res.status).toBe(403);
    const own = await issue(other, {});
    expect(own.body.tenantId).toBe(other.tenantId);
    const bodyWithTenant = await issue(other, { tenantId: tenant.tenantId });
    expect(bodyWithTenant.status).toBe(400);
  });

  it('unknown fields are 400 naming them', async () => {
    const res = await issue(tenant, { durationSeconds: 900, extra: true });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
    expect(JSON.stringify(res.body.error.details)).toContain('extra');
  });

  it('a body that is not JSON is 415; malformed JSON is 400; an oversized body is 413', async () => {
    const text = await call('POST', '/v1/credentials', {
      key: tenant.partnerKey,
      rawBody: 'hello',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
    expect(text.body.error.code).toBe('unsupported_media_type');
    const broken = await call('POST', '/v1/credentials', {
      key: tenant.partnerKey,
      rawBody: '{"a":',
      headers: { 'content-type': 'application/json' },
    });
    expect(broken.status).toBe(400);
    expect(broken.body.error.code).toBe('invalid_json');
    const big = await call('POST', '/v1/credentials', { key: tenant.partnerKey, body: { sessionName: 'a'.repeat(20_000) } });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('payload_too_large');
  });

  it('no key is 401; a wrong secret is 401', async () => {
    expect((await call('POST', '/v1/credentials', { body: {} })).status).toBe(401);
    const wrong = tenant.partnerKey.slice(0, -1) + (tenant.partnerKey.endsWith('A') ? 'B' : 'A');
    const res = await call('POST', '/v1/credentials', { key: wrong, body: {} });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('invalid_key');
  });
});
