// The small interfaces the admin domain works over. The DynamoDB adapters implement them;
// unit tests pass in-memory fakes.
import type {
  ApiKeyRecord,
  AuditReport,
  EntityStatus,
  IamStatement,
  IssuanceRecord,
  IssuanceStatus,
  Partner,
  RevocationEntity,
  RevocationRecord,
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

/** Revocation records (DynamoDB), one tenant's at a time. */
export interface RevocationStore {
  /** Creates it unless the tenant already has one with its idempotency key: then answers that one. */
  create(record: RevocationRecord): Promise<{ created: true } | { created: false; existing: RevocationRecord }>;
  get(tenantId: string, revocationId: string): Promise<RevocationRecord | undefined>;
  /** Newest first. */
  list(tenantId: string, page: PageRequest): Promise<Page<RevocationRecord>>;
  /** Replaces the record if it is still at `expectedVersion`; false when another writer got there first. */
  update(record: RevocationRecord, expectedVersion: number): Promise<boolean>;
}

/** Writing credvend's revocation inline policy on one entity. Failures throw RevocationWriteError. */
export interface RevocationPolicyWriter {
  /**
   * Puts the statements (by Sid) into the entity's revocation policy, merged with what is there, as
   * `tenantId`'s: on the federation user, shared by every tenant, and on a role bound to several tenants
   * (`shared`), within that tenant's share.
   */
  add(
    entity: RevocationEntity,
    statements: IamStatement[],
    tenantId: string,
    opts?: {
      /** A role bound to more than one tenant: shared out like the federation user. */
      shared?: boolean;
      /** When every credential the statements target has expired (a one-issuance statement: its expiresAt); pruned from then. */
      expiresAt?: string;
    },
  ): Promise<void>;
  /** Takes out the statements whose targets have all expired; touches IAM only when there are some. Answers how many. */
  prune(entity: RevocationEntity): Promise<number>;
  /** Puts credvend's copy again if IAM's policy differs from it (one Get otherwise); answers whether it rewrote. */
  verify(entity: RevocationEntity): Promise<boolean>;
}

/** One issuance of one tenant, by id (consistent read). */
export type IssuanceLookup = (tenantId: string, issuanceId: string) => Promise<IssuanceRecord | undefined>;

export interface RevocationDeps {
  store: RevocationStore;
  writer: RevocationPolicyWriter;
  issuance: IssuanceLookup;
  /** The federation IAM user's name, when federation is deployed. */
  federationUser?: string;
  newId: () => string;
}

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
  /** The tenant's revocations, newest first: issuance listings show what they revoked. */
  revocationList?: RevocationStore['list'];
  /** Revoking credentials already issued; absent where the function has no IAM grants for it. */
  revocations?: RevocationDeps;
}
