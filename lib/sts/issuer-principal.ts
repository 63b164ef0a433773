// The principal tenant roles must trust: the role the issuing functions run as. Taken from
// ISSUER_PRINCIPAL_ARN when set, else derived from what STS says this function runs as (GetCallerIdentity
// needs no permission): in Lambda each function has its own role, so the admin function names the
// issuing role (ISSUER_ROLE_NAME) in its own account; an IAM user (the local stack) is itself.
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { DependencyUnavailableError } from '../core/errors';

const ASSUMED_ROLE = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/;

/**
 * arn:aws:sts::<acct>:assumed-role/<role>/<session> -> arn:aws:iam::<acct>:role/<issuerRoleName ?? role>;
 * other ARNs as they are.
 */
export function principalOfCaller(callerArn: string, issuerRoleName?: string): string {
  const m = ASSUMED_ROLE.exec(callerArn);
  return m ? `arn:${m[1]}:iam::${m[2]}:role/${issuerRoleName ?? m[3]}` : callerArn;
}

export function issuerPrincipalLoader(sts: STSClient, configured: string | undefined, issuerRoleName?: string): () => Promise<string> {
  let found: Promise<string> | undefined = configured ? Promise.resolve(configured) : undefined;
  return () => {
    found ??= sts
      .send(new GetCallerIdentityCommand({}))
      .then((out) => principalOfCaller(out.Arn ?? '', issuerRoleName))
      .catch((err: unknown) => {
        found = undefined;
        throw new DependencyUnavailableError('sts_unavailable', 'STS is unavailable; retry later', { cause: err, retryAfterSeconds: 1 });
      });
    return found;
  };
}
