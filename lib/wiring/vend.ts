// Composition root for the issuance path, built once per cold start.
import { randomUUID } from 'node:crypto';
import { dynamoClient, requestHandler, stsClient } from '../aws/clients';
import { getDecryptedParameter } from '../aws/ssm-parameter';
import { config } from '../core/config';
import { invocation } from '../core/invocation';
import { reviveAppError } from '../core/revive-error';
import { DynamoIssuanceLedger } from '../store/issuance-ledger';
import { DynamoRateLimiter } from '../store/rate-limit-counter';
import { federationClientLoader } from '../sts/federation-client';
import { SdkSts } from '../sts/sdk-sts';
import type { IssueDeps } from '../vend/issue';
import type { MfaGate } from '../vend/ports';
import { directory } from './directory';

const sts = new SdkSts(
  stsClient,
  // The parameter is read with the function role's credentials and HTTP handler (the role client's).
  federationClientLoader(
    config.federationCredentialsParameter,
    (name) => getDecryptedParameter(stsClient.config, name),
    { maxAttempts: 3, requestHandler },
    // Rotated keys reach warm containers within the cache TTL, like revocations.
    { maxAgeMs: config.cacheTtlSeconds * 1000 },
  ),
);

/**
 * The MFA gate, imported only when the tenant policy requires MFA or a request sends a code (issue 19):
 * a module of its own in the package (scripts/esbuild-plugins.cjs), so other cold starts stay as small as before.
 */
const mfa: MfaGate = {
  check: (...args) =>
    import('./mfa')
      .then((m) => m.checkMfaLazily(...args, invocation.get()))
      .catch((err: unknown) => {
        throw reviveAppError(err);
      }),
};

export const issueDeps: IssueDeps = {
  directory,
  ledger: new DynamoIssuanceLedger(dynamoClient, config.issuanceTable, config.issuanceRetentionDays),
  sts,
  now: () => new Date(),
  newId: randomUUID,
  rateLimiter: new DynamoRateLimiter(dynamoClient, config.mainTable),
  partnerRateCeilingPerMinute: config.partnerRateCeilingPerMinute,
  mfa,
};
