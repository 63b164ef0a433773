// The local IAM (access keys of a user) and SSM PutParameter, driven by the real SDK clients: keys
// made there sign at once, deleted keys stop at once, and every call is recorded with its service.
import { CreateAccessKeyCommand, DeleteAccessKeyCommand, GetUserCommand, IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, GetFederationTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type LocalSts, startLocalSts } from '../../../local/sts/server';
import { testUser } from '../../integration/local-sts/support';

const deployer = testUser('credvend-deployer');
const fed = testUser('credvend-test-federation');
type Creds = { accessKeyId: string; secretAccessKey: string };

let sts: LocalSts;
beforeAll(async () => {
  sts = await startLocalSts({ port: 0, users: [deployer, fed], quiet: true });
});
afterAll(async () => {
  await sts.close();
});

const iam = (c: Creds = deployer) => new IAMClient({ endpoint: sts.url, region: 'us-east-1', credentials: c, maxAttempts: 1 });
const ssm = (c: Creds = deployer) => new SSMClient({ endpoint: sts.url, region: 'eu-west-1', credentials: c, maxAttempts: 1 });
const stsAs = (c: Creds) => new STSClient({ endpoint: sts.url, region: 'eu-west-1', credentials: c, maxAttempts: 1 });
const errorName = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: Error) => e.name,
  );

describe('local IAM', () => {
  it('GetUser names a user, or the caller when no UserName is given; an unknown user is NoSuchEntity', async () => {
    const named = await iam().send(new GetUserCommand({ UserName: fed.userName }));
    expect(named.User).toMatchObject({ UserName: fed.userName, Arn: `arn:aws:iam::123456789012:user/${fed.userName}` });
    expect((await iam().send(new GetUserCommand({}))).User?.UserName).toBe('credvend-deployer');
    expect(await errorName(iam().send(new GetUserCommand({ UserName: 'nobody' })))).toBe('NoSuchEntityException');
  });

  it('a created key signs GetFederationToken at once; a deleted one is refused at once', async () => {
    const created = await iam().send(new CreateAccessKeyCommand({ UserName: fed.userName }));
    const key = { accessKeyId: created.AccessKey?.AccessKeyId ?? '', secretAccessKey: created.AccessKey?.SecretAccessKey ?? '' };
    expect(key.accessKeyId).toMatch(/^AKIA[A-Z0-9]{16}$/);
    expect(created.AccessKey).toMatchObject({ UserName: fed.userName, Status: 'Active' });
    const listed = await iam().send(new ListAccessKeysCommand({ UserName: fed.userName }));
    expect(listed.AccessKeyMetadata?.map((k) => k.AccessKeyId)).toEqual([fed.accessKeyId, key.accessKeyId]);
    const token = await stsAs(key).send(new GetFederationTokenCommand({ Name: 'rotated' }));
    expect(token.FederatedUser?.Arn).toBe('arn:aws:sts::123456789012:federated-user/rotated');
    expect((await stsAs(key).send(new GetCallerIdentityCommand({}))).Arn).toBe(`arn:aws:iam::123456789012:user/${fed.userName}`);

    await iam().send(new DeleteAccessKeyCommand({ UserName: fed.userName, AccessKeyId: key.accessKeyId }));
    expect(await errorName(stsAs(key).send(new GetFederationTokenCommand({ Name: 'rotated' })))).toBe('InvalidClientTokenId');
    expect((await iam().send(new ListAccessKeysCommand({ UserName: fed.userName }))).AccessKeyMetadata?.map((k) => k.AccessKeyId)).toEqual([
      fed.accessKeyId,
    ]);
    expect(await errorName(iam().send(new DeleteAccessKeyCommand({ UserName: fed.userName, AccessKeyId: key.accessKeyId })))).toBe(
      'NoSuchEntityException',
    );
  });

  it('refuses a third key (LimitExceeded), as IAM does', async () => {
    const second = await iam().send(new CreateAccessKeyCommand({ UserName: fed.userName }));
    expect(await errorName(iam().send(new CreateAccessKeyCommand({ UserName: fed.userName })))).toBe('LimitExceededException');
    await iam().send(new DeleteAccessKeyCommand({ UserName: fed.userName, AccessKeyId: second.AccessKey?.AccessKeyId }));
  });

  it('verifies the signature and records each call with its service', async () => {
    sts.resetCalls();
    const wrong = { ...deployer, secretAccessKey: `${deployer.secretAccessKey}x` };
    expect(await errorName(iam(wrong).send(new ListAccessKeysCommand({ UserName: fed.userName })))).toBe('SignatureDoesNotMatch');
    await iam().send(new ListAccessKeysCommand({ UserName: fed.userName }));
    expect(sts.calls).toEqual([
      { service: 'iam', action: 'ListAccessKeys', accessKeyId: deployer.accessKeyId, status: 403, code: 'SignatureDoesNotMatch' },
      { service: 'iam', action: 'ListAccessKeys', accessKeyId: deployer.accessKeyId, status: 200 },
    ]);
  });
});

describe('local SSM PutParameter', () => {
  it('creates a SecureString, refuses to replace it without Overwrite, and moves the version on with it', async () => {
    const Name = '/credvend/test/federation-user';
    expect(await ssm().send(new PutParameterCommand({ Name, Value: 'one', Type: 'SecureString' }))).toMatchObject({ Version: 1 });
    expect(await errorName(ssm().send(new PutParameterCommand({ Name, Value: 'two', Type: 'SecureString' })))).toBe(
      'ParameterAlreadyExists',
    );
    expect(await ssm().send(new PutParameterCommand({ Name, Value: 'two', Type: 'SecureString', Overwrite: true }))).toMatchObject({
      Version: 2,
    });
    const read = await ssm().send(new GetParameterCommand({ Name, WithDecryption: true }));
    expect(read.Parameter).toMatchObject({ Value: 'two', Version: 2, Type: 'SecureString' });
    expect(read.Parameter?.LastModifiedDate).toBeInstanceOf(Date);
    const hidden = await ssm().send(new GetParameterCommand({ Name }));
    expect(hidden.Parameter?.Value).not.toBe('two');
    expect(await errorName(ssm().send(new GetParameterCommand({ Name: `${Name}:1` })))).toBe('ParameterNotFound');
    expect((await ssm().send(new GetParameterCommand({ Name: `${Name}:2`, WithDecryption: true }))).Parameter?.Value).toBe('two');
  });
});
