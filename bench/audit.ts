// Expiry audit: items read per item in the audited window, at a given number of issuance records.
//
// A fresh counted dynalite per size, the demo tenant, and `records` issuance records issued evenly
// over 100 days, so that a 24-hour window holds 1% of them; each lives 15 to 60 minutes. Two audit
// runs with the project's own audit and DynamoDB adapter, their clock set by the bench:
//  - bootstrap: the first run ever (no checkpoint, no live counter), over the 24 hours before T0;
//  - steady: the next scheduled run, 24 hours later, over the following 24 hours — the run the
//    budget is about (a deployed audit runs like this every time but the first).
// An item in the window is a record issued or expiring in it, counted once, worked out from what
// the bench seeded — not taken from the audit. Items read are counted at dynalite (from its
// answers: ScannedCount, items returned) and by the audit's adapter; the budget uses the larger.
import { randomUUID } from 'node:crypto';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { runAudit, type AuditRunResult } from '../lib/audit/audit';
import { mapLimit } from '../lib/audit/concurrency';
import { loadAuditConfig } from '../lib/audit/config';
import { DynamoAuditStore } from '../lib/audit/store';
import { parseKey } from '../lib/keys';
import type { IssuanceRecord } from '../lib/model';
import { issuanceItem } from '../lib/store/issuances';
import { localDynamoClient } from '../local/dynamo';
import { DEMO_PARTNER, DEMO_TENANT, seedDemo } from '../local/seed';
import { diffCounts, startCountedDynamo, type CountedDynamo } from './wire';

const HOUR_MS = 3_600_000;
const WINDOW_MS = 24 * HOUR_MS;
/** Records are issued over this span: a window of 24 hours holds 1% of them. */
const SPAN_MS = 100 * WINDOW_MS;
const RETENTION_DAYS = 400;

export interface AuditRunFigures {
  window: { start: string; end: string };
  status: string;
  auditSeconds: number;
  /** Seeded records expiring in the window / issued in it / either (each record once). */
  expiringInWindow: number;
  issuedInWindow: number;
  inWindow: number;
  /** What the audit says it read, by kind. */
  adapter: { windowItems: number; recountItems: number; liveLookupItems: number; directoryItems: number; total: number };
  /** Items read, counted at dynalite. */
  wireItemsRead: number;
  wireReadRequests: number;
  /** max(wire, adapter) / inWindow: the budget figure. */
  itemsReadPerWindowItem: number;
  /** The audit's own window figure (expiring + issued, a record both counted twice) and the ratio to it. */
  auditWindowItems: number;
  itemsReadPerAuditWindowItem: number;
  expiredNow: number;
  /** The audit found exactly the seeded records of its window and expired each expiring one. */
  correct: boolean;
}

export interface AuditMeasurement {
  records: number;
  seedSeconds: number;
  bootstrap: AuditRunFigures;
  steady: AuditRunFigures;
}

interface Seeded {
  issuedAt: number;
  expiresAt: number;
}

export function syntheticRecord(seeded: Seeded, keyId: string, roleArn: string, n: number): IssuanceRecord {
  const issuanceId = randomUUID();
  const hex = issuanceId.replace(/-/g, '').toUpperCase();
  const session = `${DEMO_PARTNER}.${issuanceId.slice(0, 12)}`;
  return {
    issuanceId,
    tenantId: DEMO_TENANT,
    partnerId: DEMO_PARTNER,
    keyId,
    mode: 'assume-role',
    accessKeyId: `ASIA${hex.slice(0, 16)}`,
    principalArn: `${roleArn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/')}/${session}`,
    principalId: `AROA${hex.slice(16, 32)}:${session}`,
    sourceIdentity: DEMO_PARTNER,
    policyVersion: 1,
    policySha256: '0'.repeat(64),
    durationSeconds: (seeded.expiresAt - seeded.issuedAt) / 1000,
    issuedAt: new Date(seeded.issuedAt).toISOString(),
    expiresAt: new Date(seeded.expiresAt).toISOString(),
    sourceIp: '192.0.2.10',
    userAgent: 'credvend-bench/1',
    requestId: `bench-audit-${n}`,
    status: 'active',
  };
}

/** `count` records issued evenly over [endMs - SPAN_MS, endMs), living 15, 30, 45 or 60 minutes. */
export function seededTimes(count: number, endMs: number): Seeded[] {
  return Array.from({ length: count }, (_, i) => {
    const issuedAt = Math.floor(endMs - SPAN_MS + ((i + 0.5) * SPAN_MS) / count);
    return { issuedAt, expiresAt: issuedAt + 900_000 * (1 + (i % 4)) };
  });
}

/** The seeded records the window [start, end) holds: expiring in it, issued in it, either. */
export function inWindow(seeded: readonly Seeded[], start: string, end: string) {
  const from = Date.parse(start);
  const to = Date.parse(end);
  const within = (t: number) => t >= from && t < to;
  return {
    expiring: seeded.filter((s) => within(s.expiresAt)).length,
    issued: seeded.filter((s) => within(s.issuedAt)).length,
    either: seeded.filter((s) => within(s.expiresAt) || within(s.issuedAt)).length,
  };
}

async function batchWrite(client: DynamoDBDocumentClient, table: string, items: Record<string, unknown>[]): Promise<void> {
  let pending = items.map((Item) => ({ PutRequest: { Item } }));
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt > 10) throw new Error('BatchWrite kept leaving items unprocessed');
    const out = await client.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
    pending = (out.UnprocessedItems?.[table] ?? []) as typeof pending;
  }
}

async function auditRun(
  dynamo: CountedDynamo,
  client: DynamoDBDocumentClient,
  tables: { main: string; issuance: string },
  seeded: readonly Seeded[],
  now: Date,
): Promise<AuditRunFigures> {
  const before = dynamo.counts();
  const started = Date.now();
  const result: AuditRunResult = await runAudit({
    store: new DynamoAuditStore(client, tables),
    now: () => now,
    owner: 'bench',
    leaseMs: 30 * 60_000,
    retentionDays: RETENTION_DAYS,
    config: loadAuditConfig({}),
  });
  const auditSeconds = (Date.now() - started) / 1000;
  const wire = diffCounts(dynamo.counts(), before);
  if (!result.window) throw new Error(`the audit took no window (status ${result.status})`);
  const expected = inWindow(seeded, result.window.start, result.window.end);
  const { reads } = result;
  const adapterTotal = reads.windowItems + reads.recountItems + reads.liveLookupItems + reads.directoryItems;
  const itemsRead = Math.max(adapterTotal, wire.itemsRead);
  return {
    window: { start: result.window.start, end: result.window.end },
    status: result.status,
    auditSeconds,
    expiringInWindow: expected.expiring,
    issuedInWindow: expected.issued,
    inWindow: expected.either,
    adapter: {
      windowItems: reads.windowItems,
      recountItems: reads.recountItems,
      liveLookupItems: reads.liveLookupItems,
      directoryItems: reads.directoryItems,
      total: adapterTotal,
    },
    wireItemsRead: wire.itemsRead,
    wireReadRequests: wire.reads,
    itemsReadPerWindowItem: expected.either > 0 ? itemsRead / expected.either : Number.NaN,
    auditWindowItems: result.windowItems,
    itemsReadPerAuditWindowItem: result.windowItems > 0 ? itemsRead / result.windowItems : Number.NaN,
    expiredNow: result.expiredNow,
    correct:
      result.status === 'completed' &&
      result.expiringInWindow === expected.expiring &&
      result.issuedInWindow === expected.issued &&
      result.expiredNow === expected.expiring,
  };
}

export async function measureAudit(records: number, roleArn: string): Promise<AuditMeasurement> {
  const stage = `benchaudit${records}`;
  const tables = { main: `credvend-${stage}-main`, issuance: `credvend-${stage}-issuances` };
  const dynamo = await startCountedDynamo(stage);
  const client = DynamoDBDocumentClient.from(localDynamoClient(dynamo.url), { marshallOptions: { removeUndefinedValues: true } });
  try {
    const keys = await seedDemo(client, tables.main, roleArn);
    const keyId = parseKey(keys.partnerKey)!.keyId;
    // T0: the bootstrap run's "now"; the steady run's comes a day later, and so do the last records.
    const t0 = Math.floor(Date.now() / 1000) * 1000;
    const seeded = seededTimes(records, t0 + WINDOW_MS);

    const seedStart = Date.now();
    const batches: Seeded[][] = [];
    for (let i = 0; i < seeded.length; i += 25) batches.push(seeded.slice(i, i + 25));
    await mapLimit(batches, 8, (batch, b) =>
      batchWrite(
        client,
        tables.issuance,
        batch.map((s, i) => issuanceItem(syntheticRecord(s, keyId, roleArn, b * 25 + i), RETENTION_DAYS)),
      ),
    );
    const seedSeconds = (Date.now() - seedStart) / 1000;

    const bootstrap = await auditRun(dynamo, client, tables, seeded, new Date(t0));
    const steady = await auditRun(dynamo, client, tables, seeded, new Date(t0 + WINDOW_MS));
    return { records, seedSeconds, bootstrap, steady };
  } finally {
    client.destroy();
    await dynamo.close();
  }
}
