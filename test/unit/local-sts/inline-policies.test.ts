// The local IAM's inline policies (Put/Get/Delete/List Role and User Policy) and their enforcement:
// a Deny on a role or on the federation user refuses credentials already issued, by the keys
// credvend's revocations use, while other sessions and newer ones keep working.
import {
  DeleteRolePolicyCommand,
  DeleteUserPolicyCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import {
  AssumeRoleCommand,
  DecodeAuthorizationMessageCommand,
  GetCallerIdentityCommand,
  GetFederationTokenCommand,
  STSClient,
} from '@aws-sdk/client-sts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { type LocalSts, startLocalSts } from '../../../local/sts/server';
import { type Creds, credsOf, testUser, trustPolicyFor } from '../../integration/local-sts/support';

const ACCOUNT = '123456789012';
const admin = testUser('credvend-admin');
const fn = testUser('credvend-function');
const fed = testUser('credvend-federation');
const ROLE = `arn:aws:iam::${ACCOUNT}:role/tenant-a`;
const OTHER_ROLE = `arn:aws:iam::${ACCOUNT}:role/tenant-b`;

let sts: LocalSts;
let offsetMs = 0;
/** Moves the emulator clock on; answers a cutoff (emulator time) between the sessions before and after. */
function cutoffBetween(): string {
  sts.advanceClock(2000);
  offsetMs += 2000;
  const cutoff = new Date(Date.now() + offsetMs).toISOString();
  sts.advanceClock(2000);
  offsetMs += 2000;
  return cutoff;
}
beforeAll(async () => {
  const trust = trustPolicyFor(`arn:aws:iam::${ACCOUNT}:user/${fn.userName}`);
  sts = await startLocalSts({
    port: 0,
    users: [admin, fn, fed],
    roles: [
      { arn: ROLE, maxSessionDuration: 3600, trustPolicy: trust },
      { arn: OTHER_ROLE, maxSessionDuration: 3600, trustPolicy: trust },
    ],
    parameters: [{ name: '/probe', value: 'v', type: 'String' }],
    quiet: true,
  });
});
afterAll(async () => {
  await sts.close();
});

const iam = (c: Creds = admin) => new IAMClient({ endpoint: sts.url, region: 'us-east-1', credentials: c, maxAttempts: 1 });
const stsAs = (c: Creds) => new STSClient({ endpoint: sts.url, region: 'us-east-1', credentials: c, maxAttempts: 1 });
const ssmAs = (c: Creds) => new SSMClient({ endpoint: sts.url, region: 'us-east-1', credentials: c, maxAttempts: 1 });
const outcome = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: Error) => e.name,
  );
/**
 * Whether IAM still honours the credential: SSM GetParameter, which IAM authorizes for every kind of
 * caller (a federated user may call no STS action but GetCallerIdentity, which a Deny does not stop).
 */
const probe = async (c: Creds): Promise<string> => {
  const r = await outcome(ssmAs(c).send(new GetParameterCommand({ Name: '/probe' })));
  return r === 'ok' ? 'honoured' : r === 'AccessDeniedException' ? 'AccessDenied' : r;
};
const decodeProbe = async (c: Creds): Promise<string> => {
  const r = await outcome(stsAs(c).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: 'x' })));
  return r === 'InvalidAuthorizationMessageException' ? 'honoured' : r;
};
const doc = (...Statement: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement });

async function session(partner: string, roleArn = ROLE): Promise<Creds & { userid: string }> {
  const out = await stsAs(fn).send(
    new AssumeRoleCommand({
      RoleArn: roleArn,
      RoleSessionName: `cv-t-${partner}`,
      SourceIdentity: `cv-t-${partner}`,
      Tags: [
        { Key: 'tenant', Value: 't' },
        { Key: 'partner', Value: partner },
      ],
    }),
  );
  return { ...credsOf(out.Credentials), userid: out.AssumedRoleUser?.AssumedRoleId ?? '' };
}

async function federated(partner: string): Promise<Creds & { userid: string }> {
  const out = await stsAs(fed).send(
    new GetFederationTokenCommand({
      Name: `t-${partner}`,
      Policy: doc({ Effect: 'Allow', Action: '*', Resource: '*' }),
      Tags: [{ Key: 'partner', Value: partner }],
    }),
  );
  return { ...credsOf(out.Credentials), userid: out.FederatedUser?.FederatedUserId ?? '' };
}

beforeEach(async () => {
  for (const [kind, name] of [
    ['role', 'tenant-a'],
    ['role', 'tenant-b'],
    ['user', fed.userName],
  ] as const) {
    const listed =
      kind === 'role'
        ? (await iam().send(new ListRolePoliciesCommand({ RoleName: name }))).PolicyNames
        : (await iam().send(new ListUserPoliciesCommand({ UserName: name }))).PolicyNames;
    for (const p of listed ?? []) {
      if (kind === 'role') await iam().send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: p }));
      else await iam().send(new DeleteUserPolicyCommand({ UserName: name, PolicyName: p }));
    }
  }
});

describe('local IAM inline policies', () => {
  it('puts, gets (URL-encoded, as IAM answers), lists and deletes role and user policies', async () => {
    const text = doc({ Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:SourceIdentity': 'x y' } } });
    await iam().send(new PutRolePolicyCommand({ RoleName: 'tenant-a', PolicyName: 'credvend-revocations', PolicyDocument: text }));
    const got = await iam().send(new GetRolePolicyCommand({ RoleName: 'tenant-a', PolicyName: 'credvend-revocations' }));
    expect(got.PolicyDocument).toBe(encodeURIComponent(text));
    expect(decodeURIComponent(got.PolicyDocument ?? '')).toBe(text);
    expect((await iam().send(new ListRolePoliciesCommand({ RoleName: 'tenant-a' }))).PolicyNames).toEqual(['credvend-revocations']);
    expect((await iam().send(new ListRolePoliciesCommand({ RoleName: 'tenant-b' }))).PolicyNames).toEqual([]);
    await iam().send(new DeleteRolePolicyCommand({ RoleName: 'tenant-a', PolicyName: 'credvend-revocations' }));
    expect(await outcome(iam().send(new GetRolePolicyCommand({ RoleName: 'tenant-a', PolicyName: 'credvend-revocations' })))).toBe(
      'NoSuchEntityException',
    );

    await iam().send(new PutUserPolicyCommand({ UserName: fed.userName, PolicyName: 'p', PolicyDocument: text }));
    const user = await iam().send(new GetUserPolicyCommand({ UserName: fed.userName, PolicyName: 'p' }));
    expect(decodeURIComponent(user.PolicyDocument ?? '')).toBe(text);
    expect((await iam().send(new ListUserPoliciesCommand({ UserName: fed.userName }))).PolicyNames).toEqual(['p']);
  });

  it('refuses unknown roles and users, bad names and malformed documents', async () => {
    const ok = doc({ Effect: 'Deny', Action: '*', Resource: '*' });
    expect(await outcome(iam().send(new PutRolePolicyCommand({ RoleName: 'nope', PolicyName: 'p', PolicyDocument: ok })))).toBe(
      'NoSuchEntityException',
    );
    expect(await outcome(iam().send(new PutUserPolicyCommand({ UserName: 'nope', PolicyName: 'p', PolicyDocument: ok })))).toBe(
      'NoSuchEntityException',
    );
    for (const bad of [
      'not json',
      doc(),
      doc({ Effect: 'Deny', Action: '*' }),
      doc({ Effect: 'Deny', Action: '*', Resource: '*', Principal: '*' }),
      doc({ Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': 'yesterday' } } }),
      doc({ Effect: 'Maybe', Action: '*', Resource: '*' }),
    ]) {
      expect(await outcome(iam().send(new PutRolePolicyCommand({ RoleName: 'tenant-a', PolicyName: 'p', PolicyDocument: bad })))).toBe(
        'MalformedPolicyDocumentException',
      );
    }
    expect(await outcome(iam().send(new PutRolePolicyCommand({ RoleName: 'tenant-a', PolicyName: 'a b', PolicyDocument: ok })))).toBe(
      'ValidationError',
    );
    expect((await iam().send(new ListRolePoliciesCommand({ RoleName: 'tenant-a' }))).PolicyNames).toEqual([]);
  });

  it("enforces IAM's aggregate size quotas without counting whitespace: 10,240 per role, 2,048 per user", async () => {
    const sized = (chars: number): string => {
      const base = doc({ Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:userid': '' } } });
      return base.replace('"aws:userid":""', `"aws:userid":"${'x'.repeat(chars - base.length)}"`);
    };
    expect(sized(2048)).toHaveLength(2048);
    await iam().send(new PutUserPolicyCommand({ UserName: fed.userName, PolicyName: 'a', PolicyDocument: sized(2048) }));
    // Replacing a policy counts its new size, not both.
    await iam().send(new PutUserPolicyCommand({ UserName: fed.userName, PolicyName: 'a', PolicyDocument: sized(1800) }));
    expect(
      await outcome(iam().send(new PutUserPolicyCommand({ UserName: fed.userName, PolicyName: 'b', PolicyDocument: sized(249) }))),
    ).toBe('LimitExceededException');
    // Whitespace is free: 1,800 + 248 fits exactly.
    const spaced = sized(248).replace('{', `{${' '.repeat(500)}`);
    await iam().send(new PutUserPolicyCommand({ UserName: fed.userName, PolicyName: 'b', PolicyDocument: spaced }));

    await iam().send(new PutRolePolicyCommand({ RoleName: 'tenant-a', PolicyName: 'a', PolicyDocument: sized(10_240) }));
    expect(await outcome(iam().send(new PutRolePolicyCommand({ RoleName: 'tenant-a', PolicyName: 'b', PolicyDocument: sized(200) })))).toBe(
      'LimitExceededException',
    );
    expect((await iam().send(new ListRolePoliciesCommand({ RoleName: 'tenant-a' }))).PolicyNames).toEqual(['a']);
  });
});

describe('local IAM enforces inline Deny statements on credentials already issued', () => {
  const put = (RoleName: string, ...statements: unknown[]) =>
    iam().send(new PutRolePolicyCommand({ RoleName, PolicyName: 'credvend-revocations', PolicyDocument: doc(...statements) }));

  it('aws:TokenIssueTime DateLessThan refuses older sessions of the role only; newer ones and other roles work', async () => {
    const old = await session('p1');
    const otherRole = await session('p1', OTHER_ROLE);
    expect(await probe(old)).toBe('honoured');
    const cutoff = cutoffBetween();
    await put('tenant-a', { Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': cutoff } } });
    expect(await probe(old)).toBe('AccessDenied');
    expect(await decodeProbe(old)).toBe('AccessDenied');
    // AWS answers GetCallerIdentity even under a Deny on *.
    expect(await outcome(stsAs(old).send(new GetCallerIdentityCommand({})))).toBe('ok');
    expect(await probe(otherRole)).toBe('honoured');
    expect(await probe(await session('p1'))).toBe('honoured');
  });

  it('aws:SourceIdentity and aws:PrincipalTag/partner select one partner; another partner of the role is untouched', async () => {
    const p1 = await session('p1');
    const p2 = await session('p2');
    await put('tenant-a', { Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:SourceIdentity': 'cv-t-p1' } } });
    expect(await probe(p1)).toBe('AccessDenied');
    expect(await probe(p2)).toBe('honoured');
    await put('tenant-a', {
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { StringEquals: { 'aws:PrincipalTag/partner': 'p2' } },
    });
    expect(await probe(p1)).toBe('honoured');
    expect(await probe(p2)).toBe('AccessDenied');
  });

  it('aws:userid selects one session; the denial message names the caller and says explicit deny', async () => {
    const a = await session('p1');
    const b = await session('p1');
    await put('tenant-a', { Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:userid': a.userid } } });
    // Same role session name: same aws:userid, as at AWS (credvend's session names carry a unique suffix).
    expect(await probe(a)).toBe('AccessDenied');
    expect(await probe(b)).toBe('AccessDenied');
    await put('tenant-a', {
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { StringEquals: { 'aws:userid': 'AROANOTTHISONE:cv-t-p1' } },
    });
    expect(await probe(a)).toBe('honoured');
    await put('tenant-a', { Effect: 'Deny', Action: 'sts:*', Resource: '*', Condition: { StringEquals: { 'aws:userid': a.userid } } });
    await expect(stsAs(a).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: 'x' }))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringMatching(
        /assumed-role\/tenant-a\/cv-t-p1 is not authorized to perform: sts:DecodeAuthorizationMessage .*explicit deny/,
      ),
    });
  });

  it('a Deny on the federation user refuses its federated sessions (not the user itself, not new sessions)', async () => {
    const p1 = await federated('p1');
    const p2 = await federated('p2');
    const cutoff = cutoffBetween();
    await iam().send(
      new PutUserPolicyCommand({
        UserName: fed.userName,
        PolicyName: 'credvend-revocations',
        PolicyDocument: doc({
          Effect: 'Deny',
          Action: '*',
          Resource: '*',
          Condition: { DateLessThan: { 'aws:TokenIssueTime': cutoff }, StringEquals: { 'aws:PrincipalTag/partner': 'p1' } },
        }),
      }),
    );
    expect(await probe(p1)).toBe('AccessDenied');
    expect(await probe(p2)).toBe('honoured');
    expect(await probe(fed)).toBe('honoured');
    expect(await probe(await federated('p1'))).toBe('honoured');
  });

  it('Allow statements are kept but not evaluated; a Deny with a NotAction spares the named action', async () => {
    const s = await session('p1');
    await put('tenant-a', { Effect: 'Allow', Action: 'sts:GetCallerIdentity', Resource: '*' });
    expect(await probe(s)).toBe('honoured');
    await put('tenant-a', { Effect: 'Deny', NotAction: 'ssm:GetParameter', Resource: '*' });
    expect(await probe(s)).toBe('honoured');
    expect(await decodeProbe(s)).toBe('AccessDenied');
  });
});
