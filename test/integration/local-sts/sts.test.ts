// The local STS driven by the real @aws-sdk/client-sts: actions, identities, authentication
// failures, the role registry, fault injection and the call log.
import { AssumeRoleCommand, GetCallerIdentityCommand, GetFederationTokenCommand, GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { type LocalSts, startLocalSts } from '../../../local/sts/server';
import { ACCOUNT, credsOf, expectAwsError, signedRequest, stsClient, testUser, trustPolicyFor, withWrongSecret } from './support';

const fn = testUser('credvend-function');
const fed = testUser('credvend-federation');
const stranger = testUser('stranger');
const ROLE = `arn:aws:iam::${ACCOUNT}:role/credvend-demo-partner`;
const PATH_ROLE = `arn:aws:iam::${ACCOUNT}:role/team/partners/path-role`;
const EXTERNAL_ROLE = `arn:aws:iam::${ACCOUNT}:role/external-role`;
const CHAIN_ROLE = `arn:aws:iam::${ACCOUNT}:role/chained`;
const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::demo/*' }],
});

let sts: LocalSts;

beforeAll(async () => {
  sts = await startLocalSts({
    port: 0,
    users: [fn, fed, stranger],
    roles: [
      { arn: ROLE, maxSessionDuration: 14_400, trustPolicy: trustPolicyFor(`arn:aws:iam::${ACCOUNT}:user/credvend-function`) },
      { arn: PATH_ROLE, maxSessionDuration: 3_600, trustPolicy: trustPolicyFor(`arn:aws:iam::${ACCOUNT}:root`) },
      {
        arn: EXTERNAL_ROLE,
        maxSessionDuration: 3_600,
        trustPolicy: trustPolicyFor(`arn:aws:iam::${ACCOUNT}:root`, { condition: { StringEquals: { 'sts:ExternalId': 'tenant-42' } } }),
      },
      { arn: CHAIN_ROLE, maxSessionDuration: 43_200, trustPolicy: trustPolicyFor(ROLE) },
    ],
    quiet: true,
  });
});

afterAll(async () => {
  await sts.close();
});

beforeEach(() => {
  sts.clearFaults();
});

describe('actions', () => {
  it('GetFederationToken issues ASIA credentials for the federated user', async () => {
    const before = Date.now();
    const out = await stsClient(sts, fed).send(new GetFederationTokenCommand({ Name: 'demo', Policy: POLICY, DurationSeconds: 900 }));
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(out.Credentials?.SecretAccessKey).toHaveLength(40);
    expect(out.Credentials?.SessionToken?.length).toBeGreaterThan(100);
    const expires = out.Credentials?.Expiration?.getTime() ?? 0;
    expect(expires).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 900_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 900_000);
    expect(out.FederatedUser).toEqual({ FederatedUserId: `${ACCOUNT}:demo`, Arn: `arn:aws:sts::${ACCOUNT}:federated-user/demo` });
    expect(out.PackedPolicySize).toBeGreaterThan(0);
    expect(out.PackedPolicySize).toBeLessThanOrEqual(100);
  });

  it('GetFederationToken defaults to 12 hours', async () => {
    const out = await stsClient(sts, fed).send(new GetFederationTokenCommand({ Name: 'demo' }));
    const seconds = ((out.Credentials?.Expiration?.getTime() ?? 0) - Date.now()) / 1000;
    expect(Math.abs(seconds - 43_200)).toBeLessThan(5);
  });

  it('federation credentials answer GetCallerIdentity with the federated-user ARN', async () => {
    const out = await stsClient(sts, fed).send(new GetFederationTokenCommand({ Name: 'partner-7', Policy: POLICY }));
    const who = await stsClient(sts, credsOf(out.Credentials)).send(new GetCallerIdentityCommand({}));
    expect(who).toMatchObject({
      Account: ACCOUNT,
      UserId: `${ACCOUNT}:partner-7`,
      Arn: `arn:aws:sts::${ACCOUNT}:federated-user/partner-7`,
    });
  });

  it('AssumeRole issues credentials whose identity is the assumed-role session', async () => {
    const out = await stsClient(sts, fn).send(
      new AssumeRoleCommand({
        RoleArn: ROLE,
        RoleSessionName: 'tenant-a.partner-b',
        Policy: POLICY,
        SourceIdentity: 'partner-b',
        DurationSeconds: 7_200,
      }),
    );
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/credvend-demo-partner/tenant-a.partner-b`);
    expect(out.AssumedRoleUser?.AssumedRoleId).toMatch(/^AROA[A-Z0-9]{17}:tenant-a\.partner-b$/);
    expect(out.SourceIdentity).toBe('partner-b');
    expect(out.PackedPolicySize).toBeGreaterThan(0);
    const who = await stsClient(sts, credsOf(out.Credentials)).send(new GetCallerIdentityCommand({}));
    expect(who).toMatchObject({ Account: ACCOUNT, Arn: out.AssumedRoleUser?.Arn, UserId: out.AssumedRoleUser?.AssumedRoleId });
  });

  it('the assumed-role ARN names the role without its path', async () => {
    const out = await stsClient(sts, stranger).send(new AssumeRoleCommand({ RoleArn: PATH_ROLE, RoleSessionName: 's1' }));
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/path-role/s1`);
    const hours = ((out.Credentials?.Expiration?.getTime() ?? 0) - Date.now()) / 3_600_000;
    expect(Math.abs(hours - 1)).toBeLessThan(0.01);
  });

  it('GetSessionToken credentials act as the IAM user', async () => {
    const out = await stsClient(sts, fn).send(new GetSessionTokenCommand({ DurationSeconds: 1_800 }));
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    const who = await stsClient(sts, credsOf(out.Credentials)).send(new GetCallerIdentityCommand({}));
    expect(who.Arn).toBe(`arn:aws:iam::${ACCOUNT}:user/credvend-function`);
    expect(who.UserId).toMatch(/^AIDA[A-Z0-9]{17}$/);
  });

  it('GetCallerIdentity with long-term keys answers the IAM user', async () => {
    const who = await stsClient(sts, fn).send(new GetCallerIdentityCommand({}));
    expect(who).toMatchObject({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/credvend-function` });
  });

  it('assume-role credentials may assume a role that trusts their role (chaining), for at most an hour', async () => {
    const first = await stsClient(sts, fn).send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'first' }));
    const chained = stsClient(sts, credsOf(first.Credentials));
    const out = await chained.send(new AssumeRoleCommand({ RoleArn: CHAIN_ROLE, RoleSessionName: 'second' }));
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/chained/second`);
    await expectAwsError(
      chained.send(new AssumeRoleCommand({ RoleArn: CHAIN_ROLE, RoleSessionName: 'third', DurationSeconds: 3_601 })),
      'ValidationError',
      {
        message: /1 hour session limit for roles assumed by role chaining/,
      },
    );
  });
});

describe('authentication', () => {
  it('an unknown access key is InvalidClientTokenId (403)', async () => {
    await expectAwsError(stsClient(sts, testUser('nobody')).send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', {
      status: 403,
    });
  });

  it('a secret with one character changed is SignatureDoesNotMatch (403)', async () => {
    await expectAwsError(stsClient(sts, withWrongSecret(fn)).send(new GetCallerIdentityCommand({})), 'SignatureDoesNotMatch', {
      status: 403,
    });
  });

  it('temporary credentials with a wrong session token are InvalidClientTokenId', async () => {
    const out = await stsClient(sts, fed).send(new GetFederationTokenCommand({ Name: 'demo' }));
    const creds = credsOf(out.Credentials);
    await expectAwsError(
      stsClient(sts, { ...creds, sessionToken: `${creds.sessionToken}x` }).send(new GetCallerIdentityCommand({})),
      'InvalidClientTokenId',
    );
    await expectAwsError(
      stsClient(sts, { ...creds, sessionToken: undefined }).send(new GetCallerIdentityCommand({})),
      'InvalidClientTokenId',
    );
  });

  it('long-term keys sent with a session token are InvalidClientTokenId', async () => {
    await expectAwsError(stsClient(sts, { ...fn, sessionToken: 'bogus' }).send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId');
  });

  it('temporary credentials cannot call GetFederationToken or GetSessionToken (AccessDenied, 403)', async () => {
    const federation = await stsClient(sts, fed).send(new GetFederationTokenCommand({ Name: 'demo' }));
    const role = await stsClient(sts, fn).send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'sess' }));
    const session = await stsClient(sts, fn).send(new GetSessionTokenCommand({}));
    for (const out of [federation, role, session]) {
      const temp = stsClient(sts, credsOf(out.Credentials));
      await expectAwsError(temp.send(new GetFederationTokenCommand({ Name: 'demo' })), 'AccessDenied', {
        status: 403,
        message: /^Cannot call GetFederationToken with session credentials Encoded authorization failure message: [A-Za-z0-9_-]+$/,
      });
      await expectAwsError(temp.send(new GetSessionTokenCommand({})), 'AccessDenied', {
        status: 403,
        message: /Cannot call GetSessionToken/,
      });
    }
  });

  it('session-token credentials may still call AssumeRole', async () => {
    const session = await stsClient(sts, fn).send(new GetSessionTokenCommand({}));
    const out = await stsClient(sts, credsOf(session.Credentials)).send(
      new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'from-session' }),
    );
    expect(out.AssumedRoleUser?.Arn).toContain('assumed-role/credvend-demo-partner/from-session');
  });

  it('a request without a signature is MissingAuthenticationToken (403)', async () => {
    const res = await fetch(sts.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toBe('text/xml');
    const body = await res.text();
    expect(body).toContain('<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">');
    expect(body).toContain('<Code>MissingAuthenticationToken</Code>');
    expect(body).toMatch(/<RequestId>[0-9a-f-]{36}<\/RequestId>/);
  });

  it('a signature more than 15 minutes off the emulator clock is SignatureDoesNotMatch "Signature expired"', async () => {
    const skewed = stsClient(sts, fn, { systemClockOffset: -16 * 60 * 1000 });
    await expectAwsError(skewed.send(new GetCallerIdentityCommand({})), 'SignatureDoesNotMatch', {
      status: 403,
      message: /^Signature expired/,
    });
  });

  it('answers GET with the action in the query, and presigned URLs (token in the query)', async () => {
    const query = { Action: 'GetCallerIdentity', Version: '2011-06-15' };
    const get = await signedRequest(sts, fn, { method: 'GET', query });
    const res = await fetch(get.url, get.init);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(`<Arn>arn:aws:iam::${ACCOUNT}:user/credvend-function</Arn>`);

    const out = await stsClient(sts, fed).send(new GetFederationTokenCommand({ Name: 'presigner' }));
    const presigned = await signedRequest(sts, credsOf(out.Credentials), { method: 'GET', query, presign: true });
    expect(presigned.url).toContain('X-Amz-Security-Token=');
    const res2 = await fetch(presigned.url, presigned.init);
    expect(res2.status).toBe(200);
    expect(await res2.text()).toContain(`<Arn>arn:aws:sts::${ACCOUNT}:federated-user/presigner</Arn>`);
  });

  it('an unknown action is InvalidAction (400)', async () => {
    const { url, init } = await signedRequest(sts, fn, { body: 'Action=ListUsers&Version=2011-06-15' });
    const res = await fetch(url, init);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('<Code>InvalidAction</Code>');
  });
});

describe('expiry on the emulator clock', () => {
  let clocked: LocalSts;
  beforeAll(async () => {
    clocked = await startLocalSts({ port: 0, users: [fed], quiet: true });
  });
  afterAll(async () => {
    await clocked.close();
  });

  it('issued credentials are refused with ExpiredToken (403) once the clock passes their expiration', async () => {
    const out = await stsClient(clocked, fed).send(new GetFederationTokenCommand({ Name: 'short', DurationSeconds: 900 }));
    const temp = stsClient(clocked, credsOf(out.Credentials));
    await expect(temp.send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({
      Arn: `arn:aws:sts::${ACCOUNT}:federated-user/short`,
    });
    clocked.advanceClock(899_000);
    await expect(temp.send(new GetCallerIdentityCommand({}))).resolves.toBeDefined();
    clocked.advanceClock(2_000);
    await expectAwsError(temp.send(new GetCallerIdentityCommand({})), 'ExpiredToken', { status: 403 });
  });

  it('signatures are checked against the emulator clock; an SDK with retries corrects its skew from the Date header', async () => {
    clocked.advanceClock(20 * 60 * 1000);
    await expectAwsError(stsClient(clocked, fed).send(new GetCallerIdentityCommand({})), 'SignatureDoesNotMatch', {
      message: /^Signature expired/,
    });
    const out = await stsClient(clocked, fed, { maxAttempts: 2 }).send(new GetCallerIdentityCommand({}));
    expect(out.$metadata.attempts).toBe(2);
    expect(out.Arn).toBe(`arn:aws:iam::${ACCOUNT}:user/credvend-federation`);
  });
});

describe('role registry', () => {
  it('a caller the role does not trust is AccessDenied, naming caller and role', async () => {
    await expectAwsError(stsClient(sts, stranger).send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'sess' })), 'AccessDenied', {
      status: 403,
      message: new RegExp(
        `^User: arn:aws:iam::${ACCOUNT}:user/stranger is not authorized to perform: sts:AssumeRole on resource: ${ROLE} Encoded authorization failure message: [A-Za-z0-9_-]+$`,
      ),
    });
  });

  it('an unknown role is AccessDenied', async () => {
    const unknown = `arn:aws:iam::${ACCOUNT}:role/does-not-exist`;
    await expectAwsError(stsClient(sts, fn).send(new AssumeRoleCommand({ RoleArn: unknown, RoleSessionName: 'sess' })), 'AccessDenied', {
      message: new RegExp(`on resource: ${unknown} Encoded authorization failure message: [A-Za-z0-9_-]+$`),
    });
  });

  it('federated users cannot assume roles, even ones their account trusts', async () => {
    const out = await stsClient(sts, fed).send(new GetFederationTokenCommand({ Name: 'demo' }));
    await expectAwsError(
      stsClient(sts, credsOf(out.Credentials)).send(new AssumeRoleCommand({ RoleArn: PATH_ROLE, RoleSessionName: 'sess' })),
      'AccessDenied',
      {
        message: /federated-user\/demo is not authorized/,
      },
    );
  });

  it('a role with an external id needs exactly that external id', async () => {
    const client = stsClient(sts, fn);
    await expectAwsError(client.send(new AssumeRoleCommand({ RoleArn: EXTERNAL_ROLE, RoleSessionName: 'sess' })), 'AccessDenied');
    await expectAwsError(
      client.send(new AssumeRoleCommand({ RoleArn: EXTERNAL_ROLE, RoleSessionName: 'sess', ExternalId: 'tenant-43' })),
      'AccessDenied',
    );
    const out = await client.send(new AssumeRoleCommand({ RoleArn: EXTERNAL_ROLE, RoleSessionName: 'sess', ExternalId: 'tenant-42' }));
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/external-role/sess`);
  });

  it("DurationSeconds above the role's MaxSessionDuration is a ValidationError", async () => {
    const client = stsClient(sts, fn);
    await expect(
      client.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'sess', DurationSeconds: 14_400 })),
    ).resolves.toBeDefined();
    await expectAwsError(
      client.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'sess', DurationSeconds: 14_401 })),
      'ValidationError',
      {
        status: 400,
        message: /^The requested DurationSeconds exceeds the MaxSessionDuration set for this role\.$/,
      },
    );
  });
});

describe('fault injection and the call log', () => {
  it('records every request in order with the claimed key, status and error code', async () => {
    sts.resetCalls();
    expect(sts.calls).toEqual([]);
    await stsClient(sts, fn).send(new GetCallerIdentityCommand({}));
    await stsClient(sts, withWrongSecret(fed))
      .send(new GetFederationTokenCommand({ Name: 'demo' }))
      .catch(() => undefined);
    expect(sts.calls).toEqual([
      { service: 'sts', action: 'GetCallerIdentity', accessKeyId: fn.accessKeyId, status: 200 },
      { service: 'sts', action: 'GetFederationToken', accessKeyId: fed.accessKeyId, status: 403, code: 'SignatureDoesNotMatch' },
    ]);
  });

  it('an injected fault answers the next matching request only', async () => {
    sts.injectFault({ action: 'GetFederationToken', status: 500, code: 'InternalFailure', message: 'boom' });
    const client = stsClient(sts, fed);
    await expect(client.send(new GetCallerIdentityCommand({}))).resolves.toBeDefined();
    const err = await client
      .send(new GetFederationTokenCommand({ Name: 'demo' }))
      .catch((e: { name: string; message: string; $fault: string; $metadata: { httpStatusCode?: number } }) => e);
    expect(err).toMatchObject({ name: 'InternalFailure', message: 'boom', $fault: 'server', $metadata: { httpStatusCode: 500 } });
    await expect(client.send(new GetFederationTokenCommand({ Name: 'demo' }))).resolves.toBeDefined();
  });

  it('Throttling twice is retried through by the SDK, and every attempt is recorded', async () => {
    sts.resetCalls();
    sts.injectFault({ action: 'AssumeRole', status: 400, code: 'Throttling', message: 'Rate exceeded', times: 2 });
    const out = await stsClient(sts, fn, { maxAttempts: 3 }).send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'retried' }));
    expect(out.$metadata.attempts).toBe(3);
    expect(sts.calls.map((c) => [c.action, c.status, c.code])).toEqual([
      ['AssumeRole', 400, 'Throttling'],
      ['AssumeRole', 400, 'Throttling'],
      ['AssumeRole', 200, undefined],
    ]);
  });

  it('a delayed fault outlasts a client timeout', async () => {
    sts.injectFault({ action: 'GetCallerIdentity', status: 500, code: 'InternalFailure', delayMs: 1_500 });
    const client = stsClient(sts, fn, { requestHandler: { requestTimeout: 200, throwOnRequestTimeout: true } });
    const err = await client.send(new GetCallerIdentityCommand({})).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe('TimeoutError');
  });

  it('clearFaults drops pending faults', async () => {
    sts.injectFault({ status: 400, code: 'Throttling', times: 5 });
    sts.clearFaults();
    await expect(stsClient(sts, fn).send(new GetCallerIdentityCommand({}))).resolves.toBeDefined();
  });
});
