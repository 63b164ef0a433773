// GetFederationToken needs long-term IAM-user keys: they are read from SSM Parameter Store
// (SecureString, JSON {"accessKeyId","secretAccessKey"}) on the first federation request, again once
// they are older than the cache TTL, and again right after STS rejects them; never logged.
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

/** How long loaded keys are used before the parameter is read again, and the clock to tell. */
export interface FederationKeyRefresh {
  maxAgeMs: number;
  now?: () => number;
}

/** The federation client; `forget` drops it so the next call reads the keys again. */
export interface FederationClientLoader {
  (): Promise<STSClient>;
  /** STS rejected this client's keys (rotated or revoked): the next call reloads them, unless that happened already. */
  forget(client: STSClient): void;
}

/**
 * Returns a memoised loader. The keys are read again once they are `refresh.maxAgeMs` old (the
 * directory cache TTL in the Lambda), so a rotated key reaches warm containers within that time and
 * the old key can then be deleted (`npm run federation-user`); and at once when STS rejects them. A
 * failed first read is forgotten so the next request tries again; a failed re-read keeps the keys
 * already loaded (unless STS rejected them) until the next one.
 * @param readParameter reads the decrypted SecureString (lib/aws/ssm-parameter.ts in the Lambda).
 */
export function federationClientLoader(
  parameterName: string | undefined,
  readParameter: (name: string) => Promise<string>,
  clientConfig: ConstructorParameters<typeof STSClient>[0] = {},
  refresh: FederationKeyRefresh = { maxAgeMs: Number.POSITIVE_INFINITY },
): FederationClientLoader {
  const load = async (): Promise<FederationKeys> => {
    if (!parameterName) {
      throw new DependencyUnavailableError('federation_not_configured', 'Federation mode is not configured for this deployment');
    }
    let raw: string;
    try {
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
    return keys;
  };
  const now = refresh.now ?? Date.now;
  let current: { client: Promise<STSClient>; loadedAt: number } | undefined;
  let lastGood: { accessKeyId: string; client: STSClient } | undefined;
  const clientFor = (keys: FederationKeys): STSClient => {
    // Same key as before: keep its client (and its connections).
    if (lastGood?.accessKeyId !== keys.accessKeyId) {
      const credentials = { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey };
      lastGood = { accessKeyId: keys.accessKeyId, client: new STSClient({ ...clientConfig, credentials }) };
    }
    return lastGood.client;
  };
  const get = (): Promise<STSClient> => {
    const at = now();
    if (current && at - current.loadedAt < refresh.maxAgeMs) return current.client;
    const entry = {
      loadedAt: at,
      client: load().then(clientFor, (err: unknown) => {
        if (lastGood) return lastGood.client;
        if (current === entry) current = undefined;
        throw err;
      }),
    };
    current = entry;
    return entry.client;
  };
  // Concurrent requests that failed with the same client forget it once: a client loaded since stays.
  // The rejected keys are not kept as a fallback: a failed reload answers 503, not a doomed call.
  const forget = (client: STSClient): void => {
    if (lastGood?.client !== client) return;
    lastGood = undefined;
    current = undefined;
  };
  return Object.assign(get, { forget });
}
