// The MFA capability's adapters (issue 19): devices in the main table, seeds sealed with the key read
// from the SSM SecureString MFA_SEED_KEY_PARAMETER (one signed GetParameter, lib/aws/ssm-parameter.ts,
// with the function role's credentials), read on first use and kept for the container's life.
// A failed read is not kept: the next request reads again. The admin API builds the full device
// store over it (adminMfaDeps, for handlers/admin.ts), the issuance path's lazy module only the code store.
import { dynamoClient, stsClient } from '../aws/clients';
import { getDecryptedParameter } from '../aws/ssm-parameter';
import { config, mfaSeedKeyParameter } from '../core/config';
import { DependencyUnavailableError } from '../core/errors';
import type { MfaDeps } from '../mfa/devices';
import { AesGcmSeedCipher, parseSeedKey } from '../mfa/seed-cipher';
import { DynamoMfaDevices } from '../store/mfa-devices';

let key: Promise<Uint8Array> | undefined;

function seedKey(): Promise<Uint8Array> {
  const parameter = mfaSeedKeyParameter();
  if (!parameter) return Promise.reject(new DependencyUnavailableError('mfa_unavailable', 'MFA is not configured on this stage'));
  key ??= getDecryptedParameter(stsClient.config, parameter)
    .then(parseSeedKey)
    .catch((err: unknown) => {
      key = undefined;
      // The cause is the SSM error type and status (or the key's wrong length), never the value.
      throw new DependencyUnavailableError('mfa_unavailable', 'MFA codes cannot be checked right now', {
        cause: err,
        retryAfterSeconds: 1,
      });
    });
  return key;
}

export const seedCipher = new AesGcmSeedCipher(seedKey);

/**
 * The admin API's MFA deps (handlers/admin.ts adds them to adminDeps): apart from adminDeps so the
 * revocations function, which reuses adminDeps, neither bundles nor needs grants for them.
 */
export function adminMfaDeps(): MfaDeps {
  return { store: new DynamoMfaDevices(dynamoClient, config.mainTable), cipher: seedCipher, now: () => new Date() };
}
