// What the expiry audit needs from DynamoDB (lib/store/audit-store.ts implements it).
import type { ApiKeyRecord, Partner, RevocationRecord, Tenant, TenantPolicy } from '../core/model';
import type { StoredItem } from './checks';
import type { LiveCounter } from './live-counts';
import type { TenantAuditReport } from './report';

/** A run that is (or was) working on a window; stored on the checkpoint item. */
export interface PendingRun {
  windowStart: string;
  windowEnd: string;
  runId: string;
  owner: string;
  leaseUntil: string;
}

export interface CheckpointState {
  /** Everything expiring or issued before this instant has been audited. */
  through?: string;
  pending?: PendingRun;
  /** Incremented on every write; 0 when the item does not exist yet. */
  version: number;
}

/** Items read, counted at the DynamoDB adapter from what DynamoDB returned (ScannedCount / items). */
export interface AuditReads {
  /**
   * Issuance items read for the window: through byExpiry (expiring in it) and the table's key
   * (issued in it). The budget is about this figure against the run's `windowItems`.
   */
  windowItems: number;
  /** Issuance items read to recount a live counter that was missing or out of step (issued before the window). */
  recountItems: number;
  /** Issuance items read through byPartner / byStatus to list live credentials of disabled entities. */
  liveLookupItems: number;
  /** Main-table items: tenants, policies, partners, keys, live counters, checkpoint. */
  directoryItems: number;
  /** The same, per table or `table/index` (recount reads marked as such). */
  byTarget: Record<string, number>;
}

/** The audit's view of DynamoDB (lib/store/audit-store.ts implements it). */
export interface AuditStore {
  readCheckpoint(): Promise<CheckpointState>;
  /** Writes the checkpoint item if it is still at `expectedVersion`; false when another run got there first. */
  saveCheckpoint(state: { through?: string; pending?: PendingRun }, expectedVersion: number): Promise<boolean>;
  /** Pages of issuance items in `bucket` with start <= expiresAt < end. */
  expiringItems(bucket: string, start: string, end: string): AsyncIterable<StoredItem[]>;
  /** active -> expired (+ statusKey, + ttl if missing); false when the item was not active any more. */
  markExpired(key: { pk: string; sk: string }, statusKey: string, ttlIfMissing: number): Promise<boolean>;
  /** Pages of the tenant's issuance items with start <= issuedAt < end (the window). */
  issuedItems(tenantId: string, start: string, end: string): AsyncIterable<StoredItem[]>;
  /** The same for a recount's look back before the window; its reads are counted apart. */
  recountItems(tenantId: string, from: string, to: string): AsyncIterable<StoredItem[]>;
  readLiveCounter(tenantId: string): Promise<LiveCounter | undefined>;
  /** Writes the counter if its `auditedThrough` is still `expectedThrough` (undefined: no counter yet); false otherwise. */
  saveLiveCounter(tenantId: string, counter: LiveCounter, expectedThrough: string | undefined): Promise<boolean>;
  listTenants(): Promise<Tenant[]>;
  getPolicy(tenantId: string): Promise<TenantPolicy | undefined>;
  listPartners(tenantId: string): Promise<Partner[]>;
  listPartnerKeys(tenantId: string, partnerId: string): Promise<ApiKeyRecord[]>;
  /** The tenant's newest revocations (issue #16); absent: revocations are not audited. */
  listRevocations?(tenantId: string): Promise<RevocationRecord[]>;
  /** The tenant's records still marked active, issued at or after `issuedSince` (byStatus). */
  activeIssuedSince(tenantId: string, issuedSince: string): Promise<StoredItem[]>;
  /** The partner's records issued at or after `issuedSince` (byPartner). */
  partnerIssuedSince(tenantId: string, partnerId: string, issuedSince: string): Promise<StoredItem[]>;
  /** Stores a report unless one with the same key exists; false when it did. */
  putReport(report: TenantAuditReport): Promise<boolean>;
  reads(): AuditReads;
}
