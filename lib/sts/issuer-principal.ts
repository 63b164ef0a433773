// The principal tenant roles must trust: the identity credvend's function runs as. Taken from
// ISSUER_PRINCIPAL_ARN when set, else asked of STS once per cold start (GetCallerIdentity needs no
// permission): a Lambda's assumed-role session names its role, an IAM user (the local stack) itself.
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { DependencyUnavailableError } from '../core/errors';

const ASSUMED_ROLE = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/;

/** arn:aws:sts::<acct>:assumed-role/<role>/<session> -> arn:aws:iam::<acct>:role/<role>; other ARNs as they are. */
export function principalOfCaller(callerArn: string): string {
  const m = ASSUMED_ROLE.exec(callerArn);
  return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : callerArn;
}

export function issuerPrincipalLoader(sts: STSClient, configured: string | undefined): () => Promise<string> {
  let found: Promise<string> | undefined = configured ? Promise.resolve(configured) : undefined;
  return () => {
    found ??= sts
      .send(new GetCallerIdentityCommand({}))
      .then((out) => principalOfCaller(out.Arn ?? ''))
      .catch((err: unknown) => {
        found = undefined;
        throw new DependencyUnavailableError('sts_unavailable', 'STS is unavailable; retry later', { cause: err, retryAfterSeconds: 1 });
      });
    return found;
  };
}
