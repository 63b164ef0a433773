// README "Deploying to AWS", run: each script as the operator runs it (npm run …, a child process)
// against the local stack, and every AWS call it makes held to the grants the README lists
// (lib/deploy/grants.ts). The federation user and bootstrap steps get a stack of their own (dynalite
// and the local STS/SSM/IAM); the API steps and the smoke test run against the suite's stack.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteAccessKeyCommand, IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetFederationTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse, type Tags } from 'yaml';
import { tableKeys } from '../../../lib/core/table-keys';
import { actionsOf } from '../../../lib/deploy/grants';
import { hashSecret, parseKey } from '../../../lib/identity/api-key';
import { type LocalStack, startLocalStack } from '../../../local/stack';
import { call, closeTables, stackInfo, tables, uniqueId } from '../../support/api';
import { control } from '../../support/control';
import { type FaultProxy, startFaultProxy } from '../../support/fault-proxy';
import { apiKeySecret, recordSecrets } from '../../support/secret-scan';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run <script> -- <args>` with only the given AWS settings (none of the machine's own). */
function npmRun(script: string, args: string[], env: Record<string, string>): Promise<Run> {
  // Not jest's NODE_OPTIONS either: the scripts run as plain Node, as they do for the operator.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && !k.startsWith('CREDVEND_') && k !== 'NODE_OPTIONS'),
  );
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', script, '--', ...args], { cwd: ROOT, env: { ...inherited, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('federation user and bootstrap, on a stack of their own', () => {
  const stage = 'deploytest';
  let stack: LocalStack;
  let dynamo: FaultProxy;
  let env: Record<string, string>;
  const deployerCalls = (service: string) =>
    stack.sts.calls
      .filter((c) => c.accessKeyId === stack.deployer.accessKeyId && c.service === service)
      .map((c) => `${c.service}:${c.action}`);

  beforeAll(async () => {
    stack = await startLocalStack({ stage });
    dynamo = await startFaultProxy(stack.dynamo.url);
    env = { ...stack.deployerEnv, AWS_ENDPOINT_URL_DYNAMODB: dynamo.url };
  });
  afterAll(async () => {
    await dynamo.close();
    await stack.close();
  });

  // The test looks with another identity than the deployer's, so the deployer's calls are the scripts' alone.
  const aws = () => ({
    iam: new IAMClient({ endpoint: stack.sts.url, region: 'us-east-1', credentials: stack.functionUser }),
    ssm: new SSMClient({ endpoint: stack.sts.url, region: 'us-east-1', credentials: stack.functionUser }),
  });
  const storedKeys = async () => {
    const out = await aws().ssm.send(new GetParameterCommand({ Name: stack.federationParameter, WithDecryption: true }));
    return JSON.parse(out.Parameter?.Value ?? '{}') as { accessKeyId: string; secretAccessKey: string };
  };
  const userKeys = async () =>
    ((await aws().iam.send(new ListAccessKeysCommand({ UserName: stack.federationUser.userName }))).AccessKeyMetadata ?? []).map(
      (k) => k.AccessKeyId,
    );
  const federate = (keys: { accessKeyId: string; secretAccessKey: string }) =>
    new STSClient({ endpoint: stack.sts.url, region: 'us-east-1', credentials: keys, maxAttempts: 1 })
      .send(new GetFederationTokenCommand({ Name: 'deploy-test' }))
      .then(
        () => 'signed',
        (e: Error) => e.name,
      );

  it('federation-user: a dry run changes nothing; a run finished is a no-op; rotation replaces the key after the grace', async () => {
    stack.sts.resetCalls();
    const before = stack.federationUser.accessKeyId;
    const dry = await npmRun('federation-user', ['--stage', stage, '--rotate', '--grace', '1', '--dry-run'], env);
    expect(dry).toMatchObject({ code: 0 });
    expect(dry.stdout).toContain('1. create an access key: rotation asked for');
    expect(dry.stdout).toContain(`4. delete access key ${before}: replaced by the new key`);
    expect(dry.stdout).toContain('dry run: nothing changed');
    expect(await userKeys()).toEqual([before]);

    const idle = await npmRun('federation-user', ['--stage', stage], env);
    expect(idle).toMatchObject({ code: 0 });
    expect(idle.stdout).toContain('nothing to do');

    const rotated = await npmRun('federation-user', ['--stage', stage, '--rotate', '--grace', '1'], env);
    expect(rotated).toMatchObject({ code: 0 });
    const stored = await storedKeys();
    expect(stored.accessKeyId).not.toBe(before);
    expect(await userKeys()).toEqual([stored.accessKeyId]);
    expect(await federate(stored)).toBe('signed');
    expect(await federate(stack.federationUser)).toBe('InvalidClientTokenId');
    // The new secret went to SSM only.
    expect(`${rotated.stdout}${rotated.stderr}`).not.toContain(stored.secretAccessKey);
  });

  it('federation-user: a user without a working key gets one (the first run after deploy)', async () => {
    const { accessKeyId } = await storedKeys();
    await aws().iam.send(new DeleteAccessKeyCommand({ UserName: stack.federationUser.userName, AccessKeyId: accessKeyId }));
    const run = await npmRun('federation-user', ['--stage', stage], env);
    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout).toContain('create an access key: no working key is stored');
    const stored = await storedKeys();
    expect(await userKeys()).toEqual([stored.accessKeyId]);
    expect(await federate(stored)).toBe('signed');
  });

  it('federation-user: every IAM and SSM call it made is among the grants the README lists, and all were needed', () => {
    const called = new Set([...deployerCalls('iam'), ...deployerCalls('ssm')]);
    expect([...called].sort()).toEqual(actionsOf('npm run federation-user').sort());
  });

  it('bootstrap: prints a working operator key once, refuses a second unless --add, with the DynamoDB calls the README lists', async () => {
    dynamo.resetCounts();
    const first = await npmRun('bootstrap', ['--stage', stage], env);
    expect(first.code).toBe(0);
    const apiKey = first.stdout.trim();
    recordSecrets([apiKeySecret(apiKey)]);
    const parsed = parseKey(apiKey);
    expect(parsed?.keyId).toMatch(/^ok-/);
    expect(first.stderr).toContain(`operator key ${parsed?.keyId} created in credvend-${stage}-main`);
    const client = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: stack.dynamo.url, region: 'us-east-1', credentials: stack.deployer }),
    );
    const record = await client.send(new GetCommand({ TableName: `credvend-${stage}-main`, Key: tableKeys.apiKey(parsed?.keyId ?? '') }));
    expect(record.Item).toMatchObject({ kind: 'operator', status: 'active', secretHash: hashSecret(parsed?.secret ?? '') });

    const refused = await npmRun('bootstrap', ['--stage', stage], env);
    expect(refused).toMatchObject({ code: 3, stdout: '' });
    expect(refused.stderr).toContain(`bootstrap refused: 1 active operator key(s) exist (${parsed?.keyId})`);
    const added = await npmRun('bootstrap', ['--stage', stage, '--add'], env);
    expect(added.code).toBe(0);
    expect(added.stdout.trim()).toMatch(/^cv1\.ok-/);
    recordSecrets([apiKeySecret(added.stdout.trim())]);
    client.destroy();

    const called = Object.keys(dynamo.counts).map((target) => `dynamodb:${target.replace(/^DynamoDB_\d+\./, '')}`);
    expect(called.sort()).toEqual(actionsOf('npm run bootstrap').sort());
  });

  it('every script refuses a missing or malformed stage before any AWS call', async () => {
    stack.sts.resetCalls();
    dynamo.resetCounts();
    const runs = await Promise.all([
      npmRun('federation-user', [], env),
      npmRun('bootstrap', ['--stage', '../x'], env),
      npmRun('deploy', ['--stage', 'prod'], env),
    ]);
    expect(runs.map((r) => r.code)).toEqual([2, 2, 2]);
    expect(runs.map((r) => r.stderr)).toEqual([
      expect.stringContaining('--stage is required\nusage: npm run federation-user'),
      expect.stringContaining('--stage "../x" does not match'),
      expect.stringContaining('--region is required\nusage: npm run deploy'),
    ]);
    expect(stack.sts.calls).toEqual([]);
    expect(dynamo.counts).toEqual({});
  });

  it('deploy --dry-run prints the sls command it would run', async () => {
    const run = await npmRun('deploy', ['--stage', 'prod', '--region', 'eu-west-1', '--param', 'cacheTtlSeconds=10', '--dry-run'], env);
    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout.split('\n').slice(0, 2)).toEqual([
      'sls deploy --stage prod --region eu-west-1 --param=cacheTtlSeconds=10',
      'dry run: nothing deployed',
    ]);
  });
});

// The CloudFormation templates of docs/, with their parameters filled in as a deployer would.
const cfnTags = [
  { tag: '!Ref', resolve: (v: string) => ({ Ref: v }) },
  { tag: '!GetAtt', resolve: (v: string) => ({ GetAtt: v }) },
] as unknown as Tags;
function roleTrustFrom(file: string, values: Record<string, unknown>): unknown {
  const template = parse(readFileSync(`${ROOT}/docs/${file}`, 'utf8'), { customTags: cfnTags });
  const role = Object.values(template.Resources as Record<string, { Properties: { AssumeRolePolicyDocument: unknown } }>)[0];
  return JSON.parse(JSON.stringify(role?.Properties.AssumeRolePolicyDocument), (_k, v) =>
    v && typeof v === 'object' && 'Ref' in v ? values[(v as { Ref: string }).Ref] : v,
  );
}

describe('the API steps against the suite stack', () => {
  const issuer = 'arn:aws:iam::123456789012:user/credvend-function';
  let operatorKey = '';
  afterAll(() => closeTables());

  beforeAll(async () => {
    // Step 3 on the suite's table (other tests' operator keys exist there: --add).
    const { env } = stackInfo();
    const run = await npmRun('bootstrap', ['--stage', 'itest', '--add'], {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: env.AWS_ENDPOINT_URL_DYNAMODB ?? '',
    });
    expect(run.code).toBe(0);
    operatorKey = run.stdout.trim();
    recordSecrets([apiKeySecret(operatorKey)]);
  });

  it('operators manage operator keys: create, list, revoke another, never their own', async () => {
    const other = await call('POST', '/v1/operator-keys', { key: operatorKey, body: {} });
    expect(other).toMatchObject({ status: 201, body: { kind: 'operator' } });
    recordSecrets([apiKeySecret(other.body.apiKey)]);
    const listed = await call('GET', '/v1/operator-keys?limit=100', { key: operatorKey });
    expect(listed.body.items.map((k: { keyId: string }) => k.keyId)).toContain(other.body.keyId);
    const own = parseKey(operatorKey)?.keyId ?? '';
    expect(await call('DELETE', `/v1/operator-keys/${own}`, { key: operatorKey })).toMatchObject({
      status: 409,
      body: { error: { code: 'own_operator_key' } },
    });
    expect(await call('DELETE', `/v1/operator-keys/${other.body.keyId}`, { key: operatorKey })).toMatchObject({
      status: 200,
      body: { status: 'revoked' },
    });
  });

  it('steps 4–9: tenant, binding, the role from docs/tenant-role.yaml, policy, partner and key, the first credential', async () => {
    const tenantId = uniqueId('onb');
    const t = `/v1/tenants/${tenantId}`;
    expect((await call('POST', '/v1/tenants', { key: operatorKey, body: { tenantId, name: 'Onboarded' } })).status).toBe(201);
    const admin = await call('POST', `${t}/admin-keys`, { key: operatorKey, body: {} });
    recordSecrets([apiKeySecret(admin.body.apiKey)]);
    const roleArn = `arn:aws:iam::123456789012:role/credvend/${tenantId}`;
    const binding = await call('GET', `${t}/binding`, { key: operatorKey });
    const bound = await call('PUT', `${t}/binding`, {
      key: operatorKey,
      body: { expectedVersion: binding.body.version, roles: { main: { roleArn, maxSessionDuration: 3600 } } },
    });
    expect(bound.status).toBe(200);
    // Step 6: the tenant reads the trust view and deploys the template with its values.
    const trust = await call('GET', `${t}/trust`, { key: admin.body.apiKey });
    expect(trust.body.issuerPrincipalArn).toBe(issuer);
    const trustPolicy = roleTrustFrom('tenant-role.yaml', {
      IssuerRoleArn: trust.body.issuerPrincipalArn,
      ExternalIds: [trust.body.externalId],
    });
    await control.putStsRole({ arn: roleArn, maxSessionDuration: 3600, trustPolicy: trustPolicy as never });
    const policy = {
      defaultMode: 'assume-role',
      modes: { 'assume-role': { role: 'main', defaultDurationSeconds: 900, maxDurationSeconds: 3600 } },
      statements: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::acme-data/{{tenantId}}/{{partnerId}}/*' }],
    };
    expect((await call('PUT', `${t}/policy`, { key: admin.body.apiKey, body: { expectedVersion: 0, policy } })).status).toBe(200);
    expect((await call('POST', `${t}/partners`, { key: admin.body.apiKey, body: { partnerId: 'app', name: 'App' } })).status).toBe(201);
    const partnerKey = await call('POST', `${t}/partners/app/keys`, { key: admin.body.apiKey, body: {} });
    recordSecrets([apiKeySecret(partnerKey.body.apiKey)]);
    const issued = await call('POST', '/v1/credentials', { key: partnerKey.body.apiKey, body: {} });
    expect(issued).toMatchObject({ status: 201, body: { tenantId, partnerId: 'app', mode: 'assume-role' } });
    expect(issued.body.principal.arn).toMatch(new RegExp(`^arn:aws:sts::123456789012:assumed-role/${tenantId}/`));
  });

  it('step 10: npm run smoke passes against the stack with a role from docs/smoke-role.yaml, and leaves its tenant disabled', async () => {
    const roleArn = `arn:aws:iam::123456789012:role/credvend/${uniqueId('smoke')}`;
    await control.putStsRole({
      arn: roleArn,
      maxSessionDuration: 3600,
      trustPolicy: roleTrustFrom('smoke-role.yaml', { IssuerRoleArn: issuer }) as never,
    });
    const { stsUrl } = stackInfo();
    const run = await npmRun('smoke', ['--endpoint', process.env.CREDVEND_TEST_API ?? '', '--role-arn', roleArn], {
      CREDVEND_OPERATOR_KEY: operatorKey,
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_STS: stsUrl,
    });
    const failures = run.stderr.split('\n').filter((line) => line.includes('smoke test failed'));
    expect({ code: run.code, failures }).toEqual({ code: 0, failures: [] });
    expect(run.stdout).toContain('ok  issue credentials and check them with STS GetCallerIdentity');
    const tenantId = /smoke test passed \(tenant (smoke-[a-z2-7]+), now disabled\)/.exec(run.stdout)?.[1] ?? '';
    const { client, main } = tables();
    const tenant = await client.send(new GetCommand({ TableName: main, Key: tableKeys.tenant(tenantId) }));
    expect(tenant.Item).toMatchObject({ tenantId, status: 'disabled' });
    expect(run.stdout).toContain('ok  revoke the partner key');
  });

  it('smoke fails loudly, and still cleans up, when the role does not trust credvend', async () => {
    const run = await npmRun(
      'smoke',
      ['--endpoint', process.env.CREDVEND_TEST_API ?? '', '--role-arn', 'arn:aws:iam::123456789012:role/credvend/nobody'],
      {
        CREDVEND_OPERATOR_KEY: operatorKey,
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL_STS: stackInfo().stsUrl,
      },
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('smoke test failed: issue: expected 201, got 502 sts_access_denied');
    expect(run.stdout).toMatch(/ok {2}disable tenant smoke-/);
  });
});
