// The audit's time window and the index partitions (hour buckets) it touches.
import { createHash } from 'node:crypto';
import { expiryBucketOf } from '../core/table-keys';

/** The longest session STS can issue (GetFederationToken): nothing issued earlier is still live. */
export const MAX_STS_DURATION_SECONDS = 129_600;

const HOUR_MS = 3_600_000;

export interface AuditWindow {
  /** Inclusive; an ISO timestamp in the `Date.toISOString()` form the records use. */
  start: string;
  /** Exclusive. */
  end: string;
  /** Derived from the window, so a retried or overlapping run writes to the same report keys. */
  runId: string;
}

export function runIdOf(start: string, end: string): string {
  return createHash('sha256').update(`${start}|${end}`, 'utf8').digest('hex').slice(0, 16);
}

/**
 * The latest instant a window may end at: `settleSeconds` before now. A record's issuedAt is taken
 * before its write lands (the write can be retried within the issuing Lambda's timeout), so the
 * newest records may not be readable yet; a window that read past them would never count them.
 */
export function auditableUntil(now: Date, settleSeconds: number): string {
  return new Date(now.getTime() - settleSeconds * 1000).toISOString();
}

/**
 * The next window after `through` (the checkpoint), or undefined when there is nothing to audit.
 * Without a checkpoint the audit starts `lookbackHours` back; a window never exceeds `maxWindowHours`.
 */
export function nextWindow(
  through: string | undefined,
  now: Date,
  opts: { lookbackHours: number; maxWindowHours: number; settleSeconds: number },
): AuditWindow | undefined {
  const untilMs = Date.parse(auditableUntil(now, opts.settleSeconds));
  const startMs = through !== undefined ? Date.parse(through) : untilMs - opts.lookbackHours * HOUR_MS;
  if (Number.isNaN(startMs)) throw new Error(`The audit checkpoint is not a timestamp: ${through}`);
  const endMs = Math.min(untilMs, startMs + opts.maxWindowHours * HOUR_MS);
  if (endMs <= startMs) return undefined;
  const start = new Date(startMs).toISOString();
  const end = new Date(endMs).toISOString();
  return { start, end, runId: runIdOf(start, end) };
}

/** Every `byExpiry` partition (UTC hour of expiresAt) that can hold an expiry in [start, end). */
export function hourBuckets(start: string, end: string): string[] {
  const first = Math.floor(Date.parse(start) / HOUR_MS) * HOUR_MS;
  const last = Date.parse(end) - 1;
  const buckets: string[] = [];
  for (let t = first; t <= last; t += HOUR_MS) buckets.push(expiryBucketOf(new Date(t).toISOString()));
  return buckets;
}

export function secondsBefore(iso: string, seconds: number): string {
  return new Date(Date.parse(iso) - seconds * 1000).toISOString();
}
