// The federation client is dropped when STS rejects its keys, and the next request reads them from SSM
// again (issue 15): keys rotated in Parameter Store work without a cold start.
import { GetFederationTokenCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { logger } from '../../../lib/core/log';
import type { FederationRequest } from '../../../lib/policy/sts-limits';
import { federationClientLoader } from '../../../lib/sts/federation-client';
import { SdkSts } from '../../../lib/sts/sdk-sts';
import { FAKE_SECRET_ACCESS_KEY, FAKE_SESSION_TOKEN, fakeAccessKeyId } from '../issuance-fakes';

const $metadata = { httpStatusCode: 403, requestId: 'sts-req-1' };
const wireError = (name: string) => new STSServiceException({ name, $fault: 'client', message: `${name} happened`, $metadata });
// Every STSClient, the ones the loader builds included: `thisValue` of a call is the client that sent it.
const stsMock = mockClient(STSClient);
const request: FederationRequest = { name: 'acme.part.x', durationSeconds: 900, policy: '{}', policyArns: [], tags: {} };
const issued = {
  Credentials: {
    AccessKeyId: fakeAccessKeyId(),
    SecretAccessKey: FAKE_SECRET_ACCESS_KEY,
    SessionToken: FAKE_SESSION_TOKEN,
    Expiration: new Date(),
  },
  FederatedUser: { Arn: 'arn:aws:sts::123456789012:federated-user/acme.part.x', FederatedUserId: '123456789012:acme.part.x' },
};

let reads: number;
let sts: SdkSts;

/** SSM answers the keys of its current version: `old` until rotated, then `new`. */
let version: string;

beforeAll(() => {
  jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
});
afterAll(() => stsMock.restore());

beforeEach(() => {
  stsMock.reset();
  reads = 0;
  version = 'old';
  const loader = federationClientLoader(
    '/credvend/federation',
    async () => {
      reads++;
      return JSON.stringify({ accessKeyId: `AKIDFED${version.toUpperCase()}`, secretAccessKey: `secret-${version}` });
    },
    { region: 'eu-west-1' },
  );
  sts = new SdkSts(new STSClient({ region: 'eu-west-1' }), loader);
});

/** The access key id the client of the n-th GetFederationToken call signed with. */
async function keyOfCall(n: number): Promise<string> {
  const client = stsMock.commandCalls(GetFederationTokenCommand)[n]?.thisValue as STSClient;
  const credentials = client.config.credentials as () => Promise<{ accessKeyId: string }>;
  return (await credentials()).accessKeyId;
}

describe('federation keys rejected by STS', () => {
  it.each(['InvalidClientTokenId', 'SignatureDoesNotMatch', 'UnrecognizedClientException'])(
    'after %s the next request reads the keys again and signs with the rotated ones',
    async (code) => {
      stsMock.on(GetFederationTokenCommand).rejectsOnce(wireError(code)).resolves(issued);
      await expect(sts.getFederationToken(request)).rejects.toMatchObject({
        statusCode: code === 'UnrecognizedClientException' ? 503 : 502,
      });
      expect(reads).toBe(1);
      version = 'new';
      await expect(sts.getFederationToken(request)).resolves.toMatchObject({ accessKeyId: issued.Credentials.AccessKeyId });
      expect(reads).toBe(2);
      expect([await keyOfCall(0), await keyOfCall(1)]).toEqual(['AKIDFEDOLD', 'AKIDFEDNEW']);
    },
  );

  it('keys that work are read once for the container, as before', async () => {
    stsMock.on(GetFederationTokenCommand).resolves(issued);
    for (let i = 0; i < 3; i++) await sts.getFederationToken(request);
    expect(stsMock.commandCalls(GetFederationTokenCommand)).toHaveLength(3);
    expect(reads).toBe(1);
  });

  it.each(['Throttling', 'AccessDenied', 'MalformedPolicyDocument'])('%s is not about the keys: they are kept', async (code) => {
    stsMock.on(GetFederationTokenCommand).rejectsOnce(wireError(code)).resolves(issued);
    await expect(sts.getFederationToken(request)).rejects.toBeDefined();
    await sts.getFederationToken(request);
    expect(reads).toBe(1);
  });

  it('concurrent requests refused with the same keys cause one reload, not one each', async () => {
    stsMock.on(GetFederationTokenCommand).rejects(wireError('InvalidClientTokenId'));
    const failed = await Promise.allSettled([
      sts.getFederationToken(request),
      sts.getFederationToken(request),
      sts.getFederationToken(request),
    ]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    version = 'new';
    stsMock.on(GetFederationTokenCommand).resolves(issued);
    await Promise.all([sts.getFederationToken(request), sts.getFederationToken(request)]);
    expect(reads).toBe(2);
  });
});
