// Settings of the expiry audit, read from the environment once per cold start.
// Kept beside the audit: only the audit reads them; the parsing helper is shared with lib/core/config.ts.
import { intFrom } from '../core/config';

export interface AuditConfig {
  /** The first run (no checkpoint yet) looks back this far. */
  lookbackHours: number;
  /** A run audits at most this much time; a far-behind audit catches up over several runs. */
  maxWindowHours: number;
  /** A window ends this long before the run starts, so every record issued in it is written by then. */
  settleSeconds: number;
  /** How long a run holds the window when the caller cannot say (the CLI); must exceed a run's duration. */
  leaseSeconds: number;
  /** The CLI prints a progress line every this many window items. */
  progressEvery: number;
  /** Parallel DynamoDB requests while expiring records and looking up directory entries. */
  concurrency: number;
  /** Each flag list in a report keeps at most this many entries (its count stays exact). */
  reportListLimit: number;
}

export function loadAuditConfig(env: NodeJS.ProcessEnv = process.env): AuditConfig {
  return {
    lookbackHours: intFrom(env, 'AUDIT_LOOKBACK_HOURS', 24, 1, 24 * 400),
    maxWindowHours: intFrom(env, 'AUDIT_MAX_WINDOW_HOURS', 24, 1, 24 * 31),
    // Issuance Lambdas time out after 10 s; a minute covers a write retried until then, and clock skew.
    settleSeconds: intFrom(env, 'AUDIT_SETTLE_SECONDS', 60, 0, 3600),
    leaseSeconds: intFrom(env, 'AUDIT_LEASE_SECONDS', 960, 60, 86_400),
    progressEvery: intFrom(env, 'AUDIT_PROGRESS_EVERY', 1000, 1, 1_000_000),
    concurrency: intFrom(env, 'AUDIT_CONCURRENCY', 16, 1, 128),
    reportListLimit: intFrom(env, 'AUDIT_REPORT_LIST_LIMIT', 500, 1, 1000),
  };
}
