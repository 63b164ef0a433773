import {
  AssumeRoleCommand,
  ExpiredTokenException,
  GetFederationTokenCommand,
  MalformedPolicyDocumentException,
  PackedPolicyTooLargeException,
  RegionDisabledException,
  STSClient,
  STSServiceException,
} from '@aws-sdk/client-sts';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { type AppError, DependencyUnavailableError, UnprocessableError, UpstreamRefusedError } from '../../../lib/core/errors';
import type { AssumeRoleRequest, FederationRequest } from '../../../lib/policy/sts-limits';
import { SdkSts, translateStsError } from '../../../lib/sts/sdk-sts';
import { FAKE_SECRET_ACCESS_KEY, FAKE_SESSION_TOKEN, fakeAccessKeyId } from '../issuance-fakes';

const $metadata = { httpStatusCode: 400, requestId: 'sts-req-1' };

/** An error as the SDK raises it for a wire code it has no class for (AccessDenied, Throttling, …). */
function wireError(name: string, message = `${name} happened`): Error {
  return new STSServiceException({ name, $fault: 'client', message, $metadata });
}

describe('translateStsError', () => {
  it.each<[string, Error, number, string, new (...args: never[]) => AppError]>([
    [
      'MalformedPolicyDocumentException',
      new MalformedPolicyDocumentException({ message: 'bad', $metadata }),
      422,
      'sts_malformed_policy',
      UnprocessableError,
    ],
    ['MalformedPolicyDocument', wireError('MalformedPolicyDocument'), 422, 'sts_malformed_policy', UnprocessableError],
    [
      'PackedPolicyTooLargeException',
      new PackedPolicyTooLargeException({ message: '112%', $metadata }),
      422,
      'sts_packed_policy_too_large',
      UnprocessableError,
    ],
    ['PackedPolicyTooLarge (wire code)', wireError('PackedPolicyTooLarge'), 422, 'sts_packed_policy_too_large', UnprocessableError],
    ['ValidationError', wireError('ValidationError'), 422, 'sts_validation_error', UnprocessableError],
    [
      'RegionDisabledException',
      new RegionDisabledException({ message: 'off', $metadata }),
      502,
      'sts_region_disabled',
      UpstreamRefusedError,
    ],
    ['AccessDenied', wireError('AccessDenied'), 502, 'sts_access_denied', UpstreamRefusedError],
    ['AccessDeniedException', wireError('AccessDeniedException'), 502, 'sts_access_denied', UpstreamRefusedError],
    ['InvalidClientTokenId', wireError('InvalidClientTokenId'), 502, 'sts_credentials_rejected', UpstreamRefusedError],
    ['SignatureDoesNotMatch', wireError('SignatureDoesNotMatch'), 502, 'sts_credentials_rejected', UpstreamRefusedError],
    ['Throttling', wireError('Throttling'), 503, 'sts_throttled', DependencyUnavailableError],
    ['ThrottlingException', wireError('ThrottlingException'), 503, 'sts_throttled', DependencyUnavailableError],
    [
      'ExpiredTokenException',
      new ExpiredTokenException({ message: 'expired', $metadata }),
      503,
      'sts_unavailable',
      DependencyUnavailableError,
    ],
    ['ExpiredToken', wireError('ExpiredToken'), 503, 'sts_unavailable', DependencyUnavailableError],
    [
      'a network error',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      503,
      'sts_unavailable',
      DependencyUnavailableError,
    ],
    ['a timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' }), 503, 'sts_unavailable', DependencyUnavailableError],
    ['InternalFailure', wireError('InternalFailure'), 503, 'sts_unavailable', DependencyUnavailableError],
  ])('%s -> %i %s', (_, err, status, code, type) => {
    const mapped = translateStsError(err) as AppError;
    expect(mapped).toBeInstanceOf(type);
    expect(mapped.statusCode).toBe(status);
    expect(mapped.code).toBe(code);
    if (status >= 500) expect(mapped.cause).toBe(err);
  });

  it('quotes the STS message in 422s (the caller can fix those) and names the packed-size limit', () => {
    expect(
      (translateStsError(new MalformedPolicyDocumentException({ message: 'Syntax errors in policy.', $metadata })) as AppError).message,
    ).toBe('STS refused the session policy: Syntax errors in policy.');
    expect((translateStsError(wireError('ValidationError', '1 validation error detected')) as AppError).message).toBe(
      'STS refused the request: 1 validation error detected',
    );
    const packed = translateStsError(wireError('PackedPolicyTooLarge', 'Packed policy consumes 112% of allotted space')) as AppError;
    expect(packed.details).toEqual([{ limit: 'PackedPolicySize', message: 'Packed policy consumes 112% of allotted space' }]);
  });

  it('asks to retry throttling and outages later, and never quotes upstream text in a 5xx', () => {
    const throttled = translateStsError(wireError('Throttling', 'Rate exceeded for arn:aws:iam::123456789012:role/x')) as AppError;
    expect(throttled.headers).toEqual({ 'Retry-After': '2' });
    expect(throttled.message).toBe('STS is throttling requests; retry later');
    const down = translateStsError(new Error('socket hang up at 10.0.0.7')) as AppError;
    expect(down.headers).toEqual({ 'Retry-After': '1' });
    expect(down.message).toBe('STS is unavailable; retry later');
    const denied = translateStsError(
      wireError('AccessDenied', 'User arn:aws:sts::123456789012:assumed-role/fn is not authorized'),
    ) as AppError;
    expect(denied.message).toBe('STS denied the request (check the role trust policy)');
  });

  it.each([undefined, null, 'a string', 42])('maps a non-error (%p) to 503 sts_unavailable', (thrown) => {
    expect(translateStsError(thrown)).toMatchObject({ statusCode: 503, code: 'sts_unavailable' });
  });
});

const expiration = new Date('2030-01-02T03:04:05.000Z');
const stsCredentials = () => ({
  AccessKeyId: fakeAccessKeyId(),
  SecretAccessKey: FAKE_SECRET_ACCESS_KEY,
  SessionToken: FAKE_SESSION_TOKEN,
  Expiration: expiration,
});

const assumeRequest: AssumeRoleRequest = {
  roleArn: 'arn:aws:iam::123456789012:role/credvend-acme',
  roleSessionName: 'partner-one.0123abcd-456',
  durationSeconds: 3600,
  roleMaxSessionDuration: 7200,
  policy: '{"Version":"2012-10-17","Statement":[]}',
  policyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess', 'arn:aws:iam::123456789012:policy/extra'],
  externalId: 'ext-123',
  sourceIdentity: 'partner-one',
  tags: { team: 'blue', tenant: 'acme', partner: 'partner-one' },
  transitiveTagKeys: ['tenant', 'partner'],
};

const federationRequest: FederationRequest = {
  name: 'partner-one',
  durationSeconds: 1800,
  policy: '{"Version":"2012-10-17","Statement":[]}',
  policyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
  tags: { tenant: 'acme', partner: 'partner-one' },
};

describe('SdkSts', () => {
  const clientConfig = { region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  const roleClient = new STSClient(clientConfig);
  const federationClient = new STSClient(clientConfig);
  const roleMock = mockClient(roleClient);
  const federationMock = mockClient(federationClient);
  let federationLoads: number;
  let sts: SdkSts;

  beforeEach(() => {
    roleMock.reset();
    federationMock.reset();
    federationLoads = 0;
    sts = new SdkSts(roleClient, async () => {
      federationLoads++;
      return federationClient;
    });
  });

  describe('assumeRole', () => {
    it('sends every parameter, tags as Key/Value pairs and ARNs as {arn}, with the role client', async () => {
      roleMock.on(AssumeRoleCommand).resolves({
        Credentials: stsCredentials(),
        AssumedRoleUser: {
          Arn: 'arn:aws:sts::123456789012:assumed-role/credvend-acme/partner-one.0123abcd-456',
          AssumedRoleId: 'AROAID:partner-one',
        },
        PackedPolicySize: 23,
        SourceIdentity: 'partner-one',
      });
      const issued = await sts.assumeRole(assumeRequest);
      expect(roleMock.commandCalls(AssumeRoleCommand)).toHaveLength(1);
      expect(roleMock.commandCalls(AssumeRoleCommand)[0]!.args[0].input).toStrictEqual({
        RoleArn: 'arn:aws:iam::123456789012:role/credvend-acme',
        RoleSessionName: 'partner-one.0123abcd-456',
        DurationSeconds: 3600,
        Policy: '{"Version":"2012-10-17","Statement":[]}',
        PolicyArns: [{ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }, { arn: 'arn:aws:iam::123456789012:policy/extra' }],
        ExternalId: 'ext-123',
        SourceIdentity: 'partner-one',
        Tags: [
          { Key: 'team', Value: 'blue' },
          { Key: 'tenant', Value: 'acme' },
          { Key: 'partner', Value: 'partner-one' },
        ],
        TransitiveTagKeys: ['tenant', 'partner'],
      });
      expect(federationMock.calls()).toHaveLength(0);
      expect(federationLoads).toBe(0);
      expect(issued).toEqual({
        accessKeyId: fakeAccessKeyId(),
        secretAccessKey: FAKE_SECRET_ACCESS_KEY,
        sessionToken: FAKE_SESSION_TOKEN,
        expiration,
        principalArn: 'arn:aws:sts::123456789012:assumed-role/credvend-acme/partner-one.0123abcd-456',
        principalId: 'AROAID:partner-one',
        packedPolicySize: 23,
      });
    });

    it('leaves out empty ARNs, tags and transitive keys, and an absent external id', async () => {
      roleMock.on(AssumeRoleCommand).resolves({ Credentials: stsCredentials() });
      const issued = await sts.assumeRole({
        ...assumeRequest,
        policyArns: [],
        tags: {},
        transitiveTagKeys: [],
        externalId: undefined,
        sourceIdentity: undefined,
      });
      const input = roleMock.commandCalls(AssumeRoleCommand)[0]!.args[0].input;
      expect(input.PolicyArns).toBeUndefined();
      expect(input.Tags).toBeUndefined();
      expect(input.TransitiveTagKeys).toBeUndefined();
      expect(input.ExternalId).toBeUndefined();
      expect(input.SourceIdentity).toBeUndefined();
      expect(issued).toMatchObject({ principalArn: '', principalId: '', packedPolicySize: 0 });
    });

    it.each<[string, Error, number, string]>([
      ['MalformedPolicyDocument', new MalformedPolicyDocumentException({ message: 'bad', $metadata }), 422, 'sts_malformed_policy'],
      ['PackedPolicyTooLarge', new PackedPolicyTooLargeException({ message: '120%', $metadata }), 422, 'sts_packed_policy_too_large'],
      ['AccessDenied', wireError('AccessDenied'), 502, 'sts_access_denied'],
      ['Throttling', wireError('Throttling'), 503, 'sts_throttled'],
      ['a network error', new Error('ECONNRESET'), 503, 'sts_unavailable'],
    ])('maps %s to %i %s', async (_, err, status, code) => {
      roleMock.on(AssumeRoleCommand).rejects(err);
      await expect(sts.assumeRole(assumeRequest)).rejects.toMatchObject({ statusCode: status, code });
    });

    it.each([
      ['no Credentials', {}],
      ['no SessionToken', { Credentials: { ...stsCredentials(), SessionToken: undefined } }],
      ['no SecretAccessKey', { Credentials: { ...stsCredentials(), SecretAccessKey: undefined } }],
      ['no AccessKeyId', { Credentials: { ...stsCredentials(), AccessKeyId: undefined } }],
      ['no Expiration', { Credentials: { ...stsCredentials(), Expiration: undefined } }],
    ])('answers 503 sts_unavailable when STS answers with %s', async (_, output) => {
      roleMock.on(AssumeRoleCommand).resolves(output as never);
      await expect(sts.assumeRole(assumeRequest)).rejects.toMatchObject({ statusCode: 503, code: 'sts_unavailable' });
    });
  });

  describe('getFederationToken', () => {
    it('sends Name, DurationSeconds, Policy, PolicyArns and the session tags with the federation client', async () => {
      federationMock.on(GetFederationTokenCommand).resolves({
        Credentials: stsCredentials(),
        FederatedUser: { Arn: 'arn:aws:sts::123456789012:federated-user/partner-one', FederatedUserId: '123456789012:partner-one' },
        PackedPolicySize: 9,
      });
      const issued = await sts.getFederationToken(federationRequest);
      expect(federationMock.commandCalls(GetFederationTokenCommand)[0]!.args[0].input).toStrictEqual({
        Name: 'partner-one',
        DurationSeconds: 1800,
        Policy: '{"Version":"2012-10-17","Statement":[]}',
        PolicyArns: [{ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }],
        Tags: [
          { Key: 'tenant', Value: 'acme' },
          { Key: 'partner', Value: 'partner-one' },
        ],
      });
      expect(roleMock.calls()).toHaveLength(0);
      expect(issued).toEqual({
        accessKeyId: fakeAccessKeyId(),
        secretAccessKey: FAKE_SECRET_ACCESS_KEY,
        sessionToken: FAKE_SESSION_TOKEN,
        expiration,
        principalArn: 'arn:aws:sts::123456789012:federated-user/partner-one',
        principalId: '123456789012:partner-one',
        packedPolicySize: 9,
      });
    });

    it('leaves PolicyArns and Tags out when there are none', async () => {
      federationMock.on(GetFederationTokenCommand).resolves({ Credentials: stsCredentials() });
      await sts.getFederationToken({ ...federationRequest, policyArns: [], tags: {} });
      const input = federationMock.commandCalls(GetFederationTokenCommand)[0]!.args[0].input;
      expect(input.PolicyArns).toBeUndefined();
      expect(input.Tags).toBeUndefined();
    });

    it('maps STS errors', async () => {
      federationMock.on(GetFederationTokenCommand).rejects(new RegionDisabledException({ message: 'off', $metadata }));
      await expect(sts.getFederationToken(federationRequest)).rejects.toMatchObject({ statusCode: 502, code: 'sts_region_disabled' });
      federationMock.on(GetFederationTokenCommand).rejects(wireError('PackedPolicyTooLarge'));
      await expect(sts.getFederationToken(federationRequest)).rejects.toMatchObject({
        statusCode: 422,
        code: 'sts_packed_policy_too_large',
      });
    });

    it("lets the signing-key loader's own error through unchanged", async () => {
      const notConfigured = new DependencyUnavailableError(
        'federation_not_configured',
        'Federation mode is not configured for this deployment',
      );
      sts = new SdkSts(roleClient, async () => {
        throw notConfigured;
      });
      await expect(sts.getFederationToken(federationRequest)).rejects.toBe(notConfigured);
      expect(federationMock.calls()).toHaveLength(0);
    });
  });
});
