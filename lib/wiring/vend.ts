// Composition root for the issuance path, built once per cold start.
import { randomUUID } from 'node:crypto';
import { dynamoClient, requestHandler, stsClient } from '../aws/clients';
import { getDecryptedParameter } from '../aws/ssm-parameter';
import { config } from '../core/config';
import { DynamoIssuanceLedger } from '../store/issuance-ledger';
import { DynamoRateLimiter } from '../store/rate-limit-counter';
import { federationClientLoader } from '../sts/federation-client';
import { SdkSts } from '../sts/sdk-sts';
import type { IssueDeps } from '../vend/issue';
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

export const issueDeps: IssueDeps = {
  directory,
  ledger: new DynamoIssuanceLedger(dynamoClient, config.issuanceTable, config.issuanceRetentionDays),
  sts,
  now: () => new Date(),
  newId: randomUUID,
  rateLimiter: new DynamoRateLimiter(dynamoClient, config.mainTable),
  partnerRateCeilingPerMinute: config.partnerRateCeilingPerMinute,
};
