// An AuditStore over plain arrays with DynamoDB's key semantics (string BETWEEN on sort keys,
// conditional writes), for unit tests of whole runs. test/integration/audit holds the real adapter
// to the same behaviour against dynalite.

import type { StoredItem } from '../../../lib/audit/checks';
import type { LiveCounter } from '../../../lib/audit/live-counts';
import type { AuditReads, AuditStore, CheckpointState, PendingRun } from '../../../lib/audit/ports';
import type { TenantAuditReport } from '../../../lib/audit/report';
import type { IssuanceRecord, Tenant } from '../../../lib/core/model';
import { issuancePartitionBase, partitionsOf } from '../../../lib/core/table-keys';
import { issuanceItem } from '../../../lib/store/issuance-ledger';

const PAGE = 7;

function* pagesOf(items: StoredItem[]): Generator<StoredItem[]> {
  for (let i = 0; i < items.length; i += PAGE) yield items.slice(i, i + PAGE).map((item) => ({ ...item }));
  if (items.length === 0) yield [];
}

const byKey = (name: string) => (a: StoredItem, b: StoredItem) => (String(a[name]) < String(b[name]) ? -1 : 1);

export class MemoryAuditStore implements AuditStore {
  readonly items: StoredItem[];
  checkpoint: CheckpointState = { version: 0 };
  readonly counters = new Map<string, LiveCounter>();
  readonly reports = new Map<string, TenantAuditReport>();
  private readonly counted = { window: 0, recount: 0 };

  constructor(
    records: IssuanceRecord[],
    private readonly tenants: Tenant[],
  ) {
    // Every other record as written before sharding: runs must treat both layouts alike.
    this.items = records.map((r, i) => issuanceItem(r, 400, i % 2 ? 'legacy' : 'sharded'));
  }

  async readCheckpoint(): Promise<CheckpointState> {
    return structuredClone(this.checkpoint);
  }

  async saveCheckpoint(state: { through?: string; pending?: PendingRun }, expectedVersion: number): Promise<boolean> {
    if (this.checkpoint.version !== expectedVersion) return false;
    this.checkpoint = { ...structuredClone(state), version: expectedVersion + 1 };
    return true;
  }

  async *expiringItems(bucket: string, start: string, end: string): AsyncIterable<StoredItem[]> {
    const found = this.items
      .filter((i) => partitionsOf(bucket).includes(String(i.expiryBucket)) && String(i.expirySk) >= start && String(i.expirySk) <= end)
      .sort(byKey('expirySk'));
    this.counted.window += found.length;
    yield* pagesOf(found);
  }

  async markExpired(key: { pk: string; sk: string }, statusKey: string): Promise<boolean> {
    const item = this.items.find((i) => i.pk === key.pk && i.sk === key.sk);
    if (item?.status !== 'active') return false;
    Object.assign(item, { status: 'expired', statusKey });
    return true;
  }

  private issued(tenantId: string, from: string, to: string): StoredItem[] {
    const partitions = partitionsOf(issuancePartitionBase.table(tenantId));
    return this.items.filter((i) => partitions.includes(String(i.pk)) && String(i.sk) >= from && String(i.sk) <= to).sort(byKey('sk'));
  }

  async *issuedItems(tenantId: string, start: string, end: string): AsyncIterable<StoredItem[]> {
    const found = this.issued(tenantId, start, end);
    this.counted.window += found.length;
    yield* pagesOf(found);
  }

  async *recountItems(tenantId: string, from: string, to: string): AsyncIterable<StoredItem[]> {
    const found = this.issued(tenantId, from, to);
    this.counted.recount += found.length;
    yield* pagesOf(found);
  }

  async readLiveCounter(tenantId: string): Promise<LiveCounter | undefined> {
    const counter = this.counters.get(tenantId);
    return counter && { ...counter };
  }

  async saveLiveCounter(tenantId: string, counter: LiveCounter, expectedThrough: string | undefined): Promise<boolean> {
    if (this.counters.get(tenantId)?.auditedThrough !== expectedThrough) return false;
    this.counters.set(tenantId, { ...counter });
    return true;
  }

  async listTenants(): Promise<Tenant[]> {
    return this.tenants;
  }

  async getPolicy() {
    return undefined;
  }

  async listPartners() {
    return [];
  }

  async listPartnerKeys() {
    return [];
  }

  async activeIssuedSince(tenantId: string, issuedSince: string): Promise<StoredItem[]> {
    const partitions = partitionsOf(issuancePartitionBase.status(tenantId, 'active'));
    return this.items.filter((i) => partitions.includes(String(i.statusKey)) && String(i.sk) >= issuedSince);
  }

  async partnerIssuedSince(): Promise<StoredItem[]> {
    return [];
  }

  async putReport(report: TenantAuditReport): Promise<boolean> {
    const key = `${report.tenantId}|${report.windowEnd}|${report.runId}`;
    if (this.reports.has(key)) return false;
    this.reports.set(key, structuredClone(report));
    return true;
  }

  reads(): AuditReads {
    return { windowItems: this.counted.window, recountItems: this.counted.recount, liveLookupItems: 0, directoryItems: 0, byTarget: {} };
  }
}

/** `store` with its `method` failing from its (after+1)-th call on: a run killed there. */
export function failingAt<S extends object>(store: S, method: keyof S, after: number): S {
  let calls = 0;
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (prop !== method) return value.bind(target);
      return (...args: unknown[]) => {
        if (calls++ >= after) throw new Error(`killed in ${String(method)}`);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}
