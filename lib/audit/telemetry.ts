// What a run tells operators: one structured summary (a log line) and CloudWatch metrics (EMF).
// Only counts and ids leave here; flagged credentials are listed in the stored reports.
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { AuditRunResult } from './audit';

const ratio = (read: number, items: number) => (items > 0 ? Number((read / items).toFixed(3)) : 0);

export function runSummary(result: AuditRunResult, durationMs: number) {
  return {
    status: result.status,
    runId: result.window?.runId,
    windowStart: result.window?.start,
    windowEnd: result.window?.end,
    checkpoint: result.checkpoint,
    resumed: result.resumed,
    caughtUp: result.caughtUp,
    windowItems: result.windowItems,
    expiringInWindow: result.expiringInWindow,
    issuedInWindow: result.issuedInWindow,
    issuedAndExpiringInWindow: result.issuedAndExpiringInWindow,
    expiredNow: result.expiredNow,
    counters: result.counters,
    liveCredentials: result.liveCredentials,
    tenantsReported: result.tenantsReported,
    reportsWritten: result.reportsWritten,
    reportsExisting: result.reportsExisting,
    flags: result.flags,
    reads: {
      windowItems: result.reads.windowItems,
      recountItems: result.reads.recountItems,
      liveLookupItems: result.reads.liveLookupItems,
      directoryItems: result.reads.directoryItems,
      // The budget: items read through byExpiry and the issued-in-window queries per item expiring
      // or issued in the window. Recounts (a new or out-of-step counter) read apart, in recountItems.
      perWindowItem: ratio(result.reads.windowItems, result.windowItems),
      // The same per record, a record issued and expiring in the window counted once (both queries
      // read it): above 1 by the share of such records, which short windows keep near 0.
      perWindowRecord: ratio(result.reads.windowItems, result.windowItems - result.issuedAndExpiringInWindow),
    },
    durationMs,
  };
}

/**
 * Seconds between `now` and what the audit has audited through: the lag an alarm watches
 * (serverless.yml, AuditLagAlarm). Normal is the settle time plus up to one schedule period.
 */
export function auditLagSeconds(result: AuditRunResult, now: Date): number | undefined {
  if (result.checkpoint === undefined) return undefined;
  return Math.max(0, Math.round((now.getTime() - Date.parse(result.checkpoint)) / 1000));
}

/** Adds the run's metrics to `metrics` and flushes them as one EMF document. */
export function publishRunMetrics(metrics: Metrics, result: AuditRunResult, durationMs: number, now = new Date()): void {
  const count = (name: string, value: number) => metrics.addMetric(name, MetricUnit.Count, value);
  count('AuditRuns', 1);
  count(`AuditRuns${result.status.charAt(0).toUpperCase()}${result.status.slice(1)}`, 1);
  count('AuditWindowItems', result.windowItems);
  count('AuditExpiringInWindow', result.expiringInWindow);
  count('AuditIssuedInWindow', result.issuedInWindow);
  count('AuditCountersRecounted', result.counters.recounted);
  count('AuditExpiredNow', result.expiredNow);
  count('AuditLiveCredentials', result.liveCredentials);
  count('AuditFlagLiveOfDisabled', result.flags.liveCredentialsOfDisabled);
  count('AuditFlagOverMaxDuration', result.flags.overMaxDuration);
  count('AuditFlagInvalidRecords', result.flags.invalidRecords);
  count('AuditReportsWritten', result.reportsWritten);
  count('AuditItemsReadWindow', result.reads.windowItems);
  count('AuditItemsReadRecount', result.reads.recountItems);
  count('AuditItemsReadLiveLookups', result.reads.liveLookupItems);
  count('AuditItemsReadDirectory', result.reads.directoryItems);
  metrics.addMetric('AuditDuration', MetricUnit.Milliseconds, durationMs);
  // Published by every run that ends, whatever its status; a run that fails or never starts
  // publishes none, and the alarm treats missing data as breaching.
  const lag = auditLagSeconds(result, now);
  if (lag !== undefined) metrics.addMetric('AuditLagSeconds', MetricUnit.Seconds, lag);
  metrics.publishStoredMetrics();
}

export function publishFailureMetric(metrics: Metrics): void {
  metrics.addMetric('AuditRunsFailed', MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
}
