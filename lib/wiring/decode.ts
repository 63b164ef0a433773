// Composition root for POST /v1/authorization-messages/decode, built once per cold start. Its own
// function and role: the only one granted sts:DecodeAuthorizationMessage, and none of it in the vend bundle.
import { dynamoClient, stsClient } from '../aws/clients';
import { documentClient } from '../aws/document-client';
import { config } from '../core/config';
import type { DecodeDeps } from '../decode/ports';
import { DynamoIssuanceQueries } from '../store/issuance-queries';
import { LedgerIssuedPrincipals } from '../store/issued-principals';
import { DynamoRateLimiter } from '../store/rate-limit-counter';
import { SdkAuthorizationMessageDecoder } from '../sts/authorization-message-decoder';
import { directory } from './directory';

export const decodeDeps: DecodeDeps = {
  directory,
  decoder: new SdkAuthorizationMessageDecoder(stsClient),
  issuances: new LedgerIssuedPrincipals(new DynamoIssuanceQueries(documentClient, config.issuanceTable)),
  rateLimiter: new DynamoRateLimiter(dynamoClient, config.mainTable),
  partnerRateCeilingPerMinute: config.partnerRateCeilingPerMinute,
  now: () => new Date(),
};
