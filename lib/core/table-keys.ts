// The DynamoDB key layout, in one place: every adapter builds keys here, and the expiry audit checks
// stored records against it.
import type { ApiKeyRecord, IssuanceRecord } from './model';

/** DynamoDB key layout (main table: pk/sk + gsi1; issuance table: pk/sk + byPartner/byStatus/byExpiry). */
export const tableKeys = {
  tenant: (tenantId: string) => ({ pk: `TENANT#${tenantId}`, sk: 'TENANT' }),
  tenantList: (tenantId: string) => ({ gsi1pk: 'TENANTS', gsi1sk: tenantId }),
  policy: (tenantId: string) => ({ pk: `TENANT#${tenantId}`, sk: 'POLICY' }),
  policyVersion: (tenantId: string, version: number) => ({
    pk: `TENANT#${tenantId}`,
    sk: `POLICY#V#${String(version).padStart(10, '0')}`,
  }),
  policyVersionPrefix: 'POLICY#V#',
  partner: (tenantId: string, partnerId: string) => ({ pk: `TENANT#${tenantId}`, sk: `PARTNER#${partnerId}` }),
  partnerPrefix: 'PARTNER#',
  apiKey: (keyId: string) => ({ pk: `KEY#${keyId}`, sk: 'KEY' }),
  /** gsi1: a tenant's admin keys, or one partner's keys, newest last. */
  keyOwner: (record: Pick<ApiKeyRecord, 'kind' | 'tenantId' | 'partnerId' | 'createdAt' | 'keyId'>) => ({
    gsi1pk: keyOwnerPk(record),
    gsi1sk: `${record.createdAt}#${record.keyId}`,
  }),
  rateWindow: (tenantId: string, partnerId: string, windowStart: number) => ({
    pk: `RATE#${tenantId}#${partnerId}`,
    sk: `W#${windowStart}`,
  }),
  auditCheckpoint: () => ({ pk: 'AUDIT', sk: 'CHECKPOINT' }),
  auditReport: (tenantId: string, windowEnd: string, runId: string) => ({
    pk: `TENANT#${tenantId}`,
    sk: `REPORT#${windowEnd}#${runId}`,
  }),
  auditReportPrefix: 'REPORT#',
  issuance: (tenantId: string, issuedAt: string, issuanceId: string) => ({
    pk: `TENANT#${tenantId}`,
    sk: `${issuedAt}#${issuanceId}`,
  }),
  issuanceIndexes: (r: Pick<IssuanceRecord, 'tenantId' | 'partnerId' | 'status' | 'expiresAt' | 'issuanceId'>) => ({
    partnerKey: `${r.tenantId}#${r.partnerId}`,
    statusKey: `${r.tenantId}#${r.status}`,
    expiryBucket: expiryBucketOf(r.expiresAt),
    expirySk: `${r.expiresAt}#${r.issuanceId}`,
  }),
};

export function keyOwnerPk(r: Pick<ApiKeyRecord, 'kind' | 'tenantId' | 'partnerId'>): string {
  if (r.kind === 'partner') return `TENANT#${r.tenantId}#PARTNER#${r.partnerId}`;
  if (r.kind === 'admin') return `TENANT#${r.tenantId}#ADMINS`;
  return 'OPERATORS';
}

/** Issuance expiries are bucketed by UTC hour: the audit queries only the buckets its window touches. */
export function expiryBucketOf(expiresAtIso: string): string {
  return expiresAtIso.slice(0, 13);
}
