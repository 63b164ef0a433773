import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { AuditRunResult } from '../../../lib/audit/audit';
import { publishRunMetrics, runSummary } from '../../../lib/audit/telemetry';

const result: AuditRunResult = {
  status: 'completed',
  window: { start: '2026-03-10T11:45:00.000Z', end: '2026-03-10T12:00:00.000Z', runId: 'abc' },
  checkpoint: '2026-03-10T12:00:00.000Z',
  resumed: false,
  caughtUp: true,
  windowItems: 160,
  expiringInWindow: 100,
  issuedInWindow: 60,
  issuedAndExpiringInWindow: 10,
  expiredNow: 98,
  counters: { advanced: 3, recounted: 1, alreadyApplied: 0, ahead: 0 },
  tenantsReported: 3,
  reportsWritten: 3,
  reportsExisting: 0,
  liveCredentials: 40,
  flags: { liveCredentialsOfDisabled: 2, overMaxDuration: 1, invalidRecords: 0 },
  reads: { windowItems: 160, recountItems: 40, liveLookupItems: 7, directoryItems: 20, byTarget: { t: 1 } },
  reports: [],
};

describe('runSummary', () => {
  it('carries counts only, and the reads per window item (expiring + issued), recount reads apart', () => {
    const summary = runSummary(result, 1234);
    expect(summary).toMatchObject({
      status: 'completed',
      runId: 'abc',
      windowItems: 160,
      expiringInWindow: 100,
      issuedInWindow: 60,
      expiredNow: 98,
      durationMs: 1234,
      counters: { advanced: 3, recounted: 1, alreadyApplied: 0, ahead: 0 },
    });
    // 150 records in the window, 10 of them both issued and expiring in it (read by both queries).
    expect(summary.reads).toEqual({
      windowItems: 160,
      recountItems: 40,
      liveLookupItems: 7,
      directoryItems: 20,
      perWindowItem: 1,
      perWindowRecord: 1.067,
    });
    expect(summary.issuedAndExpiringInWindow).toBe(10);
    expect(runSummary({ ...result, reads: { ...result.reads, windowItems: 170 } }, 1).reads.perWindowItem).toBe(1.063);
    expect(summary).not.toHaveProperty('reports');
  });
});

describe('publishRunMetrics', () => {
  let written: string[];
  beforeEach(() => {
    written = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it("flushes one EMF document with the run's counts", () => {
    publishRunMetrics(new Metrics({ namespace: 'credvend', serviceName: 'credvend' }), result, 1234);
    const docs = written.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(docs).toHaveLength(1);
    expect(docs[0]).toMatchObject({
      AuditRuns: 1,
      AuditRunsCompleted: 1,
      AuditWindowItems: 160,
      AuditExpiringInWindow: 100,
      AuditIssuedInWindow: 60,
      AuditCountersRecounted: 1,
      AuditExpiredNow: 98,
      AuditFlagLiveOfDisabled: 2,
      AuditFlagOverMaxDuration: 1,
      AuditFlagInvalidRecords: 0,
      AuditItemsReadWindow: 160,
      AuditItemsReadRecount: 40,
      AuditDuration: 1234,
      _aws: { CloudWatchMetrics: [expect.objectContaining({ Namespace: 'credvend' })] },
    });
  });

  it("publishes the checkpoint's age as AuditLagSeconds, for an idle or locked run too, and none before any checkpoint", () => {
    const metrics = new Metrics({ namespace: 'credvend', serviceName: 'credvend' });
    const now = new Date('2026-03-10T12:20:00.000Z');
    publishRunMetrics(metrics, result, 1, now);
    publishRunMetrics(metrics, { ...result, status: 'locked', window: undefined, checkpoint: '2026-03-10T10:00:00.000Z' }, 1, now);
    publishRunMetrics(metrics, { ...result, status: 'locked', window: undefined, checkpoint: undefined }, 1, now);
    const docs = written.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(docs.map((d) => d.AuditLagSeconds)).toEqual([1200, 8400, undefined]);
    const units = (docs[0]!._aws as { CloudWatchMetrics: { Metrics: { Name: string; Unit: string }[] }[] }).CloudWatchMetrics[0]!.Metrics;
    expect(units).toContainEqual({ Name: 'AuditLagSeconds', Unit: 'Seconds' });
  });
});
