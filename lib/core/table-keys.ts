// The DynamoDB key layout, in one place: every adapter builds keys here, and the expiry audit checks
// stored records against it.
import { createHash } from 'node:crypto';
import type { ApiKeyRecord, IssuanceRecord } from './model';

/**
 * Write shards of the issuance table. DynamoDB serves at most 1,000 write units per second per
 * partition key, and a time-ordered sort key cannot be split for heat, so every partition key an
 * issuance writes ends in a shard, `#00`..`#63`, taken from its id (issuanceShardOf). The target:
 * 10,000 issuances/s service-wide, one tenant at 5,000/s, one partner at 2,000/s. Each record is
 * written when issued and once more when the audit marks it expired. A record with ids of 16
 * characters is just over 1 KB (2 units a write; `npm run capacity` measures it), one with 32-character
 * ids, a long user agent and a scope 2–3 KB; index entries hold less and cost 1:
 *   table      TENANT#<t>#ss      5,000/s × (put 2 + expiry update 2) / 64 = 313 WCU/s (3 KB: 469)
 *   byStatus   <t>#active#ss      5,000/s × (put 1 + delete on expiry 1) / 64 = 157
 *   byExpiry   <hour>#ss         10,000/s × (put 1 + expiry update 1) / 64 = 313 (every tenant)
 *   byPartner  <t>#<p>#ss         2,000/s × put 1 / 64 = 32 (keys only: the expiry leaves it alone)
 * Shards fill unevenly (a hash of random ids): the busiest about a third over the mean at these rates. Reads cover
 * every shard, and the unsharded key too (records written before sharding).
 */
export const ISSUANCE_SHARDS = 64;

/**
 * Shards of a partner's rate window item (main table). At 2,000 issuances/s on one partner, one
 * counter takes 2,000 updates/s; eight take 250 each (lib/store/rate-limit-counter.ts splits the
 * limit between them).
 */
export const RATE_SHARDS = 8;

/** Deterministic: the same id always lands on the same shard, whoever computes it. */
export function issuanceShardOf(issuanceId: string): string {
  const n = createHash('sha256').update(issuanceId, 'utf8').digest().readUInt32BE(0) % ISSUANCE_SHARDS;
  return String(n).padStart(2, '0');
}

const SHARD_LABELS = Array.from({ length: ISSUANCE_SHARDS }, (_, i) => String(i).padStart(2, '0'));

/** Written before sharding: keys without a shard. Still read (dual read) until their TTL removes them. */
export type IssuanceLayout = 'sharded' | 'legacy';

const sharded = (base: string, issuanceId: string, layout: IssuanceLayout) =>
  layout === 'legacy' ? base : `${base}#${issuanceShardOf(issuanceId)}`;

/** Every partition key a read of `base` covers: one per shard, then the unsharded (legacy) key. */
export function partitionsOf(base: string): string[] {
  return [...SHARD_LABELS.map((shard) => `${base}#${shard}`), base];
}

/** Partition keys of the issuance table and its indexes, before the shard suffix. */
export const issuancePartitionBase = {
  table: (tenantId: string) => `TENANT#${tenantId}`,
  partner: (tenantId: string, partnerId: string) => `${tenantId}#${partnerId}`,
  status: (tenantId: string, status: string) => `${tenantId}#${status}`,
  /** Issuance expiries are bucketed by UTC hour: the audit queries only the buckets its window touches. */
  expiry: (expiresAtIso: string) => expiresAtIso.slice(0, 13),
};

/**
 * The tenant and layout a stored issuance's pk says: `TENANT#<t>#<ss>` (sharded) or `TENANT#<t>`
 * (legacy). Ids never contain `#`. Undefined for anything else.
 */
export function parseIssuancePk(pk: string): { tenantId: string; layout: IssuanceLayout; shard?: string } | undefined {
  const [prefix, tenantId, shard, ...rest] = pk.split('#');
  if (prefix !== 'TENANT' || !tenantId || rest.length > 0) return undefined;
  if (shard === undefined) return { tenantId, layout: 'legacy' };
  return SHARD_LABELS.includes(shard) ? { tenantId, layout: 'sharded', shard } : undefined;
}

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
  /** A partner's workload identities sit under their tenant: one Query (prefix) loads a tenant's, or a partner's. */
  workloadIdentity: (tenantId: string, partnerId: string, identityId: string) => ({
    pk: `TENANT#${tenantId}`,
    sk: `WID#${partnerId}#${identityId}`,
  }),
  workloadIdentityPrefix: (partnerId?: string) => (partnerId ? `WID#${partnerId}#` : 'WID#'),
  apiKey: (keyId: string) => ({ pk: `KEY#${keyId}`, sk: 'KEY' }),
  /** gsi1: a tenant's admin keys, or one partner's keys, newest last. */
  keyOwner: (record: Pick<ApiKeyRecord, 'kind' | 'tenantId' | 'partnerId' | 'createdAt' | 'keyId'>) => ({
    gsi1pk: keyOwnerPk(record),
    gsi1sk: `${record.createdAt}#${record.keyId}`,
  }),
  /** One of the RATE_SHARDS counters of a partner's window (`shard` in 0..RATE_SHARDS-1). */
  rateWindow: (tenantId: string, partnerId: string, windowStart: number, shard: number) => ({
    pk: `RATE#${tenantId}#${partnerId}#${shard}`,
    sk: `W#${windowStart}`,
  }),
  /** A tenant's revocation; ids are time-ordered, so a reverse query lists newest first. */
  revocation: (tenantId: string, revocationId: string) => ({ pk: `TENANT#${tenantId}`, sk: `REVOCATION#${revocationId}` }),
  revocationPrefix: 'REVOCATION#',
  /** The revocation an idempotency key already made, per tenant. */
  revocationKey: (tenantId: string, idempotencyKey: string) => ({ pk: `TENANT#${tenantId}`, sk: `REVOCATION-KEY#${idempotencyKey}` }),
  /** credvend's versioned copy of one role's / user's revocation policy (lib/admin/revocation-writer.ts). */
  revocationPolicy: (entityKey: string) => ({ pk: `REVPOLICY#${entityKey}`, sk: 'REVPOLICY' }),
  auditCheckpoint: () => ({ pk: 'AUDIT', sk: 'CHECKPOINT' }),
  auditReport: (tenantId: string, windowEnd: string, runId: string) => ({
    pk: `TENANT#${tenantId}`,
    sk: `REPORT#${windowEnd}#${runId}`,
  }),
  auditReportPrefix: 'REPORT#',
  issuance: (tenantId: string, issuedAt: string, issuanceId: string, layout: IssuanceLayout = 'sharded') => ({
    pk: sharded(issuancePartitionBase.table(tenantId), issuanceId, layout),
    sk: `${issuedAt}#${issuanceId}`,
  }),
  issuanceIndexes: (
    r: Pick<IssuanceRecord, 'tenantId' | 'partnerId' | 'status' | 'expiresAt' | 'issuanceId'>,
    layout: IssuanceLayout = 'sharded',
  ) => ({
    partnerKey: sharded(issuancePartitionBase.partner(r.tenantId, r.partnerId), r.issuanceId, layout),
    statusKey: sharded(issuancePartitionBase.status(r.tenantId, r.status), r.issuanceId, layout),
    expiryBucket: sharded(issuancePartitionBase.expiry(r.expiresAt), r.issuanceId, layout),
    expirySk: `${r.expiresAt}#${r.issuanceId}`,
  }),
};

export function keyOwnerPk(r: Pick<ApiKeyRecord, 'kind' | 'tenantId' | 'partnerId'>): string {
  if (r.kind === 'partner') return `TENANT#${r.tenantId}#PARTNER#${r.partnerId}`;
  if (r.kind === 'admin') return `TENANT#${r.tenantId}#ADMINS`;
  return 'OPERATORS';
}

/** The UTC hour of an expiry: the audit reads the byExpiry partitions (partitionsOf) of each hour its window touches. */
export const expiryBucketOf = issuancePartitionBase.expiry;

/**
 * A partner's TOTP devices (lib/mfa), under its tenant: `MFA#<partner>#<device>`. Ids never contain `#`,
 * so one partner's prefix never covers another's devices. Apart from tableKeys so the vend handler
 * module, which never touches devices (its lazily loaded MFA module does), does not carry it.
 */
export const mfaDeviceKeys = {
  device: (tenantId: string, partnerId: string, deviceId: string) => ({ pk: `TENANT#${tenantId}`, sk: `MFA#${partnerId}#${deviceId}` }),
  partnerPrefix: (partnerId: string) => `MFA#${partnerId}#`,
};
