// What the issuance flow needs from the outside world; adapters in lib/store/ and lib/sts/ implement it.
import type { IssuanceRecord, Partner, Tenant, TenantPolicy } from '../core/model';
import type { AssumeRoleRequest, FederationRequest } from '../policy/sts-limits';

export interface PartnerContext {
  tenant?: Tenant;
  partner?: Partner;
  policy?: TenantPolicy;
}

export interface PartnerDirectory {
  /** Tenant, partner and policy in one round trip (the issuance path needs all three). */
  getPartnerContext(tenantId: string, partnerId: string): Promise<PartnerContext>;
}

export interface IssuanceLedger {
  /** Durably records an issuance; throws DependencyUnavailableError('audit_write_failed') otherwise. */
  record(record: IssuanceRecord): Promise<void>;
}

export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  principalArn: string;
  principalId: string;
  packedPolicySize: number;
}

export interface StsPort {
  getFederationToken(req: FederationRequest): Promise<IssuedCredentials>;
  assumeRole(req: AssumeRoleRequest): Promise<IssuedCredentials>;
}

export interface RateLimiter {
  /** Counts one issuance; throws RateLimitedError (429 + Retry-After) once `perMinute` is reached. */
  consume(tenantId: string, partnerId: string, perMinute: number): Promise<void>;
}

/** What an MFA check of one code came to (lib/mfa/devices.ts verifyCode decides it). */
export type MfaOutcome = 'verified' | 'invalid' | 'replayed' | 'not_enrolled' | 'unavailable';

export interface MfaVerifier {
  /**
   * Checks `code` against the partner's confirmed devices and, when it matches, records its time step
   * with a conditional write (of two requests with one code, one is 'verified', the other 'replayed').
   * Never throws: a failed read or write is 'unavailable'.
   */
  verify(tenantId: string, partnerId: string, code: string): Promise<MfaOutcome>;
}
