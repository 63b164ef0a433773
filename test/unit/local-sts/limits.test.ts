// The local STS's limit checks as pure functions: codes, wording, the packed-size formula,
// and the Query-protocol list parameters they read.
import { describe, expect, it } from '@jest/globals';
import {
  checkPackedSize,
  checkPolicyDocument,
  checkRoleDuration,
  packedPolicySize,
  validateAssumeRole,
  validateFederationToken,
  validateSessionToken,
} from '../../../local/sts/limits';
import { assumeRoleRequest, federationTokenRequest, listParam, type SessionInputs, tagsParam } from '../../../local/sts/params';
import { errorXml, federationTokenXml } from '../../../local/sts/xml';

const none: SessionInputs = { policyArns: [], tags: [], transitiveTagKeys: [] };
const POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}';
const ROLE = 'arn:aws:iam::123456789012:role/demo';

describe('validateFederationToken', () => {
  it('accepts a minimal and a full valid request', () => {
    expect(validateFederationToken({ ...none, name: 'ab' })).toBeUndefined();
    expect(
      validateFederationToken({
        ...none,
        name: 'x'.repeat(32),
        durationSeconds: '129600',
        policy: POLICY,
        tags: [{ key: 'k', value: '' }],
      }),
    ).toBeUndefined();
  });

  it('reports every violated constraint, like STS', () => {
    expect(validateFederationToken({ ...none, name: 'a', durationSeconds: '100' })).toEqual({
      status: 400,
      code: 'ValidationError',
      message:
        "2 validation errors detected: Value 'a' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 2; " +
        "Value '100' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
    });
  });

  it('refuses a missing name, a non-integer duration, and policy characters above \\xFF', () => {
    expect(validateFederationToken({ ...none })?.message).toMatch(/Value null at 'name'/);
    expect(validateFederationToken({ ...none, name: 'ab', durationSeconds: '900.5' })?.message).toMatch(/must be an integer/);
    expect(validateFederationToken({ ...none, name: 'ab', policy: POLICY.replace('*', '\u2603') })?.message).toMatch(
      /at 'policy'.*pattern/,
    );
  });

  it('keeps the policy text itself out of the message', () => {
    const message = validateFederationToken({ ...none, name: 'ab', policy: `${POLICY}${' '.repeat(2048)}` })?.message ?? '';
    expect(message).toMatch(/^1 validation error detected: Value at 'policy' .* less than or equal to 2048$/);
    expect(message).not.toContain('s3:GetObject');
  });

  it('accepts \\t \\n \\r and \\x20-\\xFF in a policy', () => {
    expect(validateFederationToken({ ...none, name: 'ab', policy: `\t\n\r${POLICY}\u00ff` })).toBeUndefined();
  });

  it('refuses duplicate tag keys case-insensitively, after the per-tag checks', () => {
    expect(
      validateFederationToken({
        ...none,
        name: 'ab',
        tags: [
          { key: 'Team', value: 'a' },
          { key: 'TEAM', value: 'b' },
        ],
      }),
    ).toEqual({
      status: 400,
      code: 'ValidationError',
      message: 'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
    });
  });

  it('requires both Key and Value of a tag', () => {
    expect(validateFederationToken({ ...none, name: 'ab', tags: [{ key: 'k' }] })?.message).toMatch(/Value null at 'tags.1.member.value'/);
  });
});

describe('validateSessionToken', () => {
  it('bounds DurationSeconds to 900..129600', () => {
    expect(validateSessionToken({})).toBeUndefined();
    expect(validateSessionToken({ durationSeconds: '129600' })).toBeUndefined();
    expect(validateSessionToken({ durationSeconds: '129601' })?.code).toBe('ValidationError');
  });
});

describe('validateAssumeRole', () => {
  const ok = { ...none, roleArn: ROLE, roleSessionName: 'session' };

  it('accepts a valid request, including a role path', () => {
    expect(validateAssumeRole(ok)).toBeUndefined();
    expect(validateAssumeRole({ ...ok, roleArn: 'arn:aws:iam::123456789012:role/a/b/c' })).toBeUndefined();
  });

  it.each([
    [{ roleArn: undefined }, /Value null at 'roleArn'/],
    [{ roleSessionName: undefined }, /Value null at 'roleSessionName'/],
    [{ roleArn: 'arn:aws:iam::123456789012:policy/demo' }, /^Request ARN is invalid$/],
    [{ roleArn: 'arn:aws:iam::12345:role/demo-role-name' }, /^Request ARN is invalid$/],
    [{ durationSeconds: '43201' }, /less than or equal to 43200/],
    [{ externalId: 'with space' }, /^1 validation error detected: Value at 'externalId'.*pattern/],
    [{ sourceIdentity: 'Aws:x' }, /reserved prefix 'aws:'/],
    [{ transitiveTagKeys: ['ok', ''] }, /at 'transitiveTagKeys.2.member'.*greater than or equal to 1/],
  ])('refuses %j', (change, message) => {
    const error = validateAssumeRole({ ...ok, ...change });
    expect(error?.code).toBe('ValidationError');
    expect(error?.message).toMatch(message);
  });

  it('keeps the external id out of the message', () => {
    expect(validateAssumeRole({ ...ok, externalId: 'tenant secret!' })?.message).not.toContain('tenant secret');
  });
});

describe('checkRoleDuration', () => {
  it('enforces MaxSessionDuration, then the one-hour role-chaining cap', () => {
    expect(checkRoleDuration(3600, 3600, false)).toBeUndefined();
    expect(checkRoleDuration(3601, 3600, false)?.message).toBe(
      'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    );
    expect(checkRoleDuration(3601, 43_200, true)?.message).toMatch(/1 hour session limit/);
    expect(checkRoleDuration(3600, 43_200, true)).toBeUndefined();
  });
});

describe('checkPolicyDocument', () => {
  it('accepts statement objects and arrays', () => {
    expect(checkPolicyDocument(POLICY)).toBeUndefined();
    expect(
      checkPolicyDocument('{"Version":"2008-10-17","Id":"x","Statement":{"Effect":"Deny","NotAction":"iam:*","Resource":"*"}}'),
    ).toBeUndefined();
  });

  it.each([
    ['[]', 'The policy is not in the valid JSON format.'],
    ['{', 'The policy is not in the valid JSON format.'],
    ['{"Version":"2012-10-18","Statement":[]}', 'The policy must contain a valid version string'],
    ['{"Version":"2012-10-17","Statement":[]}', 'Syntax errors in policy.'],
    ['{"Version":"2012-10-17","Statment":[]}', 'Syntax errors in policy.'],
    ['{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Extra":1}]}', 'Syntax errors in policy.'],
    ['{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}', 'Policy statement must contain actions.'],
    [
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}',
      'Policy document should not specify a principal.',
    ],
  ])('%s is MalformedPolicyDocument', (policy, message) => {
    expect(checkPolicyDocument(policy)).toEqual({ status: 400, code: 'MalformedPolicyDocument', message });
  });
});

describe('packedPolicySize', () => {
  it('is 0 for nothing and counts a policy at half its minified size', () => {
    expect(packedPolicySize(none)).toBe(0);
    // 96 minified bytes -> 48 packed -> ceil(4800 / 2048) = 3%, whatever the whitespace.
    expect(POLICY.length).toBe(96);
    expect(packedPolicySize({ ...none, policy: POLICY })).toBe(3);
    expect(packedPolicySize({ ...none, policy: JSON.stringify(JSON.parse(POLICY), null, 4) })).toBe(3);
  });

  it('counts session tags byte for byte: 2048 bytes are exactly 100%, one more overflows', () => {
    const tags = [{ key: 'k'.repeat(128), value: 'v'.repeat(256) }];
    expect(packedPolicySize({ ...none, tags: Array(5).fill(tags[0]) })).toBe(94);
    expect(packedPolicySize({ ...none, tags: [...Array(5).fill(tags[0]), { key: 'k'.repeat(64), value: 'v'.repeat(64) }] })).toBe(100);
    expect(packedPolicySize({ ...none, tags: [...Array(5).fill(tags[0]), { key: 'k'.repeat(64), value: 'v'.repeat(65) }] })).toBe(101);
    expect(packedPolicySize({ ...none, tags: Array(6).fill(tags[0]) })).toBe(113);
  });

  it('checkPackedSize answers PackedPolicyTooLarge only above 100%', () => {
    expect(checkPackedSize(100)).toBeUndefined();
    expect(checkPackedSize(101)).toMatchObject({ status: 400, code: 'PackedPolicyTooLarge' });
  });
});

describe('Query-protocol list parameters', () => {
  const params = new Map([
    ['PolicyArns.member.10.arn', 'arn-10'],
    ['PolicyArns.member.2.arn', 'arn-2'],
    ['Tags.member.1.Key', 'k1'],
    ['Tags.member.1.Value', 'v1'],
    ['Tags.member.2.Key', 'k2'],
    ['TransitiveTagKeys.member.1', 'k1'],
    ['Name', 'demo'],
    ['RoleArn', ROLE],
  ]);

  it('reads members in numeric order', () => {
    expect(listParam(params, 'PolicyArns', 'arn')).toEqual(['arn-2', 'arn-10']);
    expect(tagsParam(params)).toEqual([
      { key: 'k1', value: 'v1' },
      { key: 'k2', value: undefined },
    ]);
    expect(federationTokenRequest(params)).toMatchObject({ name: 'demo', policyArns: ['arn-2', 'arn-10'] });
    expect(assumeRoleRequest(params)).toMatchObject({ roleArn: ROLE, transitiveTagKeys: ['k1'] });
  });
});

describe('XML', () => {
  it('renders errors as ErrorResponse, Receiver for 5xx, with text escaped', () => {
    expect(errorXml({ status: 500, code: 'InternalFailure', message: 'a<b & c' }, 'rid')).toBe(
      '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n' +
        '  <Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>a&lt;b &amp; c</Message></Error>\n' +
        '  <RequestId>rid</RequestId>\n' +
        '</ErrorResponse>\n',
    );
  });

  it('renders GetFederationToken with whole-second ISO 8601 expiration', () => {
    const xml = federationTokenXml({
      credentials: { accessKeyId: 'ID', secretAccessKey: 'S', sessionToken: 'T', expiresAt: Date.UTC(2026, 10, 22, 7, 0, 0, 123) },
      federatedUserId: '123456789012:demo',
      arn: 'arn:aws:sts::123456789012:federated-user/demo',
      packedPolicySize: 7,
      requestId: 'rid',
    });
    expect(xml).toContain('<GetFederationTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">');
    expect(xml).toContain(
      '<GetFederationTokenResult><Credentials><AccessKeyId>ID</AccessKeyId><SecretAccessKey>S</SecretAccessKey><SessionToken>T</SessionToken><Expiration>2026-11-22T07:00:00Z</Expiration></Credentials>' +
        '<FederatedUser><FederatedUserId>123456789012:demo</FederatedUserId><Arn>arn:aws:sts::123456789012:federated-user/demo</Arn></FederatedUser><PackedPolicySize>7</PackedPolicySize></GetFederationTokenResult>',
    );
    expect(xml).toContain('<ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata>');
  });
});
