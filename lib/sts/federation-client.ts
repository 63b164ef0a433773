// GetFederationToken needs long-term IAM-user keys: they are read from SSM Parameter Store
// (SecureString, JSON {"accessKeyId","secretAccessKey"}) once per cold start, never logged.
import { STSClient } from '@aws-sdk/client-sts';
import { DependencyUnavailableError } from '../core/errors';

interface FederationKeys {
  accessKeyId: string;
  secretAccessKey: string;
}

function isFederationKeys(value: unknown): value is FederationKeys {
  const v = value as Partial<FederationKeys> | undefined;
  return typeof v?.accessKeyId === 'string' && typeof v.secretAccessKey === 'string';
}

/**
 * Returns a memoised loader; a failed load is forgotten so the next request tries again.
 * @param readParameter reads the decrypted SecureString (lib/aws/ssm-parameter.ts in the Lambda).
 */
export function federationClientLoader(
  parameterName: string | undefined,
  readParameter: (name: string) => Promise<string>,
  clientConfig: ConstructorParameters<typeof STSClient>[0] = {},
) {
  let pending: Promise<STSClient> | undefined;
  const load = async (): Promise<STSClient> => {
    if (!parameterName) {
      throw new DependencyUnavailableError('federation_not_configured', 'Federation mode is not configured for this deployment');
    }
    let raw: string;
    try {
      // Read once: the keys stay for the container's life; rotation reaches new containers.
      raw = await readParameter(parameterName);
    } catch (err) {
      throw new DependencyUnavailableError('federation_keys_unavailable', 'The federation signing keys could not be read', {
        cause: err,
        retryAfterSeconds: 1,
      });
    }
    let keys: unknown;
    try {
      keys = JSON.parse(raw);
    } catch {
      // No cause kept: JSON.parse messages quote the input, which is a secret here.
      keys = undefined;
    }
    if (!isFederationKeys(keys)) {
      throw new DependencyUnavailableError('federation_keys_invalid', 'The federation signing keys parameter is malformed');
    }
    return new STSClient({ ...clientConfig, credentials: { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey } });
  };
  return (): Promise<STSClient> => {
    pending ??= load().catch((err) => {
      pending = undefined;
      throw err;
    });
    return pending;
  };
}
