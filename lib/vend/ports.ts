// What the issuance flow needs from the outside world; adapters in lib/store/ and lib/sts/ implement it.
import type { IssuanceRecord, Mode, ModeSettings, Partner, Tenant, TenantPolicy, TenantPolicyDocument } from '../core/model';
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

/**
 * A second factor asserted by the caller's authentication rather than by a code: for web-identity
 * partners (issue 17), a verified token whose `amr` claim includes "mfa" (mfaAssertionFromClaims).
 */
export interface MfaAssertion {
  source: 'claims';
}

/** What the MFA gate looks at (lib/vend/mfa-gate.ts checkMfa): the tenant policy for the mode in use. */
export interface MfaPolicy {
  policy: { document: TenantPolicyDocument };
  mode: Mode;
  settings: ModeSettings;
}

export interface MfaGate {
  /**
   * checkMfa in the lazily loaded MFA module: resolves whether the session is MFA-verified, or throws
   * its refusal (403 mfa_required, mfa_code_invalid, mfa_code_replayed, mfa_not_enrolled; 503
   * mfa_unavailable). A matching code's time step is taken with a conditional write: of two requests
   * with one code, one succeeds and the other is a replay.
   */
  check(
    resolved: MfaPolicy,
    tenantId: string,
    partnerId: string,
    request: { mfaCode?: string },
    ctx: { mfaAssertion?: MfaAssertion },
  ): Promise<boolean>;
}
