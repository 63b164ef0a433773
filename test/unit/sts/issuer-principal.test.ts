// The principal tenant roles must trust: the identity credvend's function runs as.
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { issuerPrincipalLoader, principalOfCaller } from '../../../lib/sts/issuer-principal';

describe('principalOfCaller', () => {
  it.each([
    ['arn:aws:sts::123456789012:assumed-role/credvend-dev-issue/credvend-dev-issue', 'arn:aws:iam::123456789012:role/credvend-dev-issue'],
    ['arn:aws:sts::123456789012:assumed-role/issuer/i-0123456789abcdef0', 'arn:aws:iam::123456789012:role/issuer'],
    ['arn:aws-cn:sts::123456789012:assumed-role/issuer/s', 'arn:aws-cn:iam::123456789012:role/issuer'],
    ['arn:aws-us-gov:sts::123456789012:assumed-role/issuer/s@x.y', 'arn:aws-us-gov:iam::123456789012:role/issuer'],
  ])('an assumed-role session %s trusts as its role %s', (caller, principal) => {
    expect(principalOfCaller(caller)).toBe(principal);
  });

  it.each([
    'arn:aws:iam::123456789012:user/credvend-federation',
    'arn:aws:iam::123456789012:user/path/to/credvend',
    'arn:aws:iam::123456789012:role/credvend-issuer',
    'arn:aws:iam::123456789012:root',
    'arn:aws:sts::123456789012:federated-user/someone',
    // Not a whole assumed-role ARN: left alone rather than guessed at.
    'arn:aws:sts::123456789012:assumed-role/issuer',
    'arn:aws:sts::12345:assumed-role/issuer/s',
  ])('any other ARN is the principal itself: %s', (arn) => {
    expect(principalOfCaller(arn)).toBe(arn);
  });
});

describe('issuerPrincipalLoader', () => {
  const client = new STSClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const sts = mockClient(client);
  beforeEach(() => {
    sts.reset();
  });

  it('answers the configured principal without asking STS', async () => {
    const load = issuerPrincipalLoader(client, 'arn:aws:iam::123456789012:role/configured');
    await expect(load()).resolves.toBe('arn:aws:iam::123456789012:role/configured');
    expect(sts.calls()).toHaveLength(0);
  });

  it('otherwise asks STS once (GetCallerIdentity) and keeps the answer', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Arn: 'arn:aws:sts::123456789012:assumed-role/issuer/fn', Account: '123456789012' });
    const load = issuerPrincipalLoader(client, undefined);
    await expect(load()).resolves.toBe('arn:aws:iam::123456789012:role/issuer');
    await expect(load()).resolves.toBe('arn:aws:iam::123456789012:role/issuer');
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(1);
  });

  it("with its own role per function, names the issuing role in the caller's account and partition (ISSUER_ROLE_NAME)", async () => {
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Arn: 'arn:aws-cn:sts::123456789012:assumed-role/credvend-ci-AdminRole-X1/credvend-ci-admin' });
    const load = issuerPrincipalLoader(client, undefined, 'credvend-ci-us-east-1-lambdaRole');
    await expect(load()).resolves.toBe('arn:aws-cn:iam::123456789012:role/credvend-ci-us-east-1-lambdaRole');
    // An IAM user (the local stack) is itself: no role to name.
    expect(principalOfCaller('arn:aws:iam::123456789012:user/credvend-function', 'issuer')).toBe(
      'arn:aws:iam::123456789012:user/credvend-function',
    );
  });

  it('answers 503 sts_unavailable when STS fails, and asks again next time', async () => {
    sts.on(GetCallerIdentityCommand).rejectsOnce(new Error('ECONNRESET')).resolves({ Arn: 'arn:aws:iam::123456789012:user/local' });
    const load = issuerPrincipalLoader(client, undefined);
    await expect(load()).rejects.toMatchObject({ statusCode: 503, code: 'sts_unavailable' });
    await expect(load()).resolves.toBe('arn:aws:iam::123456789012:user/local');
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(2);
  });
});
