import { describe, expect, it } from '@jest/globals';
import { UnprocessableError } from '../../../lib/core/errors';
import {
  type AssumeRoleRequest,
  assertAssumeRoleWithinLimits,
  assertFederationWithinLimits,
  type FederationRequest,
  STS_LIMITS,
} from '../../../lib/policy/sts-limits';

const fed: FederationRequest = {
  name: 'partner-one',
  durationSeconds: 3600,
  policy: '{"Version":"2012-10-17"}',
  policyArns: [],
  tags: { tenant: 'acme', partner: 'partner-one' },
};
const role: AssumeRoleRequest = {
  roleArn: 'arn:aws:iam::123456789012:role/r',
  roleSessionName: 'partner-one.0123abcd-456',
  durationSeconds: 3600,
  roleMaxSessionDuration: 43_200,
  policy: '{"Version":"2012-10-17"}',
  policyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
  externalId: 'ext-123',
  sourceIdentity: 'partner-one',
  tags: { tenant: 'acme', partner: 'partner-one' },
  transitiveTagKeys: ['tenant', 'partner'],
};

function violations(run: () => void): { limit: string; message: string }[] {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(UnprocessableError);
    const e = err as UnprocessableError;
    expect(e.statusCode).toBe(422);
    expect(e.code).toBe('sts_limit_exceeded');
    expect(e.message).toBe(`The request breaks an STS limit: ${e.details.map((d) => d.limit).join(', ')}`);
    return e.details as { limit: string; message: string }[];
  }
  return [];
}
const fedLimits = (over: Partial<FederationRequest>) =>
  violations(() => assertFederationWithinLimits({ ...fed, ...over })).map((v) => v.limit);
const roleLimits = (over: Partial<AssumeRoleRequest>) =>
  violations(() => assertAssumeRoleWithinLimits({ ...role, ...over })).map((v) => v.limit);

const policyOfLength = (n: number) => 'x'.repeat(n);
const arns = (n: number) => Array.from({ length: n }, (_, i) => `arn:aws:iam::aws:policy/P${i}`);

describe('assertFederationWithinLimits', () => {
  it('accepts a request inside every limit, at the edges too', () => {
    expect(fedLimits({})).toEqual([]);
    expect(fedLimits({ name: 'ab', durationSeconds: 900 })).toEqual([]);
    expect(fedLimits({ name: 'a'.repeat(32), durationSeconds: 129_600 })).toEqual([]);
    expect(fedLimits({ name: 'Az09_+=,.@-' })).toEqual([]);
    expect(fedLimits({ policy: policyOfLength(2048) })).toEqual([]);
    expect(fedLimits({ policy: '\t\n\r ~\x7f\x80\xff', policyArns: arns(10) })).toEqual([]);
    expect(fedLimits({ tags: {} })).toEqual([]);
    expect(fedLimits({ tags: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v'.repeat(256)])) })).toEqual([]);
    expect(fedLimits({ tags: { 'Ünïcode key_.:/=+-@': 'a value: with spaces/and=more+-@', k: '' } })).toEqual([]);
  });

  it.each<[string, Partial<FederationRequest>, string[]]>([
    ['a 1-char name', { name: 'a' }, ['GetFederationToken Name']],
    ['a 33-char name', { name: 'a'.repeat(33) }, ['GetFederationToken Name']],
    ['an empty name', { name: '' }, ['GetFederationToken Name']],
    ['a name with a space', { name: 'a b' }, ['GetFederationToken Name']],
    ['a name with a colon', { name: 'a:b' }, ['GetFederationToken Name']],
    ['a name with a slash', { name: 'a/b' }, ['GetFederationToken Name']],
    ['a name with unicode', { name: 'é-partner' }, ['GetFederationToken Name']],
    ['a name with a brace', { name: '{{x}}' }, ['GetFederationToken Name']],
    ['899 seconds', { durationSeconds: 899 }, ['GetFederationToken DurationSeconds']],
    ['129601 seconds', { durationSeconds: 129_601 }, ['GetFederationToken DurationSeconds']],
    ['a fractional duration', { durationSeconds: 1000.5 }, ['GetFederationToken DurationSeconds']],
    ['NaN seconds', { durationSeconds: Number.NaN }, ['GetFederationToken DurationSeconds']],
    ['a 2049-char policy', { policy: policyOfLength(2049) }, ['Policy']],
    ['policy + ARNs over 2048', { policy: policyOfLength(2048 - 30), policyArns: ['a'.repeat(31)] }, ['Policy']],
    ['a policy char above \\xFF', { policy: '{"a":"Ā"}' }, ['Policy']],
    ['a NUL in the policy', { policy: '{"a":"\u0000"}' }, ['Policy']],
    ['a vertical tab in the policy', { policy: '\u000b' }, ['Policy']],
    ['11 policy ARNs', { policyArns: arns(11) }, ['PolicyArns']],
    // Session tags go on federation tokens too, under the same rules as on AssumeRole.
    ['51 tags', { tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) }, ['Tags']],
    ['an empty tag key', { tags: { '': 'v' } }, ['Tags']],
    ['a 129-char tag key', { tags: { ['k'.repeat(129)]: 'v' } }, ['Tags']],
    ['a 257-char tag value', { tags: { k: 'v'.repeat(257) } }, ['Tags']],
    // STS counts UTF-16 code units: 129 astral letters are 258 (F4).
    ['a tag value of 129 astral letters', { tags: { k: '\u{1D518}'.repeat(129) } }, ['Tags']],
    ['a tag value with a quote', { tags: { k: 'a"b' } }, ['Tags']],
    ['a tag key with a *', { tags: { 'k*': 'v' } }, ['Tags']],
  ])('422 for %s', (_, over, limits) => {
    expect(fedLimits(over)).toEqual(limits);
  });

  it('names every broken limit at once', () => {
    const found = violations(() =>
      assertFederationWithinLimits({ name: 'x', durationSeconds: 60, policy: 'Ā'.repeat(2049), policyArns: arns(11), tags: { k: '{' } }),
    );
    expect(found.map((v) => v.limit)).toEqual([
      'GetFederationToken Name',
      'GetFederationToken DurationSeconds',
      'Policy',
      'Policy',
      'PolicyArns',
      'Tags',
    ]);
    expect(found[0]!.message).toBe('GetFederationToken Name must be 2-32 characters (got 1)');
    expect(found[1]!.message).toBe('GetFederationToken DurationSeconds must be between 900 and 129600 seconds (got 60)');
    expect(found[2]).toMatchObject({ size: 2049 + arns(11).join('').length });
  });
});

describe('assertAssumeRoleWithinLimits', () => {
  it('accepts a request inside every limit, at the edges too', () => {
    expect(roleLimits({})).toEqual([]);
    expect(
      roleLimits({
        roleSessionName: 'a'.repeat(64),
        durationSeconds: 43_200,
        externalId: 'a'.repeat(1224),
        sourceIdentity: 'b'.repeat(64),
        tags: Object.fromEntries(
          Array.from({ length: 50 }, (_, i) => [`${'k'.repeat(126)}${String(i).padStart(2, '0')}`, 'v'.repeat(256)]),
        ),
        transitiveTagKeys: Array.from({ length: 50 }, (_, i) => `k${i}`),
      }),
    ).toEqual([]);
    expect(roleLimits({ roleSessionName: 'ab', durationSeconds: 900, externalId: 'a:', sourceIdentity: 'ab', tags: { k: '' } })).toEqual(
      [],
    );
    expect(roleLimits({ externalId: 'Az09_+=,.@:/-' })).toEqual([]);
    expect(roleLimits({ externalId: undefined, sourceIdentity: undefined, tags: {}, transitiveTagKeys: [] })).toEqual([]);
    expect(roleLimits({ durationSeconds: 7200, roleMaxSessionDuration: 7200 })).toEqual([]);
  });

  it.each<[string, Partial<AssumeRoleRequest>, string[]]>([
    ['a 1-char session name', { roleSessionName: 'a' }, ['RoleSessionName']],
    ['a 65-char session name', { roleSessionName: 'a'.repeat(65) }, ['RoleSessionName']],
    ['a session name with a quote', { roleSessionName: 'a"b' }, ['RoleSessionName']],
    ['a session name with a *', { roleSessionName: 'ab*' }, ['RoleSessionName']],
    ['a session name with ${}', { roleSessionName: '${aws:username}' }, ['RoleSessionName']],
    ['899 seconds', { durationSeconds: 899 }, ['AssumeRole DurationSeconds']],
    ['43201 seconds', { durationSeconds: 43_201 }, ['AssumeRole DurationSeconds', 'MaxSessionDuration']],
    ['more than the role allows', { durationSeconds: 3601, roleMaxSessionDuration: 3600 }, ['MaxSessionDuration']],
    ['a 1-char external id', { externalId: 'a' }, ['ExternalId']],
    ['a 1225-char external id', { externalId: 'a'.repeat(1225) }, ['ExternalId']],
    ['an external id with a space', { externalId: 'a b' }, ['ExternalId']],
    ['an empty external id', { externalId: '' }, ['ExternalId']],
    ['a 1-char source identity', { sourceIdentity: 'a' }, ['SourceIdentity']],
    ['a 65-char source identity', { sourceIdentity: 'a'.repeat(65) }, ['SourceIdentity']],
    ['a source identity with a slash', { sourceIdentity: 'a/b' }, ['SourceIdentity']],
    ['a source identity starting aws:', { sourceIdentity: 'aws:x' }, ['SourceIdentity', 'SourceIdentity']],
    ['a source identity starting AWS:', { sourceIdentity: 'AWS:x' }, ['SourceIdentity', 'SourceIdentity']],
    ['a 2049-char policy', { policy: policyOfLength(2049), policyArns: [] }, ['Policy']],
    ['policy + ARNs over 2048', { policy: policyOfLength(2000), policyArns: ['a'.repeat(49)] }, ['Policy']],
    ['a policy char above \\xFF', { policy: '😀' }, ['Policy']],
    ['11 policy ARNs', { policyArns: arns(11) }, ['PolicyArns']],
    ['51 tags', { tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) }, ['Tags']],
    ['51 transitive keys', { transitiveTagKeys: Array.from({ length: 51 }, (_, i) => `k${i}`) }, ['TransitiveTagKeys']],
    ['an empty tag key', { tags: { '': 'v' } }, ['Tags']],
    ['a 129-char tag key', { tags: { ['k'.repeat(129)]: 'v' } }, ['Tags']],
    ['a 257-char tag value', { tags: { k: 'v'.repeat(257) } }, ['Tags']],
    ['a tag value of 129 astral letters', { tags: { k: '\u{1D518}'.repeat(129) } }, ['Tags']],
    ['a tag value with a quote', { tags: { k: 'a"b' } }, ['Tags']],
    ['a tag value with a brace', { tags: { k: '{{x}}' } }, ['Tags']],
    ['a tag key with a *', { tags: { 'k*': 'v' } }, ['Tags']],
  ])('422 for %s', (_, over, limits) => {
    expect(roleLimits(over)).toEqual(limits);
  });

  it('explains each limit in its message', () => {
    const found = violations(() =>
      assertAssumeRoleWithinLimits({
        ...role,
        durationSeconds: 4000,
        roleMaxSessionDuration: 3600,
        tags: { ['k'.repeat(40)]: 'v'.repeat(300) },
        sourceIdentity: 'aws:me',
      }),
    );
    expect(found).toEqual([
      { limit: 'MaxSessionDuration', message: "DurationSeconds 4000 exceeds the role's MaxSessionDuration of 3600" },
      { limit: 'SourceIdentity', message: 'SourceIdentity may contain only letters, digits and +=,.@_-' },
      { limit: 'SourceIdentity', message: 'SourceIdentity must not start with "aws:"' },
      {
        limit: 'Tags',
        code: 'invalid_tag_value',
        tag: 'k'.repeat(32),
        message: `The value of tag "${'k'.repeat(32)}" must be at most 256 letters, digits, spaces and _.:/=+-@`,
      },
    ]);
  });

  it('exports the table DESIGN.md states', () => {
    expect(STS_LIMITS).toEqual({
      federationDuration: { min: 900, max: 129_600 },
      assumeRoleDuration: { min: 900, max: 43_200 },
      federationName: { min: 2, max: 32 },
      roleSessionName: { min: 2, max: 64 },
      externalId: { min: 2, max: 1224 },
      sourceIdentity: { min: 2, max: 64 },
      policyPlaintext: 2048,
      policyArns: 10,
      tags: 50,
      tagKey: { min: 1, max: 128 },
      tagValue: { min: 0, max: 256 },
    });
  });
});
