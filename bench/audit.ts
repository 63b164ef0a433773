// Expiry audit: items read per item in the window, at a given number of issuance records, with the
// audit run the way it is deployed.
//
// The period between runs is the expiry audit function's schedule in serverless.yml (the
// `auditSchedule` param, default rate(15 minutes)); the audit's settings are those of its
// environment there (lib/audit/config.ts: 24 h look back, 24 h longest window, 60 s settle). A fresh
// counted dynalite per size, the demo tenant, and `records` issuance records issued evenly over the
// span the runs below audit (from an hour before the first scheduled window to the end of the
// catch-up window), each living 15, 30, 45 or 60 minutes. Then, with the project's own audit and
// DynamoDB adapter, their clock set by the bench:
//  - bootstrap: the first run ever (no checkpoint, no live counter: it recounts), over the look back
//    before T0; it holds the records of the hour before T0;
//  - scheduled: SCHEDULED_HOURS of consecutive runs one period apart, each auditing the period since
//    the previous one. This is the budget figure: every run of a deployed audit but the first is one.
//    A credential lives at least 900 s, so with a 15-minute period no record is both issued and
//    expiring in one window: each window reads each of its records once;
//  - catch-up: the audit stopped for a day (maxWindowHours); the next run audits the whole day in one
//    window. Informational: most records are issued and expire inside such a window, and both of its
//    queries read them, so it costs about 2 reads per item.
// An item in a window is a record issued or expiring in it, counted once per window, worked out from
// what the bench seeded — not taken from the audit. Items read are counted at dynalite (from its
// answers: ScannedCount, items returned) and by the audit's adapter, by kind; per run the larger of
// the two counts. Every item counts, the per-run reads of the main table (checkpoint, tenant list,
// policy, live counter, partners, keys) too: they are not issuance items and are shown apart
// (adapter.directoryItems), but they are read, so they are in the figure.
// Each run is checked: it took the planned window, found exactly the seeded records expiring and
// issued in it, expired each expiring one and reported the seeded number of live credentials; after
// the last run every record is expired or active as its expiry says.
import { randomUUID } from 'node:crypto';
import { BatchWriteCommand, DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { type AuditRunResult, runAudit } from '../lib/audit/audit';
import { mapLimit } from '../lib/audit/concurrency';
import type { AuditConfig } from '../lib/audit/config';
import type { IssuanceRecord } from '../lib/core/model';
import { parseKey } from '../lib/identity/api-key';
import { DynamoAuditStore } from '../lib/store/audit-store';
import { issuanceItem } from '../lib/store/issuance-ledger';
import { localDynamoClient } from '../local/dynamo';
import { DEMO_PARTNER, DEMO_TENANT, seedDemo } from '../local/seed';
import { type CountedDynamo, diffCounts, startCountedDynamo } from './wire';

const HOUR_MS = 3_600_000;
/** The scheduled runs cover this much time after the bootstrap run (24 runs at rate(15 minutes)). */
export const SCHEDULED_HOURS = 6;
/** Records are issued from this long before the first scheduled window: its first runs see expiries too. */
const LEAD_MS = HOUR_MS;
const LIFETIMES_MS = [900_000, 1_800_000, 2_700_000, 3_600_000];
const RETENTION_DAYS = 400;

export type RunKind = 'bootstrap' | 'scheduled' | 'catch-up';

export interface PlannedRun {
  kind: RunKind;
  /** The run's clock. */
  now: number;
  /** The window the audit must take: [start, end). */
  window: { start: number; end: number };
}

export interface AuditPlan {
  periodMs: number;
  runs: PlannedRun[];
  /** Records are issued evenly over [start, end). */
  span: { start: number; end: number };
}

/**
 * The runs, one `periodMs` apart after the bootstrap run at `t0`, and the windows the audit must
 * take for them (worked out here from the settings, not by the audit's code).
 */
export function auditPlan(
  t0: number,
  periodMs: number,
  config: Pick<AuditConfig, 'lookbackHours' | 'maxWindowHours' | 'settleSeconds'>,
  scheduledHours = SCHEDULED_HOURS,
): AuditPlan {
  const settle = config.settleSeconds * 1000;
  const through = t0 - settle;
  const runs: PlannedRun[] = [{ kind: 'bootstrap', now: t0, window: { start: through - config.lookbackHours * HOUR_MS, end: through } }];
  const scheduled = Math.max(1, Math.round((scheduledHours * HOUR_MS) / periodMs));
  for (let i = 1; i <= scheduled; i++) {
    runs.push({ kind: 'scheduled', now: t0 + i * periodMs, window: { start: through + (i - 1) * periodMs, end: through + i * periodMs } });
  }
  // No run for a day (the longest window a run takes): the next one audits all of it at once.
  const last = runs[runs.length - 1]!;
  const gap = config.maxWindowHours * HOUR_MS;
  runs.push({ kind: 'catch-up', now: last.now + gap, window: { start: last.window.end, end: last.window.end + gap } });
  return { periodMs, runs, span: { start: through - LEAD_MS, end: last.window.end + gap } };
}

export interface Seeded {
  issuedAt: number;
  expiresAt: number;
}

/** `count` records issued evenly over [start, end), living 15, 30, 45 or 60 minutes in turn. */
export function seededTimes(count: number, span: { start: number; end: number }): Seeded[] {
  const length = span.end - span.start;
  return Array.from({ length: count }, (_, i) => {
    const issuedAt = Math.floor(span.start + ((i + 0.5) * length) / count);
    return { issuedAt, expiresAt: issuedAt + LIFETIMES_MS[i % LIFETIMES_MS.length]! };
  });
}

/** The seeded records the window [start, end) holds: expiring in it, issued in it, either; and live at its end. */
export function inWindow(seeded: readonly Seeded[], start: number, end: number) {
  const within = (t: number) => t >= start && t < end;
  let expiring = 0;
  let issued = 0;
  let either = 0;
  let liveAtEnd = 0;
  for (const s of seeded) {
    const e = within(s.expiresAt);
    const i = within(s.issuedAt);
    if (e) expiring++;
    if (i) issued++;
    if (e || i) either++;
    if (s.issuedAt < end && s.expiresAt >= end) liveAtEnd++;
  }
  return { expiring, issued, either, liveAtEnd };
}

export interface ItemsRead {
  /** What the audit's adapter says it read, by kind (lib/store/audit-store.ts). */
  adapter: { windowItems: number; recountItems: number; liveLookupItems: number; directoryItems: number; total: number };
  /** Items read, counted at dynalite. */
  wireItemsRead: number;
  wireReadRequests: number;
  /** The larger of the adapter's total and dynalite's count (per run, then summed). */
  itemsRead: number;
}

export interface AuditRunFigures extends ItemsRead {
  kind: RunKind;
  window: { start: string; end: string };
  status: string;
  auditSeconds: number;
  /** Seeded records expiring in the window / issued in it / either (each record once). */
  expiringInWindow: number;
  issuedInWindow: number;
  inWindow: number;
  /** itemsRead / inWindow. */
  itemsReadPerWindowItem: number;
  /** The audit's own window figure: expiring + issued, a record that is both counted twice. */
  auditWindowItems: number;
  expiredNow: number;
  liveCredentials: number;
  /** Seeded records issued before the window's end and expiring at or after it. */
  expectedLive: number;
  /** The run took the planned window, found exactly its seeded records and expired each expiring one. */
  correct: boolean;
  /** Why not, when not. */
  problems: string[];
}

/** The scheduled runs together: the budget figure is their items read over their items in window. */
export interface ScheduledFigures extends ItemsRead {
  schedule: string;
  periodSeconds: number;
  runs: number;
  /** From the first run's window start to the last one's end. */
  window: { start: string; end: string };
  expiringInWindow: number;
  issuedInWindow: number;
  /** Items in the windows, summed over the runs (a record issued in one window and expiring in another counts in both). */
  inWindow: number;
  /** The fewest and most items a run's window held. */
  inWindowPerRun: { min: number; max: number };
  itemsReadPerWindowItem: number;
  /** The highest items read per window item of a single run. */
  worstRunItemsReadPerWindowItem: number;
  auditSeconds: number;
  correct: boolean;
  perRun: AuditRunFigures[];
}

export interface AuditMeasurement {
  records: number;
  seedSeconds: number;
  /** When the seeded records were issued. */
  span: { start: string; end: string; hours: number };
  /** Seeded records issued per schedule period. */
  issuedPerPeriod: number;
  bootstrap: AuditRunFigures;
  scheduled: ScheduledFigures;
  /** Measured when asked for (bench/bench.ts settings: only at 10,000 records, only in a full run). */
  catchUp?: AuditRunFigures;
  /** After the last run: every record expired (expiring before the last window's end) or still active (the others). */
  finalStatus: { records: number; expired: number; active: number; wrong: number };
  /** Every run correct and every record's final status right. */
  correct: boolean;
}

export interface AuditBenchOptions {
  /** The expiry audit function's schedule expression and its period (bench/serverless-config.ts). */
  schedule: { expression: string; periodMs: number };
  /** The audit's settings as deployed (loadAuditConfig of the function's environment). */
  config: AuditConfig;
  roleArn: string;
  /** The demo role's external id, for the seeded tenant policy (the audit itself never calls STS). */
  externalId: string;
  /** Also run the catch-up (informational; at the scheduled runs' rate it audits three quarters of the records). */
  catchUp: boolean;
  log?: (line: string) => void;
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

async function batchWrite(client: DynamoDBDocumentClient, table: string, items: Record<string, unknown>[]): Promise<void> {
  let pending = items.map((Item) => ({ PutRequest: { Item } }));
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt > 10) throw new Error('BatchWrite kept leaving items unprocessed');
    const out = await client.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
    pending = (out.UnprocessedItems?.[table] ?? []) as typeof pending;
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
const ratio = (read: number, items: number) => (items > 0 ? read / items : Number.NaN);

interface Context {
  dynamo: CountedDynamo;
  client: DynamoDBDocumentClient;
  tables: { main: string; issuance: string };
  seeded: readonly Seeded[];
  config: AuditConfig;
}

async function auditRun(ctx: Context, planned: PlannedRun): Promise<AuditRunFigures> {
  const before = ctx.dynamo.counts();
  const started = Date.now();
  // A store per run, as the deployed handler makes one (lib/wiring/audit.ts): its counts are the run's.
  const result: AuditRunResult = await runAudit({
    store: new DynamoAuditStore(ctx.client, ctx.tables),
    now: () => new Date(planned.now),
    owner: 'bench',
    leaseMs: ctx.config.leaseSeconds * 1000,
    retentionDays: RETENTION_DAYS,
    config: ctx.config,
  });
  const auditSeconds = (Date.now() - started) / 1000;
  const wire = diffCounts(ctx.dynamo.counts(), before);
  const expected = inWindow(ctx.seeded, planned.window.start, planned.window.end);
  const window = { start: iso(planned.window.start), end: iso(planned.window.end) };
  const { reads } = result;
  const adapterTotal = reads.windowItems + reads.recountItems + reads.liveLookupItems + reads.directoryItems;
  const itemsRead = Math.max(adapterTotal, wire.itemsRead);

  const problems: string[] = [];
  if (result.status !== 'completed') problems.push(`status ${result.status}`);
  if (result.window?.start !== window.start || result.window.end !== window.end) {
    problems.push(`window ${result.window?.start ?? '-'} .. ${result.window?.end ?? '-'}, planned ${window.start} .. ${window.end}`);
  }
  const compare = (what: string, got: number, want: number) => {
    if (got !== want) problems.push(`${what} ${got}, seeded ${want}`);
  };
  compare('expiring found', result.expiringInWindow, expected.expiring);
  compare('issued found', result.issuedInWindow, expected.issued);
  compare('expired', result.expiredNow, expected.expiring);
  compare('live credentials', result.liveCredentials, expected.liveAtEnd);
  return {
    kind: planned.kind,
    window,
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
    itemsRead,
    itemsReadPerWindowItem: ratio(itemsRead, expected.either),
    auditWindowItems: result.windowItems,
    expiredNow: result.expiredNow,
    liveCredentials: result.liveCredentials,
    expectedLive: expected.liveAtEnd,
    correct: problems.length === 0,
    problems,
  };
}

/** The scheduled runs summed; each run's items read is already the larger of its two counts. */
export function scheduledFigures(schedule: AuditBenchOptions['schedule'], runs: readonly AuditRunFigures[]): ScheduledFigures {
  if (runs.length === 0) throw new Error('no scheduled runs');
  const sum = (pick: (r: AuditRunFigures) => number) => runs.reduce((n, r) => n + pick(r), 0);
  const inWindowTotal = sum((r) => r.inWindow);
  const itemsRead = sum((r) => r.itemsRead);
  const perRunInWindow = runs.map((r) => r.inWindow);
  return {
    schedule: schedule.expression,
    periodSeconds: schedule.periodMs / 1000,
    runs: runs.length,
    window: { start: runs[0]!.window.start, end: runs[runs.length - 1]!.window.end },
    expiringInWindow: sum((r) => r.expiringInWindow),
    issuedInWindow: sum((r) => r.issuedInWindow),
    inWindow: inWindowTotal,
    inWindowPerRun: { min: Math.min(...perRunInWindow), max: Math.max(...perRunInWindow) },
    adapter: {
      windowItems: sum((r) => r.adapter.windowItems),
      recountItems: sum((r) => r.adapter.recountItems),
      liveLookupItems: sum((r) => r.adapter.liveLookupItems),
      directoryItems: sum((r) => r.adapter.directoryItems),
      total: sum((r) => r.adapter.total),
    },
    wireItemsRead: sum((r) => r.wireItemsRead),
    wireReadRequests: sum((r) => r.wireReadRequests),
    itemsRead,
    itemsReadPerWindowItem: ratio(itemsRead, inWindowTotal),
    worstRunItemsReadPerWindowItem: Math.max(...runs.map((r) => r.itemsReadPerWindowItem)),
    auditSeconds: sum((r) => r.auditSeconds),
    correct: runs.every((r) => r.correct),
    perRun: [...runs],
  };
}

/** Every record's status after the last run, read with a Scan outside the counted runs. */
async function finalStatus(ctx: Context, through: number): Promise<AuditMeasurement['finalStatus']> {
  const out = { records: 0, expired: 0, active: 0, wrong: 0 };
  const cutoff = iso(through);
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await ctx.client.send(
      new ScanCommand({
        TableName: ctx.tables.issuance,
        ProjectionExpression: '#status, expiresAt',
        ExpressionAttributeNames: { '#status': 'status' },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      out.records++;
      if (item.status === 'expired') out.expired++;
      else if (item.status === 'active') out.active++;
      const shouldBeExpired = String(item.expiresAt) < cutoff;
      if (shouldBeExpired !== (item.status === 'expired')) out.wrong++;
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return out;
}

export async function measureAudit(records: number, opts: AuditBenchOptions): Promise<AuditMeasurement> {
  const log = opts.log ?? (() => undefined);
  const stage = `benchaudit${records}`;
  const tables = { main: `credvend-${stage}-main`, issuance: `credvend-${stage}-issuances` };
  const dynamo = await startCountedDynamo(stage);
  const client = DynamoDBDocumentClient.from(localDynamoClient(dynamo.url), { marshallOptions: { removeUndefinedValues: true } });
  try {
    const keys = await seedDemo(client, tables.main, opts.roleArn, opts.externalId);
    const keyId = parseKey(keys.partnerKey)!.keyId;
    // T0: the bootstrap run's clock, on a whole second like a scheduled invocation's.
    const t0 = Math.floor(Date.now() / 1000) * 1000;
    const plan = auditPlan(t0, opts.schedule.periodMs, opts.config);
    const seeded = seededTimes(records, plan.span);

    const seedStart = Date.now();
    const batches: Seeded[][] = [];
    for (let i = 0; i < seeded.length; i += 25) batches.push(seeded.slice(i, i + 25));
    await mapLimit(batches, 8, (batch, b) =>
      batchWrite(
        client,
        tables.issuance,
        batch.map((s, i) => issuanceItem(syntheticRecord(s, keyId, opts.roleArn, b * 25 + i), RETENTION_DAYS)),
      ),
    );
    const seedSeconds = (Date.now() - seedStart) / 1000;

    const ctx: Context = { dynamo, client, tables, seeded, config: opts.config };
    const scheduledPlan = plan.runs.filter((r) => r.kind === 'scheduled');
    log(
      `expiry audit, ${records.toLocaleString('en-US')} records: the first run ever, ${scheduledPlan.length} runs at ` +
        `${opts.schedule.expression}${opts.catchUp ? ', then a catch-up after a day without runs' : ''}`,
    );
    const bootstrap = await auditRun(ctx, plan.runs[0]!);
    const scheduledRuns: AuditRunFigures[] = [];
    for (const planned of scheduledPlan) scheduledRuns.push(await auditRun(ctx, planned));
    const scheduled = scheduledFigures(opts.schedule, scheduledRuns);
    const catchUpPlan = plan.runs.find((r) => r.kind === 'catch-up')!;
    const catchUp = opts.catchUp ? await auditRun(ctx, catchUpPlan) : undefined;
    const final = await finalStatus(ctx, (catchUp ? catchUpPlan : scheduledPlan[scheduledPlan.length - 1]!).window.end);
    const span = { start: iso(plan.span.start), end: iso(plan.span.end), hours: (plan.span.end - plan.span.start) / HOUR_MS };
    return {
      records,
      seedSeconds,
      span,
      issuedPerPeriod: (records * opts.schedule.periodMs) / (plan.span.end - plan.span.start),
      bootstrap,
      scheduled,
      ...(catchUp ? { catchUp } : {}),
      finalStatus: final,
      correct: bootstrap.correct && scheduled.correct && (catchUp?.correct ?? true) && final.wrong === 0 && final.records === records,
    };
  } finally {
    client.destroy();
    await dynamo.close();
  }
}
