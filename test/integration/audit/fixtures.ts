// Seeding for the audit's integration tests: items are written with the layout of lib/core/model.ts
// (issuance items through the ledger's own issuanceItem), straight into dynalite.
import { randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  type BatchWriteCommandOutput,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import type { AuditDeps } from '../../../lib/audit/audit';
import { mapLimit } from '../../../lib/audit/concurrency';
import { liveCounterKey } from '../../../lib/audit/live-counts';
import type { AuditStore } from '../../../lib/audit/ports';
import type { ApiKeyRecord, IssuanceRecord, Mode, Partner, Tenant, TenantBinding, TenantPolicyDocument } from '../../../lib/core/model';
import { tableKeys } from '../../../lib/core/table-keys';
import { DynamoAuditStore } from '../../../lib/store/audit-store';
import { issuanceItem } from '../../../lib/store/issuance-ledger';
import { type LocalDynamo, localDynamoClient, startLocalDynamoWithTables } from '../../../local/dynamo';

export interface Env {
  dynamo: LocalDynamo;
  raw: DynamoDBClient;
  client: DynamoDBDocumentClient;
  main: string;
  issuance: string;
  close(): Promise<void>;
}

export async function startEnv(): Promise<Env> {
  const stage = `test-audit-${randomBytes(4).toString('hex')}`;
  const dynamo = await startLocalDynamoWithTables(stage);
  const raw = localDynamoClient(dynamo.url);
  const client = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  return {
    dynamo,
    raw,
    client,
    main: `credvend-${stage}-main`,
    issuance: `credvend-${stage}-issuances`,
    close: async () => {
      raw.destroy();
      await dynamo.close();
    },
  };
}

export const RETENTION_DAYS = 400;

export function auditDepsFor(env: Env, over: Partial<AuditDeps> & { now: () => Date; owner: string }): AuditDeps {
  return {
    store: new DynamoAuditStore(env.client, { main: env.main, issuance: env.issuance }),
    leaseMs: 10 * 60_000,
    retentionDays: RETENTION_DAYS,
    config: { lookbackHours: 24, maxWindowHours: 24, settleSeconds: 60, progressEvery: 1000, concurrency: 16, reportListLimit: 500 },
    ...over,
  };
}

/** A store whose `method` throws after it has succeeded `after` times: a run killed mid-way. */
export function failingAfter<K extends keyof AuditStore>(store: AuditStore, method: K, after: number): AuditStore {
  let calls = 0;
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (prop !== method) return value.bind(target);
      return async (...args: unknown[]) => {
        if (calls++ >= after) throw new Error(`injected failure in ${method} after ${after} calls`);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

export async function put(env: Env, table: string, item: Record<string, unknown>): Promise<void> {
  await env.client.send(new PutCommand({ TableName: table, Item: item }));
}

/** What the operator bound these tenants to: the policies below fit it, so the audit flags none of them. */
const BINDING: TenantBinding = {
  version: 1,
  externalId: 'cv-audit-fixture',
  roles: { default: { roleArn: 'arn:aws:iam::123456789012:role/credvend/audit', maxSessionDuration: 43_200 } },
  federation: { resourceBoundary: ['*'] },
  updatedAt: '2026-01-01T00:00:00.000Z',
};

export async function seedTenant(env: Env, tenant: Tenant, policy?: TenantPolicyDocument): Promise<void> {
  const bound = { binding: BINDING, ...tenant };
  await put(env, env.main, { ...tableKeys.tenant(tenant.tenantId), ...tableKeys.tenantList(tenant.tenantId), ...bound });
  if (policy) {
    await put(env, env.main, {
      ...tableKeys.policy(tenant.tenantId),
      tenantId: tenant.tenantId,
      version: 1,
      document: policy,
      updatedAt: tenant.createdAt,
    });
  }
}

export async function seedPartner(env: Env, partner: Partner): Promise<void> {
  await put(env, env.main, { ...tableKeys.partner(partner.tenantId, partner.partnerId), ...partner });
}

export async function seedKey(env: Env, key: ApiKeyRecord): Promise<void> {
  await put(env, env.main, { ...tableKeys.apiKey(key.keyId), ...tableKeys.keyOwner(key), ...key });
}

export function policyDoc(modes: TenantPolicyDocument['modes']): TenantPolicyDocument {
  return { defaultMode: 'assume-role', modes, statements: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] };
}

/** Assume-role settings naming a bound role (the binding owns its ARN and MaxSessionDuration). */
export const assumeRole = (maxDurationSeconds: number) => ({
  defaultDurationSeconds: 900,
  maxDurationSeconds,
  role: 'default',
});

export interface RecordSpec {
  id: string;
  tenantId: string;
  partnerId: string;
  keyId: string;
  expiresAt: string;
  /** Default: durationSeconds before expiresAt (the duration then defaults to expiresAt - issuedAt). */
  issuedAt?: string;
  durationSeconds?: number;
  mode?: Mode;
  status?: IssuanceRecord['status'];
}

/** An issuance record expiring at `expiresAt`, issued `durationSeconds` (default an hour) before, or at `issuedAt`. */
export function record(spec: RecordSpec): IssuanceRecord {
  const durationSeconds = spec.durationSeconds ?? (spec.issuedAt ? (Date.parse(spec.expiresAt) - Date.parse(spec.issuedAt)) / 1000 : 3600);
  return {
    issuanceId: spec.id,
    tenantId: spec.tenantId,
    partnerId: spec.partnerId,
    keyId: spec.keyId,
    mode: spec.mode ?? 'assume-role',
    accessKeyId: `ASIA${spec.id
      .toUpperCase()
      .replace(/[^A-Z0-9]/g, '')
      .padEnd(16, 'X')}`,
    principalArn: `arn:aws:sts::123456789012:assumed-role/tenant/${spec.partnerId}.${spec.id}`,
    principalId: `AROAEXAMPLE:${spec.id}`,
    policyVersion: 1,
    policySha256: 'a'.repeat(64),
    durationSeconds,
    issuedAt: spec.issuedAt ?? new Date(Date.parse(spec.expiresAt) - durationSeconds * 1000).toISOString(),
    expiresAt: spec.expiresAt,
    sourceIp: '192.0.2.1',
    userAgent: 'test',
    requestId: `req-${spec.id}`,
    status: spec.status ?? 'active',
  };
}

/** Writes the record as the issuance path does: its one write, nothing else. */
export async function issue(env: Env, rec: IssuanceRecord, item: Record<string, unknown> = issuanceItem(rec, RETENTION_DAYS)) {
  await put(env, env.issuance, item);
}

/** Bulk seeding: BatchWrite 25 at a time, 8 in flight, unprocessed items retried. */
export async function batchPut(env: Env, table: string, items: Record<string, unknown>[]): Promise<void> {
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  await mapLimit(chunks, 8, async (chunk) => {
    let pending = chunk.map((Item) => ({ PutRequest: { Item } }));
    while (pending.length > 0) {
      const out: BatchWriteCommandOutput = await env.client.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
      pending = (out.UnprocessedItems?.[table] ?? []) as typeof pending;
    }
  });
}

/** A tenant's live counter as the audit stores it (lib/audit/live-counts.ts). */
export function counterItem(tenantId: string, live: number, auditedThrough: string): Record<string, unknown> {
  return { ...liveCounterKey(tenantId), tenantId, live, auditedThrough };
}

/** The stored live counters of `tenantIds`, by tenant (test-side reads; not counted). */
export async function liveCounters(env: Env, tenantIds: readonly string[]): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const tenantId of tenantIds) {
    const got = await env.client.send(new GetCommand({ TableName: env.main, Key: liveCounterKey(tenantId) }));
    out[tenantId] = got.Item && { live: got.Item.live, auditedThrough: got.Item.auditedThrough };
  }
  return out;
}

/** Every item of a table, sorted, for before/after comparisons (test-side; not counted). */
export async function dump(env: Env, table: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await env.client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    items.push(...((out.Items ?? []) as Record<string, unknown>[]));
    start = out.LastEvaluatedKey;
  } while (start);
  const id = (i: Record<string, unknown>) => `${String(i.pk)}|${String(i.sk)}`;
  return items.sort((a, b) => (id(a) < id(b) ? -1 : 1));
}
