// The minimal SSM Parameter Store on the local STS server, driven by the real @aws-sdk/client-ssm.

import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetFederationTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getDecryptedParameter, ssmEndpoint } from '../../../lib/aws/ssm-parameter';
import { type LocalSts, startLocalSts } from '../../../local/sts/server';
import { ACCOUNT, type Creds, credsOf, signedRequest, stsClient, testUser, withWrongSecret } from './support';

const fn = testUser('credvend-function');
const SECRET_VALUE = JSON.stringify({ accessKeyId: 'example-id', secretAccessKey: 'example-secret-value' });

let sts: LocalSts;
beforeAll(async () => {
  sts = await startLocalSts({
    port: 0,
    users: [fn],
    parameters: [
      { name: '/credvend/itest/federation-user', type: 'SecureString', value: SECRET_VALUE },
      { name: 'plain', type: 'String', value: 'hello' },
    ],
    quiet: true,
  });
});
afterAll(async () => {
  await sts.close();
});

const ssm = (credentials: Creds = fn): SSMClient => new SSMClient({ endpoint: sts.url, region: 'eu-west-1', credentials, maxAttempts: 1 });
const errorOf = (call: Promise<unknown>) =>
  call.then(
    () => undefined,
    (e: { name: string; message: string; $metadata: { httpStatusCode?: number } }) => ({
      name: e.name,
      message: e.message,
      status: e.$metadata?.httpStatusCode,
    }),
  );

describe('local SSM GetParameter', () => {
  it('returns a SecureString decrypted only WithDecryption', async () => {
    const out = await ssm().send(new GetParameterCommand({ Name: '/credvend/itest/federation-user', WithDecryption: true }));
    expect(out.Parameter).toMatchObject({
      Name: '/credvend/itest/federation-user',
      Type: 'SecureString',
      Value: SECRET_VALUE,
      Version: 1,
      ARN: `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/credvend/itest/federation-user`,
    });
    const hidden = await ssm().send(new GetParameterCommand({ Name: '/credvend/itest/federation-user' }));
    expect(hidden.Parameter?.Value).toBeDefined();
    expect(hidden.Parameter?.Value).not.toContain('example-secret-value');
  });

  it('returns a String parameter as is, with a name without a leading slash', async () => {
    const out = await ssm().send(new GetParameterCommand({ Name: 'plain' }));
    expect(out.Parameter).toMatchObject({
      Name: 'plain',
      Type: 'String',
      Value: 'hello',
      ARN: `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/plain`,
    });
  });

  it('an unknown parameter is ParameterNotFound (400)', async () => {
    expect(await errorOf(ssm().send(new GetParameterCommand({ Name: '/nope' })))).toMatchObject({ name: 'ParameterNotFound', status: 400 });
  });

  it('temporary credentials issued by the emulator may read parameters', async () => {
    const out = await stsClient(sts, fn).send(new GetFederationTokenCommand({ Name: 'reader' }));
    const read = await ssm(credsOf(out.Credentials)).send(new GetParameterCommand({ Name: 'plain' }));
    expect(read.Parameter?.Value).toBe('hello');
  });

  it('verifies SigV4 and answers JSON-protocol auth errors', async () => {
    expect(await errorOf(ssm(testUser('nobody')).send(new GetParameterCommand({ Name: 'plain' })))).toMatchObject({
      name: 'UnrecognizedClientException',
      status: 400,
    });
    expect(await errorOf(ssm(withWrongSecret(fn)).send(new GetParameterCommand({ Name: 'plain' })))).toMatchObject({
      name: 'InvalidSignatureException',
      status: 400,
    });
  });

  it('a request signed for another service is refused', async () => {
    const { url, init } = await signedRequest(sts, fn, { body: 'Action=GetCallerIdentity&Version=2011-06-15', service: 'ssm' });
    const res = await fetch(url, init);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("<Message>Credential should be scoped to correct service: 'sts'. </Message>");
  });

  it('faults can target GetParameter, and calls record it', async () => {
    sts.resetCalls();
    sts.injectFault({ action: 'GetParameter', status: 400, code: 'ThrottlingException', message: 'Rate exceeded' });
    expect(await errorOf(ssm().send(new GetParameterCommand({ Name: 'plain' })))).toMatchObject({
      name: 'ThrottlingException',
      message: 'Rate exceeded',
      status: 400,
    });
    expect(sts.calls).toEqual([
      { service: 'ssm', action: 'GetParameter', accessKeyId: fn.accessKeyId, status: 400, code: 'ThrottlingException' },
    ]);
  });
});

// The project's own one-call reader (lib/aws/ssm-parameter.ts) against the same emulator, which
// verifies its SigV4 signature: signed with an STS client's resolved credentials, region and handler.
describe('getDecryptedParameter (lib/aws/ssm-parameter.ts)', () => {
  const env = () => ({ AWS_ENDPOINT_URL_SSM: sts.url });
  const config = (credentials: Creds = fn) => new STSClient({ region: 'eu-west-1', credentials, maxAttempts: 1 }).config;

  it('returns the decrypted SecureString', async () => {
    expect(await getDecryptedParameter(config(), '/credvend/itest/federation-user', env())).toBe(SECRET_VALUE);
  });

  it('an unknown parameter fails with its SSM error type and status, nothing of the request', async () => {
    const err = await errorOf(getDecryptedParameter(config(), '/nope', env()));
    expect(err).toMatchObject({ name: 'SsmRequestError', message: 'SSM GetParameter failed: ParameterNotFound (HTTP 400)' });
  });

  it('a wrong secret is refused by the signature check, and the error never quotes the secret', async () => {
    const wrong = withWrongSecret(fn);
    const err = await getDecryptedParameter(config(wrong), 'plain', env()).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toBe('SSM GetParameter failed: InvalidSignatureException (HTTP 400)');
    expect(JSON.stringify({ ...err, message: err?.message, stack: err?.stack })).not.toContain(wrong.secretAccessKey);
  });

  it('a throttled call fails with ThrottlingException', async () => {
    sts.injectFault({ action: 'GetParameter', status: 400, code: 'ThrottlingException', message: 'Rate exceeded' });
    expect((await errorOf(getDecryptedParameter(config(), 'plain', env())))?.message).toBe(
      'SSM GetParameter failed: ThrottlingException (HTTP 400)',
    );
  });
});

describe('ssmEndpoint', () => {
  it('takes the SDK variables in the SDK order, else the regional endpoint of the partition', () => {
    expect(ssmEndpoint('eu-west-1', { AWS_ENDPOINT_URL_SSM: 'http://127.0.0.1:1', AWS_ENDPOINT_URL: 'http://127.0.0.1:2' }).href).toBe(
      'http://127.0.0.1:1/',
    );
    expect(ssmEndpoint('eu-west-1', { AWS_ENDPOINT_URL: 'http://127.0.0.1:2' }).href).toBe('http://127.0.0.1:2/');
    expect(ssmEndpoint('eu-west-1', { AWS_ENDPOINT_URL: 'http://127.0.0.1:2', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }).href).toBe(
      'https://ssm.eu-west-1.amazonaws.com/',
    );
    expect(ssmEndpoint('cn-north-1', {}).href).toBe('https://ssm.cn-north-1.amazonaws.com.cn/');
    expect(ssmEndpoint('us-east-1', { AWS_USE_FIPS_ENDPOINT: 'true' }).href).toBe('https://ssm-fips.us-east-1.amazonaws.com/');
  });
});
