// EventBridge schedule -> one expiry audit run: one summary log line and one EMF metrics document.
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { runAudit } from '../lib/audit/audit';
import { publishFailureMetric, publishRunMetrics, runSummary } from '../lib/audit/telemetry';
import { withInvocationDeadline } from '../lib/aws/deadline';
import { runInvocation } from '../lib/core/invocation';
import { logger } from '../lib/core/log';
import { auditDeps } from '../lib/wiring/audit';

// Namespace and service come from POWERTOOLS_METRICS_NAMESPACE / POWERTOOLS_SERVICE_NAME.
const metrics = new Metrics();

export function handler(_event: unknown, context: Context) {
  return runInvocation({ requestId: context.awsRequestId }, () => auditRun(context));
}

async function auditRun(context: Context) {
  const started = Date.now();
  // The claim on the window outlives this invocation's deadline by a minute, so no other run takes
  // the window over while this one may still be working on it. An async retry of this invocation
  // keeps the request id, so it resumes its own window at once.
  const leaseMs = context.getRemainingTimeInMillis() + 60_000;
  try {
    // AWS calls stop short of the Lambda timeout, so a run that overstays fails here, with its
    // failure metric and log line, instead of being cut off; a later run takes the window over
    // once the lease runs out, and re-auditing it counts nothing twice.
    const result = await withInvocationDeadline(context, () => runAudit(auditDeps({ owner: context.awsRequestId, leaseMs })));
    const durationMs = Date.now() - started;
    publishRunMetrics(metrics, result, durationMs);
    const summary = runSummary(result, durationMs);
    logger.info('expiry audit run', summary);
    return summary;
  } catch (err) {
    publishFailureMetric(metrics);
    logger.error('expiry audit run failed', err as Error);
    throw err;
  }
}
