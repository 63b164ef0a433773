// The overview's figures from the API's records: plain functions (unit-tested in test/unit/console).
import type { TimeSeries } from './charts-data';
import type { AuditReport, Issuance } from './types';

const HOUR = 3600;

/** Issuances per hour of the 24 hours up to `now` (Unix seconds), one series per partner and mode. */
export function perHour(items: Issuance[], now: number): TimeSeries {
  const end = Math.floor(now / HOUR) * HOUR;
  const x = Array.from({ length: 24 }, (_, i) => end - (23 - i) * HOUR);
  const bySeries = new Map<string, number[]>();
  for (const item of items) {
    const at = Math.floor(Date.parse(item.issuedAt) / 1000 / HOUR) * HOUR;
    const slot = x.indexOf(at);
    if (slot < 0) continue;
    const label = `${item.partnerId} · ${item.mode}`;
    const values = bySeries.get(label) ?? new Array<number>(24).fill(0);
    values[slot] = (values[slot] ?? 0) + 1;
    bySeries.set(label, values);
  }
  return { x, series: [...bySeries.entries()].sort().map(([label, values]) => ({ label, values })) };
}

/** Findings of the audit reports by code: live credentials of disabled parts by reason, and the rest. */
export function findingsByCode(reports: AuditReport[]): Record<string, number> {
  const counts: Record<string, number> = {};
  const add = (code: string, n = 1) => {
    if (n > 0) counts[code] = (counts[code] ?? 0) + n;
  };
  for (const r of reports) {
    for (const flag of r.liveCredentialsOfDisabled ?? []) add(flag.reason);
    add('over_max_duration', r.flagCounts?.overMaxDuration ?? 0);
    add('invalid_record', r.flagCounts?.invalidRecords ?? 0);
    for (const p of r.policyProblems ?? []) add(p.code);
  }
  return counts;
}
