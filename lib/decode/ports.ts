// What decoding an authorization failure message needs: STS's decoder (credvend's own role) and a
// way to ask the issuance ledger whether a principal was issued to a partner.
import type { Caller } from '../identity/authenticate';
import type { PartnerDirectory, RateLimiter } from '../vend/ports';

export interface AuthorizationMessageDecoder {
  /** The decoded JSON text; undefined when STS says the message is not one it can decode. */
  decode(encodedMessage: string): Promise<string | undefined>;
}

export interface IssuedPrincipals {
  /**
   * Whether the ledger holds an issuance to this tenant's partner, issued at or after `since`, whose
   * principal is `principalArn`. Looks at no more than `maxRecords` of the partner's newest issuances.
   */
  issuedTo(tenantId: string, partnerId: string, principalArn: string, since: string, maxRecords: number): Promise<boolean>;
}

export interface DecodeDeps {
  directory: PartnerDirectory;
  decoder: AuthorizationMessageDecoder;
  issuances: IssuedPrincipals;
  rateLimiter?: RateLimiter;
  partnerRateCeilingPerMinute?: number;
  now: () => Date;
}

export type { Caller };
