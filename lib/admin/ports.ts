// The small interfaces the admin domain works over. The DynamoDB adapters implement them;
// unit tests pass in-memory fakes.
import type {
  ApiKeyRecord,
  AuditReport,
  EntityStatus,
  IssuanceRecord,
  IssuanceStatus,
  Partner,
  Tenant,
  TenantBinding,
  TenantPolicy,
  TenantPolicyDocument,
  WorkloadIdentity,
} from '../core/model';
import type { Page, PageRequest } from '../core/page';
import type { IssuerRules } from '../identity/oidc-rules';
import type { MfaDeps } from '../mfa/devices';

export type { Page, PageRequest };

export type KeyOwner = Pick<ApiKeyRecord, 'kind' | 'tenantId' | 'partnerId'>;

/** Directory writes and lists (DynamoDirectoryAdmin). */
export interface DirectoryWriter {
  createTenant(tenant: Tenant): Promise<void>;
  setTenantStatus(tenantId: string, status: EntityStatus, at: string): Promise<void>;
  /** Writes the binding if it is still at `expectedVersion` (0: the tenant has none); 409 otherwise. */
  putBinding(tenantId: string, binding: TenantBinding, expectedVersion: number): Promise<void>;
  listTenants(page: PageRequest): Promise<Page<Tenant>>;
  putPolicy(
    tenantId: string,
    document: TenantPolicyDocument,
    expectedVersion: number,
    at: string,
    updatedBy: string,
  ): Promise<TenantPolicy>;
  listPolicyVersions(tenantId: string, page: PageRequest): Promise<Page<TenantPolicy>>;
  createPartner(partner: Partner): Promise<void>;
  setPartnerStatus(tenantId: string, partnerId: string, status: EntityStatus, at: string): Promise<void>;
  listPartners(tenantId: string, page: PageRequest): Promise<Page<Partner>>;
  createKey(record: ApiKeyRecord): Promise<void>;
  revokeKey(keyId: string, owner: KeyOwner, at: string): Promise<void>;
  listKeys(owner: KeyOwner, page: PageRequest): Promise<Page<ApiKeyRecord>>;
  /** Writes the identity if it is still at `expectedVersion` (0: it does not exist yet); 409 otherwise. */
  putWorkloadIdentity(identity: WorkloadIdentity, expectedVersion: number): Promise<void>;
  /** Deletes it if it is at `expectedVersion`; 409 when stale, 404 when absent. */
  deleteWorkloadIdentity(tenantId: string, partnerId: string, identityId: string, expectedVersion: number): Promise<void>;
  /** One partner's identities, or (no partnerId) the tenant's. */
  listWorkloadIdentities(tenantId: string, partnerId: string | undefined, page: PageRequest): Promise<Page<WorkloadIdentity>>;
}

/** Consistent single-item reads: admin decisions must not be made on cached data. */
export interface DirectoryLookup {
  getTenant(tenantId: string): Promise<Tenant | undefined>;
  getPartner(tenantId: string, partnerId: string): Promise<Partner | undefined>;
  getPolicy(tenantId: string): Promise<TenantPolicy | undefined>;
  getKey(keyId: string): Promise<ApiKeyRecord | undefined>;
  getWorkloadIdentity(tenantId: string, partnerId: string, identityId: string): Promise<WorkloadIdentity | undefined>;
}

export interface IssuanceFilter {
  /** Inclusive lower bound on issuedAt (ISO-8601, normalised to toISOString()). */
  from?: string;
  /** Exclusive upper bound on issuedAt. */
  to?: string;
  partnerId?: string;
  status?: IssuanceStatus;
}

export interface IssuanceQueries {
  /** Newest first. */
  query(tenantId: string, filter: IssuanceFilter, page: PageRequest): Promise<Page<IssuanceRecord>>;
}

export type AuditReportLister = (tenantId: string, page: PageRequest) => Promise<Page<AuditReport>>;

export interface AdminDeps {
  store: DirectoryWriter;
  lookup: DirectoryLookup;
  issuances: IssuanceQueries;
  auditReports: AuditReportLister;
  now: () => Date;
  /** What bound roles must match, and the principal their trust policies name. */
  trust: { rolePattern: string; issuerPrincipal: () => Promise<string> };
  /** Issuer rules beyond https (the local stack's loopback issuer). */
  oidc?: IssuerRules;
  /** Called after a key is revoked or an entity disabled: drops this container's cached directory. */
  onRevocation?: () => void;
  /** Partners' TOTP devices (issue 19); absent: the MFA routes answer 503 mfa_unavailable. */
  mfa?: MfaDeps;
}
