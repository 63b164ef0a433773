// In-memory admin ports with the semantics of the DynamoDB adapters that matter to the domain:
// conditional creates, versioned policy and binding writes, owner-conditioned revocation.

import type { AdminDeps, DirectoryLookup, DirectoryWriter, IssuanceFilter, KeyOwner, Page, PageRequest } from '../../../lib/admin/ports';
import { AppError, ConflictError, NotFoundError } from '../../../lib/core/errors';
import type {
  ApiKeyRecord,
  AuditReport,
  EntityStatus,
  IssuanceRecord,
  Partner,
  Tenant,
  TenantBinding,
  TenantPolicy,
  TenantPolicyDocument,
  WorkloadIdentity,
} from '../../../lib/core/model';
import { keyOwnerPk } from '../../../lib/core/table-keys';
import type { Caller } from '../../../lib/identity/authenticate';
import { upgradeStoredPolicy } from '../../../lib/policy/legacy';
import { ROLE_NAME } from '../issuance-fakes';

function pageOf<T>(all: T[], page: PageRequest): Page<T> {
  const start = page.cursor ? Number(page.cursor) : 0;
  const items = all.slice(start, start + page.limit);
  const next = start + page.limit;
  return { items, nextCursor: next < all.length ? String(next) : undefined };
}

export class FakeAdminStore implements DirectoryWriter, DirectoryLookup {
  readonly tenants = new Map<string, Tenant & { updatedAt?: string }>();
  readonly partners = new Map<string, Partner & { updatedAt?: string }>();
  readonly policies = new Map<string, TenantPolicy & { updatedBy?: string }>();
  readonly versions: (TenantPolicy & { updatedBy?: string })[] = [];
  readonly keys = new Map<string, ApiKeyRecord>();
  readonly identities = new Map<string, WorkloadIdentity>();

  async createTenant(tenant: Tenant) {
    if (this.tenants.has(tenant.tenantId)) throw new ConflictError('tenant_exists', 'exists');
    this.tenants.set(tenant.tenantId, structuredClone(tenant));
  }
  async setTenantStatus(tenantId: string, status: EntityStatus, at: string) {
    const t = this.tenants.get(tenantId);
    if (!t) throw new NotFoundError('not_found', 'Tenant not found');
    Object.assign(t, { status, updatedAt: at });
  }
  /** As DynamoDirectoryAdmin.putBinding: written only if the stored binding is at expectedVersion (0: none yet). */
  async putBinding(tenantId: string, binding: TenantBinding, expectedVersion: number) {
    const t = this.tenants.get(tenantId);
    if (!t || (t.binding?.version ?? 0) !== expectedVersion) throw new ConflictError('version_conflict', 'stale');
    t.binding = structuredClone(binding);
  }
  async listTenants(page: PageRequest) {
    return pageOf([...this.tenants.values()], page);
  }
  async putPolicy(tenantId: string, document: TenantPolicyDocument, expectedVersion: number, at: string, updatedBy: string) {
    const current = this.policies.get(tenantId);
    if ((current?.version ?? 0) !== expectedVersion) throw new ConflictError('version_conflict', 'stale');
    const policy: TenantPolicy = { tenantId, version: expectedVersion + 1, document, updatedAt: at };
    this.policies.set(tenantId, { ...policy, updatedBy });
    this.versions.unshift({ ...policy, updatedBy });
    return policy;
  }
  async listPolicyVersions(tenantId: string, page: PageRequest) {
    return pageOf(this.versions.filter((v) => v.tenantId === tenantId).map(upgradeStoredPolicy), page);
  }
  async createPartner(partner: Partner) {
    const id = `${partner.tenantId}#${partner.partnerId}`;
    if (this.partners.has(id)) throw new ConflictError('partner_exists', 'exists');
    this.partners.set(id, { ...partner });
  }
  async setPartnerStatus(tenantId: string, partnerId: string, status: EntityStatus, at: string) {
    const p = this.partners.get(`${tenantId}#${partnerId}`);
    if (!p) throw new NotFoundError('not_found', 'Partner not found');
    Object.assign(p, { status, updatedAt: at });
  }
  async listPartners(tenantId: string, page: PageRequest) {
    return pageOf(
      [...this.partners.values()].filter((p) => p.tenantId === tenantId),
      page,
    );
  }
  async createKey(record: ApiKeyRecord) {
    this.keys.set(record.keyId, { ...record });
  }
  async revokeKey(keyId: string, owner: KeyOwner, at: string) {
    const key = this.keys.get(keyId);
    if (!key || keyOwnerPk(key) !== keyOwnerPk(owner)) throw new NotFoundError('not_found', 'Key not found');
    key.status = 'revoked';
    key.revokedAt ??= at;
  }
  async listKeys(owner: KeyOwner, page: PageRequest) {
    return pageOf(
      [...this.keys.values()].filter((k) => keyOwnerPk(k) === keyOwnerPk(owner)),
      page,
    );
  }

  /** As DynamoDirectoryAdmin: conditional on the version (0: absent). */
  async putWorkloadIdentity(identity: WorkloadIdentity, expectedVersion: number) {
    const id = `${identity.tenantId}#${identity.partnerId}#${identity.identityId}`;
    if ((this.identities.get(id)?.version ?? 0) !== expectedVersion) throw new ConflictError('version_conflict', 'stale');
    this.identities.set(id, structuredClone(identity));
  }
  async deleteWorkloadIdentity(tenantId: string, partnerId: string, identityId: string, expectedVersion: number) {
    const id = `${tenantId}#${partnerId}#${identityId}`;
    if (this.identities.get(id)?.version !== expectedVersion) throw new ConflictError('version_conflict', 'stale');
    this.identities.delete(id);
  }
  async listWorkloadIdentities(tenantId: string, partnerId: string | undefined, page: PageRequest) {
    return pageOf(
      [...this.identities.values()].filter((w) => w.tenantId === tenantId && (partnerId === undefined || w.partnerId === partnerId)),
      page,
    );
  }
  async getWorkloadIdentity(tenantId: string, partnerId: string, identityId: string) {
    return this.identities.get(`${tenantId}#${partnerId}#${identityId}`);
  }

  async getTenant(tenantId: string) {
    return this.tenants.get(tenantId);
  }
  async getPartner(tenantId: string, partnerId: string) {
    return this.partners.get(`${tenantId}#${partnerId}`);
  }
  /** As DynamoDirectory.getPolicy: a document stored before bindings is read in today's shape. */
  async getPolicy(tenantId: string) {
    return upgradeStoredPolicy(this.policies.get(tenantId));
  }
  async getKey(keyId: string) {
    return this.keys.get(keyId);
  }
}

export const NOW = new Date('2026-05-06T07:08:09.000Z');

/** What bound roles must match in these tests, and the principal their trust policies name. */
export const ROLE_PATTERN = 'arn:aws:iam::123456789012:role/credvend/*';
export const ISSUER_PRINCIPAL = 'arn:aws:iam::123456789012:role/credvend-issuer';

export interface FakeAdmin {
  deps: AdminDeps;
  store: FakeAdminStore;
  issuanceQueries: { tenantId: string; filter: IssuanceFilter; page: PageRequest }[];
  revocations: number;
  /** How often deps.trust.issuerPrincipal was asked. */
  principalLookups: number;
}

export function fakeAdmin(opts: { issuances?: IssuanceRecord[]; reports?: AuditReport[] } = {}): FakeAdmin {
  const store = new FakeAdminStore();
  const fake: FakeAdmin = {
    store,
    issuanceQueries: [],
    revocations: 0,
    principalLookups: 0,
    deps: {
      store,
      lookup: store,
      issuances: {
        query: async (tenantId, filter, page) => {
          fake.issuanceQueries.push({ tenantId, filter, page });
          return pageOf(
            (opts.issuances ?? []).filter((i) => i.tenantId === tenantId),
            page,
          );
        },
      },
      auditReports: async (tenantId, page) =>
        pageOf(
          (opts.reports ?? []).filter((r) => r.tenantId === tenantId),
          page,
        ),
      now: () => NOW,
      trust: {
        rolePattern: ROLE_PATTERN,
        issuerPrincipal: async () => {
          fake.principalLookups++;
          return ISSUER_PRINCIPAL;
        },
      },
      onRevocation: () => {
        fake.revocations++;
      },
    },
  };
  return fake;
}

export const operator: Caller = { kind: 'operator', keyId: 'ok-aaaaaaaaaaaaaaaa' };
export const adminOf = (tenantId: string): Caller => ({ kind: 'admin', keyId: 'ak-aaaaaaaaaaaaaaaa', tenantId });
export const partnerOf = (tenantId: string, partnerId: string): Caller => ({
  kind: 'partner',
  keyId: 'pk-aaaaaaaaaaaaaaaa',
  tenantId,
  partnerId,
});

/**
 * A binding at version 1, as an operator would have set it, that the shared policyDocument() fits: its
 * role (7200 s), federation within the tenant's prefix of acme-data. External ID unique per tenant.
 */
export function seededBinding(tenantId: string): TenantBinding {
  return {
    version: 1,
    externalId: `cv-${tenantId
      .replace(/[^a-z]/g, '')
      .padEnd(32, 'q')
      .slice(0, 32)}`,
    roles: { [ROLE_NAME]: { roleArn: `arn:aws:iam::123456789012:role/credvend/${tenantId}`, maxSessionDuration: 7200 } },
    federation: { resourceBoundary: ['arn:aws:s3:::acme-data', `arn:aws:s3:::acme-data/${tenantId}/*`] },
    updatedAt: '2026-01-01T00:00:00.000Z',
    updatedBy: 'ok-aaaaaaaaaaaaaaaa',
  };
}

/** A tenant (with a binding) and one partner, straight into the store. */
export async function seedTenant(store: FakeAdminStore, tenantId = 'acme', partnerId = 'partner-one') {
  const createdAt = '2026-01-01T00:00:00.000Z';
  await store.createTenant({ tenantId, name: tenantId, status: 'enabled', createdAt, binding: seededBinding(tenantId) });
  await store.createPartner({ tenantId, partnerId, name: partnerId, status: 'enabled', createdAt });
}

/** The status and code a domain call was refused with; fails the test if it was not refused. */
export async function refusal(promise: Promise<unknown>): Promise<{ status: number; code: string }> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof AppError) return { status: err.statusCode, code: err.code };
    throw err;
  }
  throw new Error('expected a refusal');
}
