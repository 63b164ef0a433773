// Every STS limit of DESIGN.md, violated one at a time through the real @aws-sdk/client-sts,
// with the exact error the SDK surfaces (and the boundary value that still passes).
import {
  AssumeRoleCommand,
  type AssumeRoleCommandInput,
  GetFederationTokenCommand,
  type GetFederationTokenCommandInput,
  GetSessionTokenCommand,
} from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type LocalSts, startLocalSts } from '../../../local/sts/server';
import { ACCOUNT, expectAwsError, stsClient, testUser, trustPolicyFor } from './support';

const caller = testUser('credvend-function');
const ROLE = `arn:aws:iam::${ACCOUNT}:role/long-sessions`;
const policyOfLength = (n: number): string => {
  const base = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] });
  return `${base.slice(0, -1) + ' '.repeat(n - base.length)}}`;
};
const arns = (n: number): Array<{ arn: string }> => Array.from({ length: n }, (_, i) => ({ arn: `arn:aws:iam::${ACCOUNT}:policy/p${i}` }));
const tags = (n: number, keyLength = 3, valueLength = 1): Array<{ Key: string; Value: string }> =>
  Array.from({ length: n }, (_, i) => ({ Key: `k${i}`.padEnd(keyLength, 'k'), Value: 'v'.repeat(valueLength) }));

let sts: LocalSts;
beforeAll(async () => {
  sts = await startLocalSts({
    port: 0,
    users: [caller],
    roles: [{ arn: ROLE, maxSessionDuration: 43_200, trustPolicy: trustPolicyFor(`arn:aws:iam::${ACCOUNT}:user/credvend-function`) }],
    quiet: true,
  });
});
afterAll(async () => {
  await sts.close();
});

const federation = (input: Partial<GetFederationTokenCommandInput>) =>
  stsClient(sts, caller).send(new GetFederationTokenCommand({ Name: 'demo', ...input } as GetFederationTokenCommandInput));
const assume = (input: Partial<AssumeRoleCommandInput>) =>
  stsClient(sts, caller).send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'session', ...input } as AssumeRoleCommandInput));

describe('GetFederationToken', () => {
  it.each([
    ['Name of 1 char', { Name: 'a' }, /at 'name' failed to satisfy constraint: Member must have length greater than or equal to 2/],
    ['Name of 33 chars', { Name: 'n'.repeat(33) }, /Member must have length less than or equal to 32/],
    ['Name with a space', { Name: 'a b' }, /Member must satisfy regular expression pattern: \[\\w\+=,\.@-\]\*/],
    ['Name with a slash', { Name: 'a/b' }, /regular expression pattern/],
    ['no Name', { Name: undefined }, /Value null at 'name' failed to satisfy constraint: Member must not be null/],
    ['DurationSeconds 899', { DurationSeconds: 899 }, /Member must have value greater than or equal to 900/],
    ['DurationSeconds 129601', { DurationSeconds: 129_601 }, /Member must have value less than or equal to 129600/],
  ])('%s is a ValidationError', async (_, input, message) => {
    await expectAwsError(federation(input), 'ValidationError', { status: 400, message });
  });

  it('accepts the boundaries: Name of 2 and 32 chars with [\\w+=,.@-], DurationSeconds 900 and 129600', async () => {
    await expect(federation({ Name: 'ab', DurationSeconds: 900 })).resolves.toBeDefined();
    await expect(federation({ Name: 'a_Z9+=,.@-'.padEnd(32, 'x'), DurationSeconds: 129_600 })).resolves.toBeDefined();
  });
});

describe('GetSessionToken', () => {
  it.each([
    [899, /greater than or equal to 900/],
    [129_601, /less than or equal to 129600/],
  ])('DurationSeconds %d is a ValidationError', async (duration, message) => {
    await expectAwsError(stsClient(sts, caller).send(new GetSessionTokenCommand({ DurationSeconds: duration })), 'ValidationError', {
      status: 400,
      message,
    });
  });

  it('accepts 900 and 129600', async () => {
    await expect(stsClient(sts, caller).send(new GetSessionTokenCommand({ DurationSeconds: 900 }))).resolves.toBeDefined();
    await expect(stsClient(sts, caller).send(new GetSessionTokenCommand({ DurationSeconds: 129_600 }))).resolves.toBeDefined();
  });
});

describe('AssumeRole', () => {
  it.each([
    ['DurationSeconds 899', { DurationSeconds: 899 }, /greater than or equal to 900/],
    [
      'DurationSeconds 43201',
      { DurationSeconds: 43_201 },
      /at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200/,
    ],
    ['RoleSessionName of 1 char', { RoleSessionName: 'a' }, /at 'roleSessionName'.*greater than or equal to 2/],
    ['RoleSessionName of 65 chars', { RoleSessionName: 's'.repeat(65) }, /at 'roleSessionName'.*less than or equal to 64/],
    ['RoleSessionName with a colon', { RoleSessionName: 'a:b' }, /at 'roleSessionName'.*regular expression pattern/],
    ['a RoleArn that is no role ARN', { RoleArn: `arn:aws:iam::${ACCOUNT}:user/not-a-role` }, /^Request ARN is invalid$/],
    ['a RoleArn shorter than 20 chars', { RoleArn: 'arn:aws:iam::1:role' }, /at 'roleArn'.*greater than or equal to 20/],
    ['ExternalId of 1 char', { ExternalId: 'x' }, /at 'externalId'.*greater than or equal to 2/],
    ['ExternalId of 1225 chars', { ExternalId: 'x'.repeat(1225) }, /at 'externalId'.*less than or equal to 1224/],
    ['ExternalId with a space', { ExternalId: 'a b' }, /at 'externalId'.*regular expression pattern/],
    ['SourceIdentity of 1 char', { SourceIdentity: 'x' }, /at 'sourceIdentity'.*greater than or equal to 2/],
    ['SourceIdentity of 65 chars', { SourceIdentity: 'x'.repeat(65) }, /at 'sourceIdentity'.*less than or equal to 64/],
    ['SourceIdentity with a slash', { SourceIdentity: 'a/b' }, /at 'sourceIdentity'.*regular expression pattern/],
    ['SourceIdentity starting with aws:', { SourceIdentity: 'aws:me' }, /reserved prefix 'aws:'/],
    ['SourceIdentity starting with AWS:', { SourceIdentity: 'AWS:me' }, /reserved prefix 'aws:'/],
    [
      '51 TransitiveTagKeys',
      { Tags: tags(1), TransitiveTagKeys: Array.from({ length: 51 }, (_, i) => `k${i}`) },
      /at 'transitiveTagKeys'.*less than or equal to 50/,
    ],
  ])('%s is a ValidationError', async (_, input, message) => {
    await expectAwsError(assume(input), 'ValidationError', { status: 400, message });
  });

  it('accepts the boundaries', async () => {
    await expect(
      assume({
        DurationSeconds: 43_200,
        RoleSessionName: 's'.repeat(64),
        ExternalId: 'a:b/c=d,e.f@g-h+i_j'.padEnd(1224, 'x'),
        SourceIdentity: 'i'.repeat(64),
        Tags: tags(50),
        TransitiveTagKeys: tags(50).map((t) => t.Key),
      }),
    ).resolves.toBeDefined();
    await expect(assume({ DurationSeconds: 900, RoleSessionName: 'ab', ExternalId: 'ab', SourceIdentity: 'ab' })).resolves.toBeDefined();
  });
});

// Session policy, managed policy ARNs and tags: the same rules for both actions that take them.
describe.each([
  ['GetFederationToken', federation],
  ['AssumeRole', assume],
] as const)('%s session policy and tags', (_, call) => {
  it.each([
    [
      'a Policy of 2049 chars',
      { Policy: policyOfLength(2049) },
      /at 'policy' failed to satisfy constraint: Member must have length less than or equal to 2048/,
    ],
    [
      'a Policy with a char above \\xFF',
      { Policy: policyOfLength(100).replace('s3:GetObject', 's3:GetObjectĀ') },
      /at 'policy'.*regular expression pattern/,
    ],
    ['11 PolicyArns', { PolicyArns: arns(11) }, /at 'policyArns'.*less than or equal to 10/],
    ['a PolicyArn that is no policy ARN', { PolicyArns: [{ arn: `arn:aws:iam::${ACCOUNT}:role/not-a-policy` }] }, /Invalid policy ARN/],
    ['Policy and PolicyArns over 2048 chars together', { Policy: policyOfLength(2040), PolicyArns: arns(1) }, /combined plaintext/],
    ['51 Tags', { Tags: tags(51) }, /at 'tags'.*less than or equal to 50/],
    ['a tag key of 129 chars', { Tags: tags(1, 129) }, /at 'tags.1.member.key'.*less than or equal to 128/],
    ['an empty tag key', { Tags: [{ Key: '', Value: 'v' }] }, /at 'tags.1.member.key'.*greater than or equal to 1/],
    ['a tag value of 257 chars', { Tags: tags(1, 3, 257) }, /at 'tags.1.member.value'.*less than or equal to 256/],
    [
      'tag keys that differ only in case',
      {
        Tags: [
          { Key: 'Env', Value: 'a' },
          { Key: 'env', Value: 'b' },
        ],
      },
      /^Duplicate tag keys found/,
    ],
  ])('%s is a ValidationError', async (_, input, message) => {
    await expectAwsError(call(input), 'ValidationError', { status: 400, message });
  });

  it.each([
    ['not JSON', '{"Version":"2012-10-17",', /not in the valid JSON format/],
    ['without Version', JSON.stringify({ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }), /valid version string/],
    ['without Statement', JSON.stringify({ Version: '2012-10-17' }), /Syntax errors in policy/],
    [
      'with a bad Effect',
      JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Maybe', Action: '*', Resource: '*' } }),
      /Syntax errors in policy/,
    ],
  ])('a Policy %s is MalformedPolicyDocument', async (_, policy, message) => {
    // The SDK names the modeled exception class; the wire code (err.Code) is AWS's MalformedPolicyDocument.
    await expectAwsError(call({ Policy: policy }), 'MalformedPolicyDocumentException', {
      wireCode: 'MalformedPolicyDocument',
      status: 400,
      message,
    });
  });

  it('accepts the boundaries: 2048-char Policy, 10 PolicyArns, 50 tags, 128/256-char key/value, empty value', async () => {
    await expect(call({ Policy: policyOfLength(2048) })).resolves.toBeDefined();
    await expect(call({ PolicyArns: arns(10) })).resolves.toBeDefined();
    await expect(
      call({ Tags: [...tags(48), { Key: 'K'.repeat(128), Value: 'V'.repeat(256) }, { Key: 'empty', Value: '' }] }),
    ).resolves.toBeDefined();
  });

  it('answers a deterministic PackedPolicySize: five 128/256-char tags are 94%', async () => {
    const out = await call({ Tags: tags(5, 128, 256) });
    expect(out.PackedPolicySize).toBe(94);
  });

  it('six 128/256-char session tags are PackedPolicyTooLarge (wire code without the Exception suffix)', async () => {
    await expectAwsError(call({ Tags: tags(6, 128, 256) }), 'PackedPolicyTooLargeException', {
      wireCode: 'PackedPolicyTooLarge',
      status: 400,
      message: /113%/,
    });
  });
});
