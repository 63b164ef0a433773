// The suite's running local stack: the demo role's trust policy (the function user, with the
// stack's demo external id), credvend's own issuances as the emulator observed them, and the
// control routes that change roles and read session observations at runtime.
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, describe, expect, it } from '@jest/globals';
import { demoBinding, demoPolicy } from '../../../local/seed';
import { call, closeTables, createTestTenant, stackInfo, uniqueId } from '../../support/api';
import { control } from '../../support/control';
import { recordSecrets } from '../../support/secret-scan';
import { ACCOUNT, type Creds, credsOf, expectAwsError, trustPolicyFor } from './support';

afterAll(() => closeTables());

const FN_ARN = `arn:aws:iam::${ACCOUNT}:user/credvend-function`;

function functionClient(creds?: Creds): STSClient {
  const { env, stsUrl } = stackInfo();
  const credentials = creds ?? { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! };
  return new STSClient({ endpoint: stsUrl, region: 'us-east-1', credentials, maxAttempts: 1 });
}

/** AssumeRole as credvend sends it: tags, transitive keys and a source identity. */
async function assumeLikeCredvend(roleArn: string, externalId: string | undefined) {
  const out = await functionClient().send(
    new AssumeRoleCommand({
      RoleArn: roleArn,
      RoleSessionName: 'p1.stack-test',
      ExternalId: externalId,
      SourceIdentity: 'p1',
      Tags: [
        { Key: 'tenant', Value: 't1' },
        { Key: 'partner', Value: 'p1' },
      ],
      TransitiveTagKeys: ['tenant', 'partner'],
      DurationSeconds: 900,
    }),
  );
  recordSecrets([out.Credentials?.SecretAccessKey ?? '', out.Credentials?.SessionToken ?? ''].filter(Boolean));
  return out;
}

describe('the demo role', () => {
  it('the stack has a random 32-hex-character demo external id', () => {
    expect(stackInfo().demoExternalId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('trusts the function user with the demo external id, tags and source identity included', async () => {
    const { demoRoleArn, demoExternalId } = stackInfo();
    const out = await assumeLikeCredvend(demoRoleArn, demoExternalId);
    // The role's path (credvend/) is not part of the assumed-role ARN, as in AWS.
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/demo-partner/p1.stack-test`);
    const who = await functionClient(credsOf(out.Credentials)).send(new GetCallerIdentityCommand({}));
    expect(who.Arn).toBe(out.AssumedRoleUser?.Arn);
  });

  it('refuses a wrong and a missing external id', async () => {
    const { demoRoleArn, demoExternalId } = stackInfo();
    const message = new RegExp(
      `^User: ${FN_ARN} is not authorized to perform: sts:AssumeRole on resource: ${demoRoleArn} Encoded authorization failure message: [A-Za-z0-9_-]+$`,
    );
    await expectAwsError(assumeLikeCredvend(demoRoleArn, `${demoExternalId.slice(0, -1)}x`), 'AccessDenied', { status: 403, message });
    await expectAwsError(assumeLikeCredvend(demoRoleArn, undefined), 'AccessDenied', { status: 403, message });
  });
});

describe("credvend's issuances as the local STS saw them", () => {
  it('an assume-role issuance carries the external id, and the observation matches the response', async () => {
    const tenant = await createTestTenant();
    const res = await call('POST', '/v1/credentials', { key: tenant.partnerKey, body: {} });
    expect(res.status).toBe(201);
    const session = await control.stsSession(res.body.credentials.accessKeyId);
    expect(session).toMatchObject({
      action: 'AssumeRole',
      accessKeyId: res.body.credentials.accessKeyId,
      principalArn: res.body.principal.arn,
      roleArn: stackInfo().demoRoleArn,
      externalIdPresent: true,
      // Derived from tenant and partner, never the partner id alone.
      sourceIdentity: expect.stringMatching(new RegExp(`^${tenant.tenantId}\\.${tenant.partnerId}\\.`)),
    });
    expect(session?.tags).toContainEqual(expect.objectContaining({ key: 'tenant', value: tenant.tenantId }));
    expect(session?.tags).toContainEqual(expect.objectContaining({ key: 'partner', value: tenant.partnerId }));
    expect(JSON.stringify(session)).not.toContain(res.body.credentials.secretAccessKey);
  });

  it("a tenant bound to the demo role under another external id than the role's trust policy requires: 502 sts_access_denied", async () => {
    const { demoRoleArn, demoExternalId } = stackInfo();
    const tenant = await createTestTenant(demoPolicy(), {
      binding: (tenantId, at) => ({ ...demoBinding(tenantId, demoRoleArn, demoExternalId, at), externalId: `cv-${uniqueId('other')}` }),
    });
    await control.resetStsCalls();
    const res = await call('POST', '/v1/credentials', { key: tenant.partnerKey, body: {} });
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('sts_access_denied');
    expect(res.body.credentials).toBeUndefined();
    // The refusal is the trust policy's, for the AssumeRole credvend did send.
    expect((await control.stsCalls()).filter((c) => c.action === 'AssumeRole')).toEqual([
      expect.objectContaining({ status: 403, code: 'AccessDenied' }),
    ]);
    // The same tenant with the demo external id issues: only the external id differed.
    const same = await createTestTenant(demoPolicy());
    expect((await call('POST', '/v1/credentials', { key: same.partnerKey, body: {} })).status).toBe(201);
  });

  it('an access key id the emulator never issued has no observation (null)', async () => {
    await expect(control.stsSession('ASIANEVERISSUED00000')).resolves.toBeNull();
  });
});

describe('control routes for roles', () => {
  it('putStsRole adds a role, deleteStsRole removes it', async () => {
    const arn = `arn:aws:iam::${ACCOUNT}:role/${uniqueId('ctl')}`;
    const trustPolicy = trustPolicyFor(FN_ARN, { condition: { StringEquals: { 'sts:ExternalId': ['ctl-old', 'ctl-new'] } } });
    await expectAwsError(assumeLikeCredvend(arn, 'ctl-new'), 'AccessDenied');
    await control.putStsRole({ arn, maxSessionDuration: 3_600, trustPolicy });
    const out = await assumeLikeCredvend(arn, 'ctl-new');
    expect(out.AssumedRoleUser?.Arn).toContain(':assumed-role/ctl-');
    expect(await control.stsSession(out.Credentials!.AccessKeyId!)).toMatchObject({
      roleArn: arn,
      externalIdPresent: true,
      sourceIdentity: 'p1',
    });
    await expect(control.deleteStsRole(arn)).resolves.toEqual({ deleted: true });
    await expectAwsError(assumeLikeCredvend(arn, 'ctl-new'), 'AccessDenied');
    await expect(control.deleteStsRole(arn)).resolves.toEqual({ deleted: false });
  });

  it('putStsRole with an invalid trust policy is refused with the emulator’s message', async () => {
    const arn = `arn:aws:iam::${ACCOUNT}:role/${uniqueId('ctl')}`;
    await expect(control.putStsRole({ arn, maxSessionDuration: 3_600, trustPolicy: '{"Version":' })).rejects.toThrow(
      `control POST /sts/role: 400 local STS: role ${arn}: the trust policy is not valid JSON`,
    );
    await expectAwsError(assumeLikeCredvend(arn, undefined), 'AccessDenied');
  });
});
