// The audit reads only what expires or was issued in its window: 10,000 records, 1% of them
// expiring in the window, about as many issued in it, the rest on both sides in the same hour
// buckets and the same tenant partitions.

import type { DynamoDBClient, QueryCommandInput, QueryCommandOutput } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type AuditRunResult, runAudit } from '../../../lib/audit/audit';
import { liveCounterKey, RECOUNT_LOOKBACK_SECONDS } from '../../../lib/audit/live-counts';
import type { IssuanceRecord } from '../../../lib/core/model';
import { tableKeys } from '../../../lib/core/table-keys';
import { DynamoAuditStore } from '../../../lib/store/audit-store';
import { issuanceItem } from '../../../lib/store/issuance-ledger';
import { localDynamoClient } from '../../../local/dynamo';
import {
  assumeRole,
  auditDepsFor,
  batchPut,
  counterItem,
  type Env,
  liveCounters,
  policyDoc,
  RETENTION_DAYS,
  record,
  seedKey,
  seedPartner,
  seedTenant,
  startEnv,
} from './fixtures';

// The window [10:40, 11:45) starts and ends inside hour buckets, next to thousands of records;
// the run starts a minute after its end (the settle time).
const NOW = new Date('2026-03-10T11:46:00.000Z');
const CHECKPOINT = '2026-03-10T10:40:00.000Z';
const END = '2026-03-10T11:45:00.000Z';
const TOTAL = 10_000;
const EXPIRING = 100;
const TENANTS = ['t-0', 't-1', 't-2', 't-3'];
const SECOND = 1000;
const HOUR = 3_600_000;

let env: Env;
let records: IssuanceRecord[];

const iso = (ms: number) => new Date(ms).toISOString();
const start = Date.parse(CHECKPOINT);
const end = Date.parse(END);

/** Issue and expiry of the i-th record: chosen so each falls in or out of the window on purpose. */
function times(i: number): { issuedAt: number; expiresAt: number } {
  const k = Math.floor(i / 100);
  // 1%: expiring in the window, spread across it (10:40:00 .. 11:44:21), issued an hour before
  // (the last 7 of them inside the window too).
  if (i % 100 === 0) return { issuedAt: start + k * 39 * SECOND - HOUR, expiresAt: start + k * 39 * SECOND };
  // 1%: issued in the window, from its first instant to its last, live for two hours.
  if (i % 100 === 50) {
    const issuedAt = k === 99 ? end - 1 : start + k * 39 * SECOND;
    return { issuedAt, expiresAt: issuedAt + 2 * HOUR };
  }
  // The rest: neither issued nor expiring in the window, most of them right next to it.
  if (i % 3 === 0) return { issuedAt: start - 1 - (i % 2400) * SECOND - HOUR, expiresAt: start - 1 - (i % 2400) * SECOND }; // expire 10:00 .. 10:39:59.999
  if (i % 3 === 1) return { issuedAt: start - 1 - (i % 600) * SECOND, expiresAt: end + (i % 4500) * SECOND }; // issued 10:30 .. 10:39:59.999, live
  if (i % 2 === 0) return { issuedAt: start - (2 + (i % 36)) * HOUR, expiresAt: start - (1 + (i % 36)) * HOUR }; // earlier hours
  return { issuedAt: end + (Math.floor(i / 6) % 3600) * SECOND, expiresAt: end + (Math.floor(i / 6) % 3600) * SECOND + HOUR }; // issued from 11:45:00.000 on
}

/** The definition the counters must meet: issued before `at`, expiring at or after it. */
const liveAt = (at: string, tenantId: string) =>
  records.filter((r) => r.tenantId === tenantId && r.issuedAt < at && r.expiresAt >= at).length;

beforeAll(async () => {
  env = await startEnv();
  await env.client.send(new PutCommand({ TableName: env.main, Item: { ...tableKeys.auditCheckpoint(), through: CHECKPOINT, version: 1 } }));
  for (const tenantId of TENANTS) {
    await seedTenant(
      env,
      { tenantId, name: tenantId, status: 'enabled', createdAt: '2026-01-01T00:00:00.000Z' },
      policyDoc({ 'assume-role': assumeRole(3600) }),
    );
    await seedPartner(env, { tenantId, partnerId: 'p-one', name: 'one', status: 'enabled', createdAt: '2026-01-01T00:00:00.000Z' });
    await seedKey(env, {
      keyId: `k-${tenantId}`,
      kind: 'partner',
      tenantId,
      partnerId: 'p-one',
      secretHash: 'h'.repeat(64),
      status: 'active',
      createdAt: '2026-01-01T00:00:00.000Z',
    });
  }
  records = Array.from({ length: TOTAL }, (_, i) => {
    const { issuedAt, expiresAt } = times(i);
    const tenantId = TENANTS[i % TENANTS.length]!;
    return record({
      id: `r${String(i).padStart(5, '0')}`,
      tenantId,
      partnerId: 'p-one',
      keyId: `k-${tenantId}`,
      issuedAt: iso(issuedAt),
      expiresAt: iso(expiresAt),
      status: expiresAt < start ? 'expired' : 'active',
    });
  });
  await batchPut(
    env,
    env.issuance,
    records.map((r) => issuanceItem(r, RETENTION_DAYS)),
  );
  // Earlier runs have audited up to the checkpoint: each tenant's counter stands there.
  await batchPut(
    env,
    env.main,
    TENANTS.map((t) => counterItem(t, liveAt(CHECKPOINT, t), CHECKPOINT)),
  );
}, 120_000);

/** One run over the window with its own client, whose middleware sums what each window query returned. */
async function countedRun(owner: string): Promise<{ result: AuditRunResult; wire: { byExpiry: number; table: number } }> {
  // A second, independent count to hold the adapter's figures against.
  const raw: DynamoDBClient = localDynamoClient(env.dynamo.url);
  const wire = { byExpiry: 0, table: 0 };
  raw.middlewareStack.add(
    (next) => async (args) => {
      const out = await next(args);
      const input = args.input as QueryCommandInput;
      const scanned = (out.output as QueryCommandOutput).ScannedCount ?? 0;
      if (input.TableName === env.issuance && input.IndexName === 'byExpiry') wire.byExpiry += scanned;
      if (input.TableName === env.issuance && input.IndexName === undefined && input.KeyConditionExpression) wire.table += scanned;
      return out;
    },
    { step: 'initialize', name: 'testCountWindowQueries' },
  );
  const deps = auditDepsFor(env, { now: () => NOW, owner });
  deps.store = new DynamoAuditStore(DynamoDBDocumentClient.from(raw), { main: env.main, issuance: env.issuance });
  try {
    return { result: await runAudit(deps), wire };
  } finally {
    raw.destroy();
  }
}

afterAll(async () => {
  await env?.close();
});

describe('read budget', () => {
  const between = (field: 'issuedAt' | 'expiresAt', from: string, to: string) =>
    records.filter((r) => r[field] >= from && r[field] < to).length;
  const expectedLive = () => Object.fromEntries(TENANTS.map((t) => [t, { live: liveAt(END, t), auditedThrough: END }]));

  it('reads at most 1.1 issuance items per item in the window, counted at the adapter', async () => {
    const issued = between('issuedAt', CHECKPOINT, END);
    expect(between('expiresAt', CHECKPOINT, END)).toBe(EXPIRING);
    expect(issued).toBe(107); // 100 issued in the window and live, 7 of the expiring ones
    // The neighbours a sloppy range would pick up are there: same hour buckets, same tenant partitions.
    expect(records.filter((r) => r.expiresAt.startsWith('2026-03-10T10') && r.expiresAt < CHECKPOINT).length).toBeGreaterThan(3000);
    expect(records.filter((r) => r.expiresAt.startsWith('2026-03-10T11') && r.expiresAt >= END).length).toBeGreaterThan(500);
    expect(between('issuedAt', '2026-03-10T10:30:00.000Z', CHECKPOINT)).toBeGreaterThan(3000);
    expect(between('issuedAt', END, '2026-03-10T12:45:00.000Z')).toBeGreaterThan(1000);
    expect(records.filter((r) => r.issuedAt === END)).toHaveLength(1);

    const { result, wire } = await countedRun('budget');

    expect(result).toMatchObject({
      status: 'completed',
      expiringInWindow: EXPIRING,
      issuedInWindow: issued,
      issuedAndExpiringInWindow: 7,
      windowItems: EXPIRING + issued,
      expiredNow: EXPIRING,
      counters: { advanced: 4, recounted: 0, alreadyApplied: 0, ahead: 0 },
    });
    // Each item of the window read once: through byExpiry or the issued-in-window queries, nothing more.
    expect(result.reads.windowItems).toBe(wire.byExpiry + wire.table);
    expect([wire.byExpiry, wire.table]).toEqual([EXPIRING, issued]);
    expect(result.reads.windowItems / result.windowItems).toBeLessThanOrEqual(1.1);
    // Counting each record once (7 were issued and expired in the window, and both queries read them).
    expect(result.reads.windowItems / (result.windowItems - result.issuedAndExpiringInWindow)).toBeLessThanOrEqual(1.1);
    expect(result.reads.recountItems).toBe(0);
    expect(result.reads.liveLookupItems).toBe(0); // nothing disabled or revoked: no live set is read
    // Directory reads: tenant list, one policy, one counter and partners/keys per tenant.
    expect(result.reads.directoryItems).toBeLessThan(200);

    expect(await liveCounters(env, TENANTS)).toEqual(expectedLive());
    expect(result.liveCredentials).toBe(records.filter((r) => r.issuedAt < END && r.expiresAt >= END).length);
    expect(result.reports.map((r) => [r.tenantId, r.liveCredentials])).toEqual(TENANTS.map((t) => [t, liveAt(END, t)]));
    expect(result.reports.reduce((n, r) => n + r.expiredInWindow, 0)).toBe(EXPIRING);
    expect(result.reports.reduce((n, r) => n + r.issuedInWindow, 0)).toBe(issued);
  });

  it('without counters (a first run), recounts them exactly, its look back read apart from the window', async () => {
    // The same window again, as if no counter had ever been written.
    for (const t of TENANTS) await env.client.send(new DeleteCommand({ TableName: env.main, Key: liveCounterKey(t) }));
    await env.client.send(
      new PutCommand({ TableName: env.main, Item: { ...tableKeys.auditCheckpoint(), through: CHECKPOINT, version: 10 } }),
    );

    const { result, wire } = await countedRun('first');

    const lookedBack = between('issuedAt', iso(end - RECOUNT_LOOKBACK_SECONDS * SECOND), CHECKPOINT);
    expect(result).toMatchObject({
      status: 'completed',
      windowItems: EXPIRING + 107,
      counters: { advanced: 0, recounted: 4, alreadyApplied: 0, ahead: 0 },
    });
    expect(result.reads.windowItems).toBe(EXPIRING + 107);
    expect(result.reads.recountItems).toBe(lookedBack);
    expect(wire.byExpiry + wire.table).toBe(result.reads.windowItems + result.reads.recountItems);
    expect(await liveCounters(env, TENANTS)).toEqual(expectedLive());
  });
});
