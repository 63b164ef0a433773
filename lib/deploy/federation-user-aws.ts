// The federation user script's AWS side: IAM for the user's access keys, SSM for the parameter the
// functions read. Clients come from the caller, configured by the SDK's own variables (AWS_REGION,
// AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL_SSM, credentials).
import { CreateAccessKeyCommand, DeleteAccessKeyCommand, GetUserCommand, type IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { GetParameterCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { FederationUserPorts, FederationUserState } from './federation-user';
import { storedKeyId } from './federation-user';

/** What IAM and SSM hold: the user (GetUser fails clearly if the stack has not created it), its keys, the stored key. */
export async function readFederationUserState(
  iam: IAMClient,
  ssm: SSMClient,
  userName: string,
  parameter: string,
): Promise<FederationUserState & { userArn: string }> {
  const user = await iam.send(new GetUserCommand({ UserName: userName }));
  const keys = await iam.send(new ListAccessKeysCommand({ UserName: userName }));
  let stored: FederationUserState['stored'];
  try {
    const out = await ssm.send(new GetParameterCommand({ Name: parameter, WithDecryption: true }));
    const accessKeyId = storedKeyId(out.Parameter?.Value);
    if (accessKeyId) stored = { accessKeyId, writtenAt: out.Parameter?.LastModifiedDate ?? new Date(0) };
  } catch (err) {
    if ((err as Error).name !== 'ParameterNotFound') throw err;
  }
  return {
    userName,
    userArn: user.User?.Arn ?? '',
    parameter,
    accessKeyIds: (keys.AccessKeyMetadata ?? []).flatMap((k) => (k.AccessKeyId ? [k.AccessKeyId] : [])),
    stored,
  };
}

export function sdkFederationUserPorts(iam: IAMClient, ssm: SSMClient): FederationUserPorts {
  return {
    deleteAccessKey: async (UserName, AccessKeyId) => {
      await iam.send(new DeleteAccessKeyCommand({ UserName, AccessKeyId }));
    },
    createAccessKey: async (UserName) => {
      const out = await iam.send(new CreateAccessKeyCommand({ UserName }));
      const { AccessKeyId, SecretAccessKey } = out.AccessKey ?? {};
      if (!AccessKeyId || !SecretAccessKey) throw new Error('IAM CreateAccessKey answered without a key');
      return { accessKeyId: AccessKeyId, secretAccessKey: SecretAccessKey };
    },
    putSecureString: async (Name, Value) => {
      await ssm.send(new PutParameterCommand({ Name, Value, Type: 'SecureString', Overwrite: true }));
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => new Date(),
  };
}
