// GetFederationToken needs long-term IAM-user keys: they are read from SSM Parameter Store
// (SecureString, JSON {"accessKeyId","secretAccessKey"}) once per cold start and again after STS rejects them, never logged.
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

/** The federation client, loaded once and kept; `forget` drops it so the next call reads the keys again. */
export interface FederationClientLoader {
  (): Promise<STSClient>;
  /** STS rejected this client's keys (rotated or revoked): the next call reloads them, unless that happened already. */
  forget(client: STSClient): void;
}

/**
 * Returns a memoised loader; a failed load is forgotten so the next request tries again, and so is a
 * client whose keys STS rejected, so keys rotated in SSM are picked up without a cold start.
 * @param readParameter reads the decrypted SecureString (lib/aws/ssm-parameter.ts in the Lambda).
 */
export function federationClientLoader(
  parameterName: string | undefined,
  readParameter: (name: string) => Promise<string>,
  clientConfig: ConstructorParameters<typeof STSClient>[0] = {},
): FederationClientLoader {
  let pending: Promise<STSClient> | undefined;
  let loaded: STSClient | undefined;
  const load = async (): Promise<STSClient> => {
    if (!parameterName) {
      throw new DependencyUnavailableError('federation_not_configured', 'Federation mode is not configured for this deployment');
    }
    let raw: string;
    try {
      // Read once: the keys stay until STS rejects them (forget), then the next request reads them again.
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
    loaded = new STSClient({ ...clientConfig, credentials: { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey } });
    return loaded;
  };
  const get = (): Promise<STSClient> => {
    pending ??= load().catch((err) => {
      pending = undefined;
      throw err;
    });
    return pending;
  };
  // Concurrent requests that failed with the same client forget it once: a client loaded since stays.
  const forget = (client: STSClient): void => {
    if (client !== loaded) return;
    loaded = undefined;
    pending = undefined;
  };
  return Object.assign(get, { forget });
}
