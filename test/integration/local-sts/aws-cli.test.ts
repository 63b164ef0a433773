// The real AWS CLI (v2, /usr/bin/aws; CREDVEND_AWS_CLI names another one) against the local STS:
// it signs with botocore, a second independent SigV4 implementation, and parses the XML with its own parser.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { type LocalSts, startLocalSts } from '../../../local/sts/server';
import { AWS_CLI, describeWithAwsCli } from '../../support/aws-cli';
import { ACCOUNT, type Creds, testUser, trustPolicyFor, withWrongSecret } from './support';

const AWS = AWS_CLI;
const describeCli = describeWithAwsCli(AWS);
const run = promisify(execFile);

describeCli('AWS CLI against the local STS', () => {
  const fed = testUser('credvend-federation');
  const fn = testUser('credvend-function');
  const FN_ARN = `arn:aws:iam::${ACCOUNT}:user/credvend-function`;
  const TENANT_ROLE = `arn:aws:iam::${ACCOUNT}:role/tenant-a`;
  const ASSUME_ONLY_ROLE = `arn:aws:iam::${ACCOUNT}:role/assume-only`;
  let sts: LocalSts;
  let home: string;

  beforeAll(async () => {
    sts = await startLocalSts({
      port: 0,
      users: [fed, fn],
      roles: [
        {
          arn: TENANT_ROLE,
          maxSessionDuration: 3_600,
          trustPolicy: trustPolicyFor(FN_ARN, { condition: { StringEquals: { 'sts:ExternalId': 'ext-tenant-a' } } }),
        },
        { arn: ASSUME_ONLY_ROLE, maxSessionDuration: 3_600, trustPolicy: trustPolicyFor(FN_ARN, { actions: ['sts:AssumeRole'] }) },
      ],
      quiet: true,
    });
    home = mkdtempSync(join(tmpdir(), 'local-sts-cli-'));
  });
  afterAll(async () => {
    await sts.close();
    rmSync(home, { recursive: true, force: true });
  });

  /** Only these credentials: no profile, no config files, no instance metadata. */
  async function aws(creds: Creds, args: string[]): Promise<{ ok: true; stdout: string } | { ok: false; stderr: string; code: number }> {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      AWS_ACCESS_KEY_ID: creds.accessKeyId,
      AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
      ...(creds.sessionToken ? { AWS_SESSION_TOKEN: creds.sessionToken } : {}),
      AWS_CONFIG_FILE: join(home, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_PAGER: '',
    };
    try {
      const { stdout } = await run(AWS, [...args, '--endpoint-url', sts.url, '--region', 'us-east-1', '--output', 'json'], {
        env,
        timeout: 60_000,
      });
      return { ok: true, stdout };
    } catch (err) {
      const e = err as { stderr?: string; code?: number };
      return { ok: false, stderr: e.stderr ?? '', code: e.code ?? -1 };
    }
  }

  it('get-federation-token, then get-caller-identity with the returned credentials', async () => {
    const issued = await aws(fed, ['sts', 'get-federation-token', '--name', 'demo']);
    if (!issued.ok) throw new Error(`aws sts get-federation-token failed: ${issued.stderr}`);
    const out = JSON.parse(issued.stdout) as {
      Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string; Expiration: string };
      FederatedUser: { Arn: string; FederatedUserId: string };
      PackedPolicySize: number;
    };
    expect(out.Credentials.AccessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(out.FederatedUser).toEqual({ FederatedUserId: `${ACCOUNT}:demo`, Arn: `arn:aws:sts::${ACCOUNT}:federated-user/demo` });
    const temp: Creds = {
      accessKeyId: out.Credentials.AccessKeyId,
      secretAccessKey: out.Credentials.SecretAccessKey,
      sessionToken: out.Credentials.SessionToken,
    };

    const who = await aws(temp, ['sts', 'get-caller-identity']);
    if (!who.ok) throw new Error(`aws sts get-caller-identity failed: ${who.stderr}`);
    expect(JSON.parse(who.stdout)).toEqual({
      UserId: `${ACCOUNT}:demo`,
      Account: ACCOUNT,
      Arn: `arn:aws:sts::${ACCOUNT}:federated-user/demo`,
    });

    const bad = await aws(withWrongSecret(temp), ['sts', 'get-caller-identity']);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.stderr).toContain('An error occurred (SignatureDoesNotMatch) when calling the GetCallerIdentity operation');
  });

  it('long-term keys with one secret character changed fail with SignatureDoesNotMatch', async () => {
    const bad = await aws(withWrongSecret(fed), ['sts', 'get-federation-token', '--name', 'demo']);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.stderr).toContain('(SignatureDoesNotMatch)');
  });

  it('limits reach the CLI as AWS error codes', async () => {
    // botocore checks lengths itself but not patterns, so a space gets through to the emulator.
    const bad = await aws(fed, ['sts', 'get-federation-token', '--name', 'bad name']);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.stderr).toContain('An error occurred (ValidationError) when calling the GetFederationToken operation');
  });

  it('assume-role: the right external id gets credentials, a wrong or missing one AccessDenied', async () => {
    const ok = await aws(fn, [
      'sts',
      'assume-role',
      '--role-arn',
      TENANT_ROLE,
      '--role-session-name',
      'cli',
      '--external-id',
      'ext-tenant-a',
    ]);
    if (!ok.ok) throw new Error(`aws sts assume-role failed: ${ok.stderr}`);
    const out = JSON.parse(ok.stdout) as { AssumedRoleUser: { Arn: string }; Credentials: { AccessKeyId: string } };
    expect(out.AssumedRoleUser.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/tenant-a/cli`);
    expect(sts.sessionOf(out.Credentials.AccessKeyId)).toMatchObject({ roleArn: TENANT_ROLE, externalIdPresent: true });

    const denied = `An error occurred (AccessDenied) when calling the AssumeRole operation: User: ${FN_ARN} is not authorized to perform: sts:AssumeRole on resource: ${TENANT_ROLE}`;
    const wrong = await aws(fn, [
      'sts',
      'assume-role',
      '--role-arn',
      TENANT_ROLE,
      '--role-session-name',
      'cli',
      '--external-id',
      'ext-tenant-b',
    ]);
    const missing = await aws(fn, ['sts', 'assume-role', '--role-arn', TENANT_ROLE, '--role-session-name', 'cli']);
    expect([wrong.ok, missing.ok]).toEqual([false, false]);
    // The AWS CLI prints the message as STS sent it, encoded authorization failure message included.
    const encoded = / Encoded authorization failure message: [A-Za-z0-9_-]+$/;
    expect([wrong, missing].map((r) => (r.ok ? '' : r.stderr.trim().replace(encoded, '')))).toEqual([denied, denied]);
  });

  it('assume-role --tags on a role without sts:TagSession is AccessDenied naming sts:TagSession', async () => {
    const plain = await aws(fn, ['sts', 'assume-role', '--role-arn', ASSUME_ONLY_ROLE, '--role-session-name', 'cli']);
    expect(plain.ok).toBe(true);
    const tagged = await aws(fn, [
      'sts',
      'assume-role',
      '--role-arn',
      ASSUME_ONLY_ROLE,
      '--role-session-name',
      'cli',
      '--tags',
      'Key=tenant,Value=a',
    ]);
    expect(tagged.ok).toBe(false);
    expect(tagged.ok ? '' : tagged.stderr).toContain(
      `(AccessDenied) when calling the AssumeRole operation: User: ${FN_ARN} is not authorized to perform: sts:TagSession on resource: ${ASSUME_ONLY_ROLE}`,
    );
  });
  it('put-role-policy with a Deny on a source identity: that session is refused at once, another partner and get-caller-identity are not', async () => {
    const assume = async (partner: string): Promise<Creds> => {
      const r = await aws(fn, [
        'sts',
        'assume-role',
        '--role-arn',
        TENANT_ROLE,
        '--role-session-name',
        `cv-a-${partner}`,
        '--source-identity',
        `cv-a-${partner}`,
        '--external-id',
        'ext-tenant-a',
      ]);
      if (!r.ok) throw new Error(`assume-role failed: ${r.stderr}`);
      const c = (JSON.parse(r.stdout) as { Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string } })
        .Credentials;
      return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
    };
    const decode = (c: Creds) => aws(c, ['sts', 'decode-authorization-message', '--encoded-message', 'x']);
    const p1 = await assume('p1');
    const p2 = await assume('p2');
    expect(await decode(p1)).toMatchObject({ ok: false, stderr: expect.stringContaining('InvalidAuthorizationMessageException') });

    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:SourceIdentity': 'cv-a-p1' } } }],
    });
    const put = await aws(fn, [
      'iam',
      'put-role-policy',
      '--role-name',
      'tenant-a',
      '--policy-name',
      'credvend-revocations',
      '--policy-document',
      policy,
    ]);
    expect(put).toMatchObject({ ok: true });
    const got = await aws(fn, ['iam', 'get-role-policy', '--role-name', 'tenant-a', '--policy-name', 'credvend-revocations']);
    if (!got.ok) throw new Error(got.stderr);
    // The CLI decodes IAM's URL-encoded document into JSON itself.
    expect((JSON.parse(got.stdout) as { PolicyDocument: unknown }).PolicyDocument).toEqual(JSON.parse(policy));

    const refused = await decode(p1);
    expect(refused.ok ? '' : refused.stderr).toContain(
      `(AccessDenied) when calling the DecodeAuthorizationMessage operation: User: arn:aws:sts::${ACCOUNT}:assumed-role/tenant-a/cv-a-p1 is not authorized to perform: sts:DecodeAuthorizationMessage`,
    );
    expect(await decode(p2)).toMatchObject({ ok: false, stderr: expect.stringContaining('InvalidAuthorizationMessageException') });
    expect(await aws(p1, ['sts', 'get-caller-identity'])).toMatchObject({ ok: true });
    await aws(fn, ['iam', 'delete-role-policy', '--role-name', 'tenant-a', '--policy-name', 'credvend-revocations']);
    expect(await decode(p1)).toMatchObject({ ok: false, stderr: expect.stringContaining('InvalidAuthorizationMessageException') });
  });
});
