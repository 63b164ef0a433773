// Role trust policies and session observations of the local STS, through the real
// @aws-sdk/client-sts: external ids (and their rotation), sts:TagSession and sts:SetSourceIdentity,
// Deny over Allow, roles changed at runtime, and what the emulator records about each credential.
import { AssumeRoleCommand, GetCallerIdentityCommand, GetFederationTokenCommand, GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type LocalSts, type LocalStsRole, startLocalSts } from '../../../local/sts/server';
import { ACCOUNT, credsOf, expectAwsError, signedRequest, stsClient, testUser, trustPolicyFor } from './support';

const fn = testUser('credvend-function');
const fed = testUser('credvend-federation');
const stranger = testUser('stranger');
const FN_ARN = `arn:aws:iam::${ACCOUNT}:user/credvend-function`;
const STRANGER_ARN = `arn:aws:iam::${ACCOUNT}:user/stranger`;
const role = (name: string): string => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const EXTERNAL_ROLE = role('tenant-a');
const ROTATING_ROLE = role('tenant-rotating');
const ASSUME_ONLY_ROLE = role('assume-only');
const DENY_ROLE = role('deny-stranger');
const RUNTIME_ROLE = role('runtime');
const CHAIN_ROLE = role('chained');
const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::demo/*' }],
});

const denied = (caller: string, action: string, roleArn: string): RegExp =>
  new RegExp(
    `^User: ${caller} is not authorized to perform: ${action} on resource: ${roleArn} Encoded authorization failure message: [A-Za-z0-9_-]+$`,
  );

let sts: LocalSts;

beforeAll(async () => {
  sts = await startLocalSts({
    port: 0,
    users: [fn, fed, stranger],
    roles: [
      {
        arn: EXTERNAL_ROLE,
        maxSessionDuration: 3_600,
        trustPolicy: trustPolicyFor(FN_ARN, { condition: { StringEquals: { 'sts:ExternalId': 'ext-tenant-a' } } }),
      },
      // As JSON text, the way IAM hands out AssumeRolePolicyDocument.
      {
        arn: ROTATING_ROLE,
        maxSessionDuration: 3_600,
        trustPolicy: JSON.stringify(trustPolicyFor(FN_ARN, { condition: { StringEquals: { 'sts:ExternalId': ['ext-old', 'ext-new'] } } })),
      },
      { arn: ASSUME_ONLY_ROLE, maxSessionDuration: 3_600, trustPolicy: trustPolicyFor(FN_ARN, { actions: ['sts:AssumeRole'] }) },
      {
        arn: DENY_ROLE,
        maxSessionDuration: 3_600,
        trustPolicy: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'sts:*' },
            { Effect: 'Deny', Principal: { AWS: STRANGER_ARN }, Action: 'sts:AssumeRole' },
          ],
        },
      },
      { arn: CHAIN_ROLE, maxSessionDuration: 3_600, trustPolicy: trustPolicyFor(EXTERNAL_ROLE, { actions: ['sts:AssumeRole'] }) },
    ],
    quiet: true,
  });
});

afterAll(async () => {
  await sts.close();
});

describe('external id', () => {
  it('a wrong external id is AccessDenied (403) with AWS wording', async () => {
    await expectAwsError(
      stsClient(sts, fn).send(new AssumeRoleCommand({ RoleArn: EXTERNAL_ROLE, RoleSessionName: 's1', ExternalId: 'ext-tenant-b' })),
      'AccessDenied',
      {
        status: 403,
        message: denied(FN_ARN, 'sts:AssumeRole', EXTERNAL_ROLE),
      },
    );
  });

  it('a missing external id is AccessDenied', async () => {
    await expectAwsError(
      stsClient(sts, fn).send(new AssumeRoleCommand({ RoleArn: EXTERNAL_ROLE, RoleSessionName: 's1' })),
      'AccessDenied',
      {
        status: 403,
        message: denied(FN_ARN, 'sts:AssumeRole', EXTERNAL_ROLE),
      },
    );
  });

  it('the right external id gets working credentials for the role session', async () => {
    const out = await stsClient(sts, fn).send(
      new AssumeRoleCommand({
        RoleArn: EXTERNAL_ROLE,
        RoleSessionName: 's1',
        ExternalId: 'ext-tenant-a',
        Tags: [{ Key: 'tenant', Value: 'a' }],
        SourceIdentity: 'p1',
      }),
    );
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/tenant-a/s1`);
    const who = await stsClient(sts, credsOf(out.Credentials)).send(new GetCallerIdentityCommand({}));
    expect(who.Arn).toBe(out.AssumedRoleUser?.Arn);
  });

  it('the right external id from the wrong principal is still AccessDenied', async () => {
    await expectAwsError(
      stsClient(sts, stranger).send(new AssumeRoleCommand({ RoleArn: EXTERNAL_ROLE, RoleSessionName: 's1', ExternalId: 'ext-tenant-a' })),
      'AccessDenied',
      {
        message: denied(STRANGER_ARN, 'sts:AssumeRole', EXTERNAL_ROLE),
      },
    );
  });

  it('rotation: a role listing the old and the new external id accepts both, and nothing else', async () => {
    const client = stsClient(sts, fn);
    const old = await client.send(new AssumeRoleCommand({ RoleArn: ROTATING_ROLE, RoleSessionName: 'old', ExternalId: 'ext-old' }));
    const fresh = await client.send(new AssumeRoleCommand({ RoleArn: ROTATING_ROLE, RoleSessionName: 'new', ExternalId: 'ext-new' }));
    expect([old.AssumedRoleUser?.Arn, fresh.AssumedRoleUser?.Arn]).toEqual([
      `arn:aws:sts::${ACCOUNT}:assumed-role/tenant-rotating/old`,
      `arn:aws:sts::${ACCOUNT}:assumed-role/tenant-rotating/new`,
    ]);
    await expectAwsError(
      client.send(new AssumeRoleCommand({ RoleArn: ROTATING_ROLE, RoleSessionName: 'older', ExternalId: 'ext-older' })),
      'AccessDenied',
    );
  });
});

describe('session tags and source identity need their own permission', () => {
  it('tags without sts:TagSession in the trust policy are AccessDenied, naming sts:TagSession', async () => {
    const client = stsClient(sts, fn);
    await expect(client.send(new AssumeRoleCommand({ RoleArn: ASSUME_ONLY_ROLE, RoleSessionName: 'plain' }))).resolves.toMatchObject({
      AssumedRoleUser: { Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/assume-only/plain` },
    });
    await expectAwsError(
      client.send(new AssumeRoleCommand({ RoleArn: ASSUME_ONLY_ROLE, RoleSessionName: 'tagged', Tags: [{ Key: 'tenant', Value: 'a' }] })),
      'AccessDenied',
      {
        status: 403,
        message: denied(FN_ARN, 'sts:TagSession', ASSUME_ONLY_ROLE),
      },
    );
  });

  it('a SourceIdentity without sts:SetSourceIdentity is AccessDenied, naming sts:SetSourceIdentity', async () => {
    await expectAwsError(
      stsClient(sts, fn).send(new AssumeRoleCommand({ RoleArn: ASSUME_ONLY_ROLE, RoleSessionName: 'si', SourceIdentity: 'p1' })),
      'AccessDenied',
      {
        message: denied(FN_ARN, 'sts:SetSourceIdentity', ASSUME_ONLY_ROLE),
      },
    );
  });
});

describe('Deny and chaining', () => {
  it('a Deny statement wins over the Allow for the whole account', async () => {
    await expect(stsClient(sts, fn).send(new AssumeRoleCommand({ RoleArn: DENY_ROLE, RoleSessionName: 'ok' }))).resolves.toMatchObject({
      AssumedRoleUser: { Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/deny-stranger/ok` },
    });
    await expectAwsError(
      stsClient(sts, stranger).send(new AssumeRoleCommand({ RoleArn: DENY_ROLE, RoleSessionName: 'no' })),
      'AccessDenied',
      {
        status: 403,
        message: denied(STRANGER_ARN, 'sts:AssumeRole', DENY_ROLE),
      },
    );
  });

  it('a role ARN as principal trusts that role’s sessions (role chaining), not its truster', async () => {
    const first = await stsClient(sts, fn).send(
      new AssumeRoleCommand({ RoleArn: EXTERNAL_ROLE, RoleSessionName: 'first', ExternalId: 'ext-tenant-a' }),
    );
    const out = await stsClient(sts, credsOf(first.Credentials)).send(
      new AssumeRoleCommand({ RoleArn: CHAIN_ROLE, RoleSessionName: 'second' }),
    );
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/chained/second`);
    await expectAwsError(
      stsClient(sts, fn).send(new AssumeRoleCommand({ RoleArn: CHAIN_ROLE, RoleSessionName: 'direct' })),
      'AccessDenied',
    );
  });

  it('federated users are refused even by a role that trusts "*"', async () => {
    const anyone = role('anyone');
    sts.putRole({
      arn: anyone,
      maxSessionDuration: 3_600,
      trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sts:*' }] },
    });
    const federated = await stsClient(sts, fed).send(new GetFederationTokenCommand({ Name: 'fed-user' }));
    await expect(stsClient(sts, stranger).send(new AssumeRoleCommand({ RoleArn: anyone, RoleSessionName: 'any' }))).resolves.toBeDefined();
    await expectAwsError(
      stsClient(sts, credsOf(federated.Credentials)).send(new AssumeRoleCommand({ RoleArn: anyone, RoleSessionName: 'any' })),
      'AccessDenied',
      {
        message: denied(`arn:aws:sts::${ACCOUNT}:federated-user/fed-user`, 'sts:AssumeRole', anyone),
      },
    );
  });
});

describe('roles at runtime', () => {
  const runtimeRole = (trusted: string): LocalStsRole => ({
    arn: RUNTIME_ROLE,
    maxSessionDuration: 7_200,
    trustPolicy: trustPolicyFor(trusted),
  });
  const assume = (who: typeof fn) =>
    stsClient(sts, who).send(new AssumeRoleCommand({ RoleArn: RUNTIME_ROLE, RoleSessionName: 'rt', DurationSeconds: 7_200 }));

  it('putRole adds a role, a second putRole replaces it, deleteRole removes it (then AccessDenied like any unknown role)', async () => {
    await expectAwsError(assume(fn), 'AccessDenied', { message: denied(FN_ARN, 'sts:AssumeRole', RUNTIME_ROLE) });
    sts.putRole(runtimeRole(FN_ARN));
    await expect(assume(fn)).resolves.toMatchObject({ AssumedRoleUser: { Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/runtime/rt` } });

    sts.putRole(runtimeRole(STRANGER_ARN));
    await expectAwsError(assume(fn), 'AccessDenied');
    await expect(assume(stranger)).resolves.toBeDefined();

    expect(sts.deleteRole(RUNTIME_ROLE)).toBe(true);
    await expectAwsError(assume(stranger), 'AccessDenied', { message: denied(STRANGER_ARN, 'sts:AssumeRole', RUNTIME_ROLE) });
    expect(sts.deleteRole(RUNTIME_ROLE)).toBe(false);
  });

  it('an invalid role is refused with a clear error and changes nothing', async () => {
    sts.putRole(runtimeRole(FN_ARN));
    expect(() => sts.putRole({ arn: RUNTIME_ROLE, maxSessionDuration: 3_600, trustPolicy: '{"Statement": [' })).toThrow(
      `local STS: role ${RUNTIME_ROLE}: the trust policy is not valid JSON`,
    );
    expect(() =>
      sts.putRole({
        ...runtimeRole(FN_ARN),
        trustPolicy: { Statement: [{ Effect: 'Allow', Principal: { AWS: 'nobody' }, Action: 'sts:AssumeRole' }] },
      }),
    ).toThrow(/invalid principal "nobody"/);
    await expect(assume(fn)).resolves.toMatchObject({ AssumedRoleUser: { Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/runtime/rt` } });
  });

  it('startLocalSts refuses a role in the old trustedPrincipals shape', async () => {
    const old = { arn: RUNTIME_ROLE, maxSessionDuration: 3_600, trustedPrincipals: [FN_ARN] } as unknown as LocalStsRole;
    await expect(startLocalSts({ port: 0, users: [fn], roles: [old], quiet: true })).rejects.toThrow(
      /trustedPrincipals and externalId were replaced by trustPolicy/,
    );
  });
});

describe('session observations', () => {
  it('AssumeRole: principal, caller, source identity, tags (transitive marked), policy, duration, external id presence', async () => {
    const before = Date.now();
    const out = await stsClient(sts, fn).send(
      new AssumeRoleCommand({
        RoleArn: EXTERNAL_ROLE,
        RoleSessionName: 'observed',
        ExternalId: 'ext-tenant-a',
        SourceIdentity: 'partner-7',
        Policy: POLICY,
        PolicyArns: [{ arn: `arn:aws:iam::${ACCOUNT}:policy/extra` }],
        DurationSeconds: 1_800,
        Tags: [
          { Key: 'tenant', Value: 'a' },
          { Key: 'partner', Value: 'p7' },
          { Key: 'purpose', Value: '' },
        ],
        TransitiveTagKeys: ['tenant', 'partner'],
      }),
    );
    const creds = credsOf(out.Credentials);
    const session = sts.sessionOf(creds.accessKeyId);
    expect(session).toEqual({
      accessKeyId: creds.accessKeyId,
      action: 'AssumeRole',
      callerArn: FN_ARN,
      principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/tenant-a/observed`,
      principalId: out.AssumedRoleUser?.AssumedRoleId,
      roleArn: EXTERNAL_ROLE,
      sourceIdentity: 'partner-7',
      tags: [
        { key: 'tenant', value: 'a', transitive: true },
        { key: 'partner', value: 'p7', transitive: true },
        { key: 'purpose', value: '', transitive: false },
      ],
      policy: POLICY,
      policyArns: [`arn:aws:iam::${ACCOUNT}:policy/extra`],
      durationSeconds: 1_800,
      issuedAt: expect.any(String),
      expiresAt: out.Credentials?.Expiration?.toISOString().replace('.000Z', 'Z'),
      externalIdPresent: true,
    });
    expect(Date.parse(session!.issuedAt)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(sts.sessions.at(-1)).toEqual(session);
  });

  it('records whether an external id was sent, never its value, nor any secret', async () => {
    const out = await stsClient(sts, fn).send(new AssumeRoleCommand({ RoleArn: DENY_ROLE, RoleSessionName: 'no-ext' }));
    const creds = credsOf(out.Credentials);
    expect(sts.sessionOf(creds.accessKeyId)).toMatchObject({ externalIdPresent: false, tags: [], policyArns: [] });
    const all = JSON.stringify(sts.sessions);
    expect(all).toContain(creds.accessKeyId);
    for (const secret of [creds.secretAccessKey, creds.sessionToken!, fn.secretAccessKey, 'ext-tenant-a', 'ext-old', 'ext-new'])
      expect(all).not.toContain(secret);
  });

  it('GetSessionToken and refused requests: the first is recorded as the IAM user, the second not at all', async () => {
    const count = sts.sessions.length;
    await expectAwsError(
      stsClient(sts, fn).send(new AssumeRoleCommand({ RoleArn: EXTERNAL_ROLE, RoleSessionName: 'refused' })),
      'AccessDenied',
    );
    expect(sts.sessions.length).toBe(count);
    const out = await stsClient(sts, fn).send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    expect(sts.sessions.length).toBe(count + 1);
    expect(sts.sessionOf(out.Credentials!.AccessKeyId!)).toMatchObject({
      action: 'GetSessionToken',
      principalArn: FN_ARN,
      callerArn: FN_ARN,
      durationSeconds: 900,
      tags: [],
    });
    expect(sts.sessionOf('ASIANOTISSUEDHERE000')).toBeUndefined();
  });
});

describe('GetFederationToken session tags', () => {
  it('are accepted and recorded (never transitive), with the policy and duration', async () => {
    const out = await stsClient(sts, fed).send(
      new GetFederationTokenCommand({
        Name: 'tagged-fed',
        Policy: POLICY,
        DurationSeconds: 900,
        Tags: [
          { Key: 'tenant', Value: 't1' },
          { Key: 'partner', Value: 'p1' },
        ],
      }),
    );
    expect(sts.sessionOf(out.Credentials!.AccessKeyId!)).toEqual({
      accessKeyId: out.Credentials!.AccessKeyId,
      action: 'GetFederationToken',
      callerArn: `arn:aws:iam::${ACCOUNT}:user/credvend-federation`,
      principalArn: `arn:aws:sts::${ACCOUNT}:federated-user/tagged-fed`,
      principalId: `${ACCOUNT}:tagged-fed`,
      tags: [
        { key: 'tenant', value: 't1', transitive: false },
        { key: 'partner', value: 'p1', transitive: false },
      ],
      policy: POLICY,
      policyArns: [],
      durationSeconds: 900,
      issuedAt: expect.any(String),
      expiresAt: expect.any(String),
      externalIdPresent: false,
    });
  });

  it.each([
    [
      'a key with a character outside the tag charset',
      [{ Key: 'ten#ant', Value: 'v' }],
      /at 'tags.1.member.key'.*regular expression pattern/,
    ],
    [
      'a value with a character outside the tag charset',
      [{ Key: 'tenant', Value: 'a;b' }],
      /at 'tags.1.member.value'.*regular expression pattern/,
    ],
    ['51 tags', Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })), /at 'tags'.*less than or equal to 50/],
  ])('%s is a ValidationError, and nothing is issued', async (_, tags, message) => {
    const count = sts.sessions.length;
    await expectAwsError(stsClient(sts, fed).send(new GetFederationTokenCommand({ Name: 'bad-tags', Tags: tags })), 'ValidationError', {
      status: 400,
      message,
    });
    expect(sts.sessions.length).toBe(count);
  });

  it('a TransitiveTagKeys parameter (AssumeRole only) is ignored: not recorded, not packed', async () => {
    const body = (extra: string): string =>
      `Action=GetFederationToken&Version=2011-06-15&Name=raw-fed&Tags.member.1.Key=tenant&Tags.member.1.Value=t1${extra}`;
    const answers: string[] = [];
    for (const extra of ['', `&TransitiveTagKeys.member.1=${'k'.repeat(128)}`]) {
      const { url, init } = await signedRequest(sts, fed, { body: body(extra) });
      const res = await fetch(url, init);
      expect(res.status).toBe(200);
      answers.push(await res.text());
    }
    expect(answers).toHaveLength(2);
    const packed = answers.map((xml) => /<PackedPolicySize>(\d+)<\/PackedPolicySize>/.exec(xml)?.[1]);
    expect(packed[0]).toBeDefined();
    expect(packed[1]).toBe(packed[0]);
    const key = /<AccessKeyId>(ASIA\w+)<\/AccessKeyId>/.exec(answers[1]!)?.[1];
    expect(sts.sessionOf(key ?? '')?.tags).toEqual([{ key: 'tenant', value: 't1', transitive: false }]);
  });
});
