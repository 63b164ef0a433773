// Live credentials per tenant, kept by the audit alone. The issuance path writes its ledger record
// and nothing else (one DynamoDB write per issuance), so the audit derives the counts from two reads
// it makes anyway: the records expiring in its window (byExpiry) and the records issued in it (the
// table's own key, `${issuedAt}#${issuanceId}` per tenant).
//
// One item per tenant in the main table: { pk: TENANT#<tenantId>, sk: LIVE, live, auditedThrough }.
// `live` counts the tenant's credentials issued before `auditedThrough` and expiring at or after it.
// A window [start, end) moves a counter that is at `start` to `end`:
//   live(end) = live(start) + records issued in the window expiring at or after its start
//                           - records expiring in the window issued before its end
// This holds for any records, whatever their issue and expiry times (one issued and expired inside
// the window nets to 0), so no drift builds up. The write is conditioned on the `auditedThrough` the
// run read: each window goes in once, whichever run (a retry, an overlapping run) gets there first.
//
// A counter that is missing (the first run, a new tenant) or not at the window's start (a window it
// missed, a checkpoint moved by hand) is recounted instead: live(end) = records issued in the
// RECOUNT_LOOKBACK_SECONDS before `end` and expiring at or after it. No credential lives longer than
// 36 hours, so that is exact too; it costs one read of those records, once.
//
// The times compared are the key strings the queries see (`${iso}#${issuanceId}`): against a bare
// ISO instant t, `${x}#id` >= t exactly when x >= t, and `${x}#id` < t exactly when x < t.
import { expiryBucketOf, partitionsOf, tableKeys } from '../core/table-keys';
import type { StoredItem } from './checks';
import { MAX_STS_DURATION_SECONDS, secondsBefore } from './window';

/** How far back a recount reads issued records: the longest STS session and an hour for clock skew. */
export const RECOUNT_LOOKBACK_SECONDS = MAX_STS_DURATION_SECONDS + 3600;

export interface LiveCounter {
  live: number;
  /** The end of the last window in the count. */
  auditedThrough: string;
}

export function liveCounterKey(tenantId: string) {
  return { pk: tableKeys.tenant(tenantId).pk, sk: 'LIVE' };
}

export interface Span {
  start: string;
  end: string;
}

/** Where a recount starts reading issued records for a window ending at `end`. */
export function recountFrom(end: string): string {
  return secondsBefore(end, RECOUNT_LOOKBACK_SECONDS);
}

/**
 * The record's expiry key, if the window queries can find it there (its bucket is one of the
 * partitions they read for the hour of its expirySk): a record they cannot find never leaves a
 * count, so it must never enter one.
 */
function findableExpiry(item: StoredItem): string | undefined {
  const expirySk = item.expirySk;
  if (typeof expirySk !== 'string' || typeof item.expiryBucket !== 'string') return undefined;
  return partitionsOf(expiryBucketOf(expirySk)).includes(item.expiryBucket) ? expirySk : undefined;
}

/** What a tenant's records issued in the window (or read by a recount) contribute. */
export interface IssuedTally {
  /** Records issued in the window. */
  issued: number;
  /** Of those, the ones expiring in it too: byExpiry reads them as well (each of the two reads once). */
  alsoExpiring: number;
  /** Of those, the ones expiring at or after the window's start: what the window adds. */
  adds: number;
  /** Records issued in [recountFrom(end), end) and expiring at or after `end`: a recount's answer. */
  liveAtEnd: number;
}

export const emptyIssuedTally = (): IssuedTally => ({ issued: 0, alsoExpiring: 0, adds: 0, liveAtEnd: 0 });

/** Adds one page of records issued in the window. */
export function tallyIssued(tally: IssuedTally, items: readonly StoredItem[], window: Span): void {
  const from = recountFrom(window.end);
  for (const item of items) {
    tally.issued++;
    const expiry = findableExpiry(item);
    if (expiry === undefined) continue;
    if (expiry >= window.start) tally.adds++;
    if (expiry >= window.start && expiry < window.end) tally.alsoExpiring++;
    if (expiry >= window.end && String(item.sk) >= from) tally.liveAtEnd++;
  }
}

/** A recount's records issued before the window (all within the look back): those live at its end. */
export function liveAtEndOf(items: readonly StoredItem[], end: string): number {
  return items.filter((item) => (findableExpiry(item) ?? '') >= end).length;
}

/** Of the window's expiring records (all findable, being found), those issued before its end. */
export function removes(item: StoredItem, window: Span): boolean {
  return String(item.sk) < window.end;
}

export type CounterStep =
  /** The window is in the counter already (a retried or overlapping run got there first). */
  | { kind: 'applied'; live: number }
  /** The counter is at the window's start: add the window to it. */
  | { kind: 'advance'; live: number }
  /**
   * Missing or elsewhere: recount. `write` is false when a later window is in the counter already
   * (this run was overtaken, or the checkpoint was put back): the recount serves the report only.
   */
  | { kind: 'recount'; write: boolean };

/** What to do with a tenant's counter, given the window's net change (adds - removes). */
export function counterStep(counter: LiveCounter | undefined, window: Span, delta: number): CounterStep {
  if (counter?.auditedThrough === window.end) return { kind: 'applied', live: counter.live };
  if (counter?.auditedThrough === window.start) return { kind: 'advance', live: counter.live + delta };
  return { kind: 'recount', write: !(counter !== undefined && counter.auditedThrough > window.end) };
}
