// The expiry audit against dynalite: exact counts, live counters and flags, reruns, crashes,
// overlapping runs. The issuance path writes only its records; the audit keeps the counters.

import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { type AuditRunResult, runAudit } from '../../../lib/audit/audit';
import { statusKeyOfItem } from '../../../lib/audit/checks';
import { liveCounterKey } from '../../../lib/audit/live-counts';
import type { TenantAuditReport } from '../../../lib/audit/report';
import { runIdOf } from '../../../lib/audit/window';
import { tableKeys } from '../../../lib/core/table-keys';
import { DynamoAuditStore, listAuditReports } from '../../../lib/store/audit-store';
import { auditDepsFor, dump, type Env, failingAfter, liveCounters, startEnv } from './fixtures';
import {
  CHECKPOINT,
  EXPECTED_COUNTERS,
  EXPECTED_REPORTS,
  EXPIRED_BY_RUN,
  NOW,
  seedScenario,
  TENANT_IDS,
  UNTOUCHED_ACTIVE,
  WINDOW_END,
} from './scenario';

const RUN_ID = runIdOf(CHECKPOINT, WINDOW_END);
const LEASE_MS = 10 * 60_000;
const later = (ms: number) => new Date(NOW.getTime() + ms);

let env: Env;

beforeEach(async () => {
  env = await startEnv();
  await seedScenario(env);
});

afterEach(async () => {
  await env.close();
});

async function issuanceByIdMap(): Promise<Map<string, Record<string, unknown>>> {
  return new Map((await dump(env, env.issuance)).map((item) => [String(item.issuanceId ?? item.sk), item]));
}

async function storedReports(tenantId: string) {
  return (await listAuditReports(env.client, env.main, tenantId, { limit: 10 })).items;
}

/** A stored report minus its creation time, to compare with the expected one. */
function comparable(report: Record<string, unknown> | undefined) {
  if (!report) return undefined;
  const { createdAt: _createdAt, runId: _runId, ...rest } = report;
  return rest;
}

async function expectFinalState(): Promise<void> {
  const items = await issuanceByIdMap();
  for (const id of EXPIRED_BY_RUN) {
    const item = items.get(id)!;
    expect({ id, status: item.status, statusKey: item.statusKey }).toEqual({
      id,
      status: 'expired',
      statusKey: statusKeyOfItem(item, 'expired'),
    });
    expect(String(item.statusKey)).toMatch(new RegExp(`^${String(item.tenantId)}#expired#\\d\\d$`));
  }
  expect(items.get('a13')!.status).toBe('expired');
  for (const id of UNTOUCHED_ACTIVE) expect({ id, status: items.get(id)!.status }).toEqual({ id, status: 'active' });

  for (const tenantId of ['acme', 'globex', 'umbrella'] as const) {
    const reports = await storedReports(tenantId);
    expect(reports).toHaveLength(1);
    expect(reports[0]!.runId).toBe(RUN_ID);
    expect(comparable(reports[0])).toEqual(EXPECTED_REPORTS[tenantId]);
  }
  expect(await storedReports('initech')).toEqual([]);

  expect(await liveCounters(env, TENANT_IDS)).toEqual(EXPECTED_COUNTERS);

  const checkpoint = await env.client.send(new GetCommand({ TableName: env.main, Key: tableKeys.auditCheckpoint() }));
  expect(checkpoint.Item?.through).toBe(WINDOW_END);
  expect(checkpoint.Item?.pending).toBeUndefined();
}

describe('expiry audit run', () => {
  it('expires exactly the window, counts live credentials and flags what must be acted on', async () => {
    const result = await runAudit(auditDepsFor(env, { now: () => NOW, owner: 'run-1' }));

    expect(result).toMatchObject({
      status: 'completed',
      window: { start: CHECKPOINT, end: WINDOW_END, runId: RUN_ID },
      resumed: false,
      caughtUp: true,
      windowItems: 20,
      expiringInWindow: 12,
      issuedInWindow: 8,
      issuedAndExpiringInWindow: 3, // a3, a12, a14
      expiredNow: 11,
      // No counter existed yet: each tenant's was recounted from the records of the 37 hours before.
      counters: { advanced: 0, recounted: 4, alreadyApplied: 0, ahead: 0 },
      tenantsReported: 3,
      reportsWritten: 3,
      reportsExisting: 0,
      liveCredentials: 8,
      flags: { liveCredentialsOfDisabled: 5, overMaxDuration: 2, invalidRecords: 1 },
    });
    // Exactly the items of the window were read (byExpiry and the issued ranges), none around them.
    expect(result.reads.windowItems).toBe(20);
    expect(result.reads.byTarget[`${env.issuance}/byExpiry`]).toBe(12);
    expect(result.reads.byTarget[env.issuance]).toBe(8);
    // The recounts: acme's a1 a2 a5 a6 a7 a8 a10 a11 a13 a18, globex's g1 g2, umbrella's u1 (g3 is older).
    expect(result.reads.recountItems).toBe(13);
    // Live lookups: p-good's 16 and p-off's 2 records of the last 36 h, globex's and umbrella's
    // still-active ones: 21 keys from byPartner/byStatus (keys only), then those 21 records.
    expect(result.reads.liveLookupItems).toBe(42);
    await expectFinalState();

    const checkpoint = await env.client.send(new GetCommand({ TableName: env.main, Key: tableKeys.auditCheckpoint() }));
    expect(checkpoint.Item).toEqual({ ...tableKeys.auditCheckpoint(), through: WINDOW_END, version: 3 });
  });

  it('keeps the record TTL and gives records that lack one the retention TTL', async () => {
    const before = await issuanceByIdMap();
    const a1 = before.get('a1')!;
    await env.client.send(new PutCommand({ TableName: env.issuance, Item: { ...a1, ttl: undefined } }));
    await runAudit(auditDepsFor(env, { now: () => NOW, owner: 'run-1' }));
    const after = await issuanceByIdMap();
    expect(after.get('a2')!.ttl).toBe(before.get('a2')!.ttl);
    expect(after.get('a1')!.ttl).toBe(Date.parse(String(a1.expiresAt)) / 1000 + 400 * 86_400);
  });

  it('a second run over the same time changes nothing', async () => {
    await runAudit(auditDepsFor(env, { now: () => NOW, owner: 'run-1' }));
    const mainBefore = await dump(env, env.main);
    const issuanceBefore = await dump(env, env.issuance);

    const second = await runAudit(auditDepsFor(env, { now: () => NOW, owner: 'run-2' }));

    expect(second.status).toBe('idle');
    expect(second.reads).toMatchObject({ windowItems: 0, recountItems: 0 });
    expect(await dump(env, env.main)).toEqual(mainBefore);
    expect(await dump(env, env.issuance)).toEqual(issuanceBefore);
  });

  it('a forced rerun of the same window (checkpoint put back) counts nothing twice and keeps the reports', async () => {
    await runAudit(auditDepsFor(env, { now: () => NOW, owner: 'run-1' }));
    const mainBefore = await dump(env, env.main);
    const issuanceBefore = await dump(env, env.issuance);
    await env.client.send(
      new PutCommand({ TableName: env.main, Item: { ...tableKeys.auditCheckpoint(), through: CHECKPOINT, version: 3 } }),
    );

    const rerun = await runAudit(auditDepsFor(env, { now: () => NOW, owner: 'run-2' }));

    expect(rerun).toMatchObject({
      status: 'completed',
      window: { runId: RUN_ID },
      windowItems: 20,
      expiredNow: 0,
      counters: { advanced: 0, recounted: 0, alreadyApplied: 4, ahead: 0 },
      reportsWritten: 0,
      reportsExisting: 3,
    });
    expect(rerun.reads.recountItems).toBe(0);
    // Only the checkpoint item's version moved; records, counters and reports are as they were.
    const withoutCheckpointVersion = (items: Record<string, unknown>[]) =>
      items.map((item) => (item.pk === 'AUDIT' ? { ...item, version: 'any' } : item));
    expect(withoutCheckpointVersion(await dump(env, env.main))).toEqual(withoutCheckpointVersion(mainBefore));
    expect(await dump(env, env.issuance)).toEqual(issuanceBefore);
    await expectFinalState();
  });

  it('a run killed after some expiry updates, retried, gives the same final state and reports', async () => {
    const crashing = auditDepsFor(env, { now: () => NOW, owner: 'run-1' });
    crashing.store = failingAfter(crashing.store, 'markExpired', 4);
    await expect(runAudit(crashing)).rejects.toThrow('injected failure in markExpired after 4 calls');

    const midway = await issuanceByIdMap();
    const expiredSoFar = EXPIRED_BY_RUN.filter((id) => midway.get(id)!.status === 'expired').length;
    expect(expiredSoFar).toBe(4);
    expect(await storedReports('acme')).toEqual([]);
    const held = await env.client.send(new GetCommand({ TableName: env.main, Key: tableKeys.auditCheckpoint() }));
    expect(held.Item).toMatchObject({ through: CHECKPOINT, pending: { owner: 'run-1', windowEnd: WINDOW_END, runId: RUN_ID } });

    // Another run while the crashed run's lease holds leaves the window alone.
    const blocked = await runAudit(auditDepsFor(env, { now: () => later(60_000), owner: 'run-2' }));
    expect(blocked.status).toBe('locked');

    // Once the lease has run out, the next run takes over exactly the crashed run's window.
    const retry = await runAudit(auditDepsFor(env, { now: () => later(LEASE_MS + 1000), owner: 'run-2' }));
    expect(retry).toMatchObject({
      status: 'completed',
      resumed: true,
      caughtUp: false,
      window: { start: CHECKPOINT, end: WINDOW_END, runId: RUN_ID },
      windowItems: 20,
      expiredNow: EXPIRED_BY_RUN.length - expiredSoFar,
      reportsWritten: 3,
    });
    await expectFinalState();
  });

  it('a run killed after moving some live counters, retried, moves each exactly once', async () => {
    const crashing = auditDepsFor(env, { now: () => NOW, owner: 'run-1' });
    crashing.config = { ...crashing.config, concurrency: 1 }; // tenants one by one: acme, globex, then the kill
    crashing.store = failingAfter(crashing.store, 'saveLiveCounter', 2);
    await expect(runAudit(crashing)).rejects.toThrow('injected failure in saveLiveCounter after 2 calls');
    expect(await liveCounters(env, TENANT_IDS)).toEqual({
      acme: EXPECTED_COUNTERS.acme,
      globex: EXPECTED_COUNTERS.globex,
      initech: undefined,
      umbrella: undefined,
    });
    expect(await storedReports('acme')).toEqual([]);

    const retry = await runAudit(auditDepsFor(env, { now: () => later(LEASE_MS + 1000), owner: 'run-2' }));
    expect(retry).toMatchObject({
      status: 'completed',
      resumed: true,
      liveCredentials: 8,
      counters: { advanced: 0, recounted: 2, alreadyApplied: 2, ahead: 0 },
      reportsWritten: 3,
    });
    await expectFinalState();
  });

  it('the next window adds to the counters what was issued and takes off what expired, once', async () => {
    await runAudit(auditDepsFor(env, { now: () => NOW, owner: 'run-1' }));
    // 12:00 .. 13:00: a4 (12:00) g4 (12:15) u2 (12:30) a15 (12:59:59.999) expire; a16 (12:00) a17 (12:00:30) were issued.
    const next = (owner: string) => runAudit(auditDepsFor(env, { now: () => new Date('2026-03-10T13:01:00.000Z'), owner }));
    const result = await next('run-2');
    expect(result).toMatchObject({
      status: 'completed',
      window: { start: WINDOW_END, end: '2026-03-10T13:00:00.000Z' },
      expiringInWindow: 4,
      issuedInWindow: 2,
      counters: { advanced: 4, recounted: 0, alreadyApplied: 0, ahead: 0 },
      liveCredentials: 6,
    });
    expect(result.reads.recountItems).toBe(0);
    const at13 = { acme: { live: 5 }, globex: { live: 1 }, initech: { live: 0 }, umbrella: { live: 0 } }; // acme: a7 a9 a11 a16 a17
    expect(await liveCounters(env, TENANT_IDS)).toMatchObject(at13);

    // The same window forced again (checkpoint put back): the counters already hold it.
    const checkpoint = (await env.client.send(new GetCommand({ TableName: env.main, Key: tableKeys.auditCheckpoint() }))).Item!;
    await env.client.send(new PutCommand({ TableName: env.main, Item: { ...checkpoint, through: WINDOW_END } }));
    expect((await next('run-3')).counters).toEqual({ advanced: 0, recounted: 0, alreadyApplied: 4, ahead: 0 });
    expect(await liveCounters(env, TENANT_IDS)).toMatchObject(at13);
  });

  it('recounts a counter that was lost or fell out of step, and leaves one that holds a later window', async () => {
    await env.client.send(
      new PutCommand({ TableName: env.main, Item: { ...liveCounterKey('globex'), live: 99, auditedThrough: '2026-03-10T09:00:00.000Z' } }),
    );
    await env.client.send(
      new PutCommand({ TableName: env.main, Item: { ...liveCounterKey('initech'), live: 7, auditedThrough: '2026-03-10T13:00:00.000Z' } }),
    );
    const result = await runAudit(auditDepsFor(env, { now: () => NOW, owner: 'run-1' }));
    expect(result.counters).toEqual({ advanced: 0, recounted: 3, alreadyApplied: 0, ahead: 1 });
    expect(await liveCounters(env, TENANT_IDS)).toEqual({
      ...EXPECTED_COUNTERS,
      initech: { live: 7, auditedThrough: '2026-03-10T13:00:00.000Z' },
    });

    // Lost later: the next window recounts it, exactly.
    await env.client.send(new DeleteCommand({ TableName: env.main, Key: liveCounterKey('acme') }));
    const next = await runAudit(auditDepsFor(env, { now: () => new Date('2026-03-10T13:01:00.000Z'), owner: 'run-2' }));
    expect(next.counters).toEqual({ advanced: 2, recounted: 1, alreadyApplied: 1, ahead: 0 });
    expect((await liveCounters(env, ['acme'])).acme).toEqual({ live: 5, auditedThrough: '2026-03-10T13:00:00.000Z' });
  });

  it('a retried invocation with the same owner resumes its own window at once', async () => {
    const crashing = auditDepsFor(env, { now: () => NOW, owner: 'req-1' });
    crashing.store = failingAfter(crashing.store, 'markExpired', 2);
    await expect(runAudit(crashing)).rejects.toThrow('injected failure');
    const retry = await runAudit(auditDepsFor(env, { now: () => later(30_000), owner: 'req-1' }));
    expect(retry).toMatchObject({ status: 'completed', resumed: true, window: { end: WINDOW_END } });
    await expectFinalState();
  });

  it('a run killed after writing some reports, retried, counts nothing twice and keeps the reports', async () => {
    const crashing = auditDepsFor(env, { now: () => NOW, owner: 'run-1' });
    crashing.store = failingAfter(crashing.store, 'putReport', 1);
    await expect(runAudit(crashing)).rejects.toThrow('injected failure in putReport');

    const retry = await runAudit(auditDepsFor(env, { now: () => later(LEASE_MS + 1000), owner: 'run-2' }));
    expect(retry).toMatchObject({
      status: 'completed',
      resumed: true,
      expiredNow: 0,
      counters: { advanced: 0, recounted: 0, alreadyApplied: 4, ahead: 0 },
      reportsWritten: 2,
      reportsExisting: 1,
    });
    await expectFinalState();
  });

  it('of two runs started together, one audits the window and the other stands aside', async () => {
    const results = await Promise.all(['run-a', 'run-b'].map((owner) => runAudit(auditDepsFor(env, { now: () => NOW, owner }))));
    expect(results.map((r) => r.status).sort()).toEqual(['completed', 'locked']);
    await expectFinalState();
  });

  it('a run whose lease ran out while it worked is superseded and cannot move the checkpoint', async () => {
    let overtaking: Promise<AuditRunResult> | undefined;
    const slow = auditDepsFor(env, { now: () => NOW, owner: 'slow' });
    const inner = slow.store;
    // When the slow run is about to store its reports, another run (past its lease) takes over and finishes.
    slow.store = new Proxy(inner, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as (...args: unknown[]) => unknown;
        if (prop !== 'putReport') return typeof value === 'function' ? value.bind(target) : value;
        return async (...args: unknown[]) => {
          overtaking ??= runAudit(auditDepsFor(env, { now: () => later(LEASE_MS + 1000), owner: 'fast' }));
          await overtaking;
          return value.apply(target, args);
        };
      },
    });

    const slowResult = await runAudit(slow);
    const fastResult = await overtaking!;

    expect(fastResult).toMatchObject({ status: 'completed', resumed: true, window: { end: WINDOW_END }, reportsWritten: 3 });
    expect(slowResult).toMatchObject({ status: 'superseded', reportsWritten: 0, reportsExisting: 3 });
    await expectFinalState();
  });

  it('catches up over several windows when far behind, never wider than the maximum window', async () => {
    await env.client.send(
      new PutCommand({ TableName: env.main, Item: { ...tableKeys.auditCheckpoint(), through: '2026-03-10T09:00:00.000Z', version: 1 } }),
    );
    const deps = (owner: string) => {
      const d = auditDepsFor(env, { now: () => NOW, owner });
      d.config = { ...d.config, maxWindowHours: 2 };
      return d;
    };
    const first = await runAudit(deps('run-1'));
    expect(first).toMatchObject({
      status: 'completed',
      caughtUp: false,
      window: { start: '2026-03-10T09:00:00.000Z', end: '2026-03-10T11:00:00.000Z' },
    });
    const second = await runAudit(deps('run-2'));
    expect(second).toMatchObject({ status: 'completed', caughtUp: true, window: { start: '2026-03-10T11:00:00.000Z', end: WINDOW_END } });
    // a5 (10:39:59.999) is audited this time, being after the older checkpoint.
    expect(first.expiringInWindow + second.expiringInWindow).toBe(13);
    expect((await issuanceByIdMap()).get('a5')!.status).toBe('expired');
    // Two windows give the same live counts as one: the first recounted, the second advanced
    // (umbrella, unknown to the directory, first shows in the second window, and is recounted then).
    expect(first.counters).toEqual({ advanced: 0, recounted: 3, alreadyApplied: 0, ahead: 0 });
    expect(second.counters).toEqual({ advanced: 3, recounted: 1, alreadyApplied: 0, ahead: 0 });
    expect(await liveCounters(env, TENANT_IDS)).toEqual(EXPECTED_COUNTERS);
    expect(second.reports.map((r) => [r.tenantId, r.liveCredentials])).toEqual([
      ['acme', 5],
      ['globex', 2],
      ['umbrella', 1],
    ]);
  });

  it('reports progress every N window items', async () => {
    const seen: [number, number][] = [];
    const deps = auditDepsFor(env, {
      now: () => NOW,
      owner: 'run-1',
      onProgress: (p) => seen.push([p.expiringInWindow, p.issuedInWindow]),
    });
    deps.config = { ...deps.config, progressEvery: 3, concurrency: 1 };
    await runAudit(deps);
    // Progress is checked per page (one per write shard holding records of the window, in the order
    // they arrive) and reported each time another 3 window items have been read: byExpiry's 12
    // first, then each tenant's issued records (acme 6, globex 1, initech 0, umbrella 1).
    const steps = seen.map(([expiring, issued]) => Math.floor((expiring + issued) / 3));
    expect(steps).toEqual([...new Set(steps)].sort((a, b) => a - b));
    expect(seen).toContainEqual([12, 0]);
    expect(seen.at(-1)).toEqual([12, 6]);
  });
});

describe('listAuditReports', () => {
  it("lists a tenant's reports newest first with an opaque cursor", async () => {
    const store = new DynamoAuditStore(env.client, { main: env.main, issuance: env.issuance });
    const base = structuredClone(EXPECTED_REPORTS.acme) as unknown as TenantAuditReport;
    for (const end of ['2026-03-10T10:00:00.000Z', '2026-03-10T11:00:00.000Z', '2026-03-10T12:00:00.000Z']) {
      await store.putReport({ ...base, windowEnd: end, runId: runIdOf(CHECKPOINT, end), createdAt: end });
    }
    // Another tenant's report must not show up.
    await store.putReport({ ...base, tenantId: 'globex', windowEnd: WINDOW_END, runId: RUN_ID, createdAt: WINDOW_END });

    const first = await listAuditReports(env.client, env.main, 'acme', { limit: 2 });
    expect(first.items.map((r) => r.windowEnd)).toEqual(['2026-03-10T12:00:00.000Z', '2026-03-10T11:00:00.000Z']);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await listAuditReports(env.client, env.main, 'acme', { limit: 2, cursor: first.nextCursor });
    expect(second.items.map((r) => r.windowEnd)).toEqual(['2026-03-10T10:00:00.000Z']);
    expect(second.items[0]).not.toHaveProperty('pk');

    await expect(listAuditReports(env.client, env.main, 'globex', { limit: 2, cursor: first.nextCursor })).rejects.toMatchObject({
      statusCode: 400,
      code: 'invalid_cursor',
    });
    await expect(listAuditReports(env.client, env.main, 'acme', { limit: 0 })).rejects.toMatchObject({ code: 'invalid_limit' });
    await expect(listAuditReports(env.client, env.main, 'acme', { limit: 2, cursor: 'not-a-cursor' })).rejects.toMatchObject({
      code: 'invalid_cursor',
    });
  });
});
