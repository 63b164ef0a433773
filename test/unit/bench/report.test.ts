import { describe, expect, it } from '@jest/globals';
import type { AuditMeasurement, AuditRunFigures } from '../../../bench/audit';
import { analyzeCalls, type IssuanceCalls } from '../../../bench/calls';
import {
  evaluateBudgets,
  failedCountedBudgets,
  markdownTable,
  withResults,
  type AuditSection,
  type ColdFigures,
  type Results,
  type WarmFigures,
} from '../../../bench/report';

function warm(issuances: number, opts: { writes?: number; itemsWritten?: number; sts?: number; medianMs?: number } = {}): WarmFigures {
  const list: IssuanceCalls[] = Array.from({ length: issuances }, (_, i) => ({
    startMs: i * 10, endMs: i * 10 + 5, reads: 0, writes: 1, sts: 1, other: 0, measured: true,
  }));
  const writes = opts.writes ?? issuances;
  const sts = opts.sts ?? issuances;
  return {
    issuances,
    medianMs: opts.medianMs ?? 2,
    p99Ms: 10,
    throughputPerSecond: 400,
    segmentMedianMs: [2],
    calls: analyzeCalls(list, 15_000),
    server: { reads: 0, itemsRead: 0, writes, itemsWritten: opts.itemsWritten ?? writes, stsCalls: sts, byOperation: {} },
    countsAgree: writes === issuances && sts === issuances,
  };
}

const cold = (initMs: number): ColdFigures => ({ runs: 15, initMs, requireMs: initMs, wallMs: initMs + 30 });

function auditFigures(records: number, perWindowItem: number, correct: boolean): AuditRunFigures {
  const inWindow = records / 100;
  const read = Math.round(perWindowItem * inWindow);
  return {
    window: { start: '2026-01-01T00:00:00.000Z', end: '2026-01-02T00:00:00.000Z' },
    status: 'completed',
    auditSeconds: 1,
    expiringInWindow: inWindow,
    issuedInWindow: inWindow,
    inWindow,
    adapter: { windowItems: inWindow, recountItems: 0, liveLookupItems: 0, directoryItems: read - inWindow, total: read },
    wireItemsRead: read,
    wireReadRequests: 10,
    itemsReadPerWindowItem: perWindowItem,
    auditWindowItems: 2 * inWindow,
    itemsReadPerAuditWindowItem: perWindowItem / 2,
    expiredNow: inWindow,
    correct,
  };
}

/** The bootstrap run reads a lot (a recount); only the scheduled run is judged. */
function auditRun(records: number, perWindowItem: number, correct = true): AuditMeasurement {
  return { records, seedSeconds: 1, bootstrap: auditFigures(records, 3, true), steady: auditFigures(records, perWindowItem, correct) };
}

function results(over: { bundleRatio?: number; vend?: WarmFigures; audit?: AuditSection } = {}): Omit<Results, 'budgets'> {
  const vend = over.vend ?? warm(100, { medianMs: 2.1 });
  const baseline = warm(100);
  return {
    mode: 'quick',
    machine: { cpu: 'Test CPU', cores: 2, memoryGiB: 4, node: 'v20.0.0', platform: 'linux-x64', date: '2026-01-01T00:00:00.000Z', loadAverage: { start: [0.5, 0, 0], end: [0.7, 0, 0] } },
    settings: { cacheTtlSeconds: 15 },
    bundles: {
      baseline: { functions: [], entry: 'bench/baseline.ts', bytes: 1000, gzipBytes: 300 },
      handlers: [{ functions: ['issueCredentials'], entry: 'handlers/credentials.ts', bytes: 1000 * (over.bundleRatio ?? 1.1), gzipBytes: 330 }],
      vendRatio: over.bundleRatio ?? 1.1,
    },
    cold: { empty: cold(0), baseline: cold(100), vend: cold(110), others: {}, initRatio: 1.1, requireRatio: 1.1 },
    warm: { baseline, vend, medianRatio: vend.medianMs / baseline.medianMs, p99Ratio: 1, throughputRatio: 1 },
    audit: over.audit ?? { measured: true, runs: [auditRun(10_000, 1.03)] },
  };
}

const byId = (budgets: ReturnType<typeof evaluateBudgets>, id: string) => budgets.find((b) => b.id === id)!;

describe('evaluateBudgets', () => {
  it('meets every budget within its limit and fails none', () => {
    const budgets = evaluateBudgets(results());
    expect(budgets.map((b) => [b.id, b.met])).toEqual([
      ['bundle-bytes', true],
      ['cold-init', true],
      ['warm-median', true],
      ['warm-p99', true],
      ['reads-per-issuance', true],
      ['writes-per-issuance', true],
      ['sts-per-issuance', true],
      ['audit-items-10000', true],
    ]);
    expect(failedCountedBudgets(budgets)).toEqual([]);
  });

  it('fails the counted bundle budget above 1.15x, and a timing budget without gating it', () => {
    const budgets = evaluateBudgets(results({ bundleRatio: 1.16, vend: warm(100, { medianMs: 3 }) }));
    expect(byId(budgets, 'bundle-bytes').met).toBe(false);
    expect(byId(budgets, 'warm-median').met).toBe(false);
    expect(failedCountedBudgets(budgets).map((b) => b.id)).toEqual(['bundle-bytes']);
  });

  it('fails writes when a transaction writes two items in one request', () => {
    const budgets = evaluateBudgets(results({ vend: warm(100, { itemsWritten: 200 }) }));
    const writes = byId(budgets, 'writes-per-issuance');
    expect(writes.met).toBe(false);
    expect(writes.value).toBe(2);
    expect(writes.note).toBe('write requests 100, items written 200 over 100 issuances');
  });

  it('fails writes and STS when the servers saw more than the client counted', () => {
    const budgets = evaluateBudgets(results({ vend: warm(100, { writes: 101, sts: 102 }) }));
    expect(byId(budgets, 'writes-per-issuance').met).toBe(false);
    expect(byId(budgets, 'sts-per-issuance').met).toBe(false);
    expect(byId(budgets, 'sts-per-issuance').note).toBe('client and server counts disagree');
  });

  it('fails the audit above 1.1 items per window item, or when it missed records', () => {
    const over = evaluateBudgets(results({ audit: { measured: true, runs: [auditRun(10_000, 1.2)] } }));
    expect(byId(over, 'audit-items-10000').met).toBe(false);
    const wrong = evaluateBudgets(results({ audit: { measured: true, runs: [auditRun(10_000, 1.0, false)] } }));
    expect(byId(wrong, 'audit-items-10000').met).toBe(false);
  });

  it('marks an audit that could not run as not measured and failed, one not run as unknown', () => {
    const failed = evaluateBudgets(results({ audit: { measured: false, reason: 'boom', failed: true } }));
    expect(byId(failed, 'audit-items')).toMatchObject({ value: null, met: false, note: 'not measured: boom' });
    const skipped = evaluateBudgets(results({ audit: { measured: false, reason: 'not asked', failed: false } }));
    expect(byId(skipped, 'audit-items').met).toBeNull();
    expect(failedCountedBudgets(skipped)).toEqual([]);
  });
});

describe('markdownTable', () => {
  it('shows the machine, the figures and each verdict', () => {
    const partial = results({ bundleRatio: 1.5 });
    const table = markdownTable({ ...partial, budgets: evaluateBudgets(partial) });
    expect(table).toContain('Machine: Test CPU, 2 cores, 4 GiB, Node v20.0.0 (linux-x64), 2026-01-01T00:00:00.000Z, quick mode');
    expect(table).toContain('| bundle bytes | 1,000 B | 1,500 B | 1.500× | <= 1.15x | **not met** |');
    expect(table).toContain('| warm median latency (100 issuances) | 2.00 ms | 2.10 ms | 1.050× | <= 1.1x | met |');
    expect(table).toContain('| expiry audit items read / item in window, 10,000 records, scheduled run (100 in window) |  | 1.03 |  | <= 1.1 | met |');
    expect(table).toContain('| … first run ever (no checkpoint or counter yet; 100 in window) |  | 3 |  |  |  |');
  });
});

describe('withResults', () => {
  it('replaces only what lies between the markers', () => {
    const readme = 'intro\n<!-- bench:results:start -->\nold\n<!-- bench:results:end -->\nafter\n';
    expect(withResults(readme, 'new')).toBe('intro\n<!-- bench:results:start -->\nnew\n<!-- bench:results:end -->\nafter\n');
    expect(() => withResults('no markers', 'x')).toThrow('markers');
  });
});
