import { describe, expect, it } from '@jest/globals';
import { type AuditRunFigures, auditPlan, inWindow, scheduledFigures, seededTimes } from '../../../bench/audit';
import { loadAuditConfig } from '../../../lib/audit/config';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const T0 = Date.parse('2026-03-01T10:07:13.000Z');
const config = loadAuditConfig({});

describe('audit plan', () => {
  const plan = auditPlan(T0, 15 * MINUTE_MS, config);
  const scheduled = plan.runs.filter((r) => r.kind === 'scheduled');

  it('starts with the first run ever over the 24-hour look back, ending the settle time before its clock', () => {
    expect(plan.runs[0]).toEqual({ kind: 'bootstrap', now: T0, window: { start: T0 - MINUTE_MS - 24 * HOUR_MS, end: T0 - MINUTE_MS } });
  });

  it('then runs every period for 6 hours, each auditing the period since the previous one', () => {
    expect(scheduled).toHaveLength(24);
    let through = plan.runs[0]!.window.end;
    scheduled.forEach((run, i) => {
      expect(run.now).toBe(T0 + (i + 1) * 15 * MINUTE_MS);
      expect(run.window).toEqual({ start: through, end: run.now - MINUTE_MS });
      through = run.window.end;
    });
  });

  it('ends with one 24-hour window after a day without runs, and issues records from an hour before the first scheduled window to its end', () => {
    const catchUp = plan.runs[plan.runs.length - 1]!;
    const last = scheduled[scheduled.length - 1]!;
    expect(catchUp).toEqual({
      kind: 'catch-up',
      now: last.now + 24 * HOUR_MS,
      window: { start: last.window.end, end: last.window.end + 24 * HOUR_MS },
    });
    expect(plan.span).toEqual({ start: scheduled[0]!.window.start - HOUR_MS, end: catchUp.window.end });
  });

  it('follows the period: hourly runs are 6 over the same hours', () => {
    const hourly = auditPlan(T0, HOUR_MS, config).runs.filter((r) => r.kind === 'scheduled');
    expect(hourly).toHaveLength(6);
    expect(hourly[0]!.window.end - hourly[0]!.window.start).toBe(HOUR_MS);
  });
});

describe('audit seed', () => {
  const plan = auditPlan(T0, 15 * MINUTE_MS, config);
  const seeded = seededTimes(10_000, plan.span);

  it('issues records evenly over the span, each living 15 to 60 minutes', () => {
    expect(seeded).toHaveLength(10_000);
    expect(Math.min(...seeded.map((s) => s.issuedAt))).toBeGreaterThanOrEqual(plan.span.start);
    expect(Math.max(...seeded.map((s) => s.issuedAt))).toBeLessThan(plan.span.end);
    expect(new Set(seeded.map((s) => (s.expiresAt - s.issuedAt) / MINUTE_MS))).toEqual(new Set([15, 30, 45, 60]));
  });

  it('puts about 160 records in each 15-minute window, none of them both issued and expiring in it', () => {
    for (const run of plan.runs.filter((r) => r.kind === 'scheduled')) {
      const w = inWindow(seeded, run.window.start, run.window.end);
      expect(w.either).toBeGreaterThanOrEqual(155);
      expect(w.either).toBeLessThanOrEqual(165);
      expect(w.either).toBe(w.issued + w.expiring);
    }
  });

  it('counts a record issued and expiring in a 24-hour window once: most of its records are both', () => {
    const catchUp = plan.runs[plan.runs.length - 1]!;
    const w = inWindow(seeded, catchUp.window.start, catchUp.window.end);
    expect(w.either).toBeLessThan(w.issued + w.expiring);
    expect((w.issued + w.expiring) / w.either).toBeGreaterThan(1.9);
  });

  it('counts the records live at the window end: issued before it, expiring at or after it', () => {
    const records = [
      { issuedAt: 0, expiresAt: 100 },
      { issuedAt: 50, expiresAt: 200 },
      { issuedAt: 99, expiresAt: 150 },
      { issuedAt: 100, expiresAt: 300 },
    ];
    expect(inWindow(records, 0, 100)).toEqual({ expiring: 0, issued: 3, either: 3, liveAtEnd: 3 });
    expect(inWindow(records, 100, 200)).toEqual({ expiring: 2, issued: 1, either: 3, liveAtEnd: 2 });
  });
});

function run(inWindowCount: number, adapterTotal: number, wire: number, problems: string[] = []): AuditRunFigures {
  return {
    kind: 'scheduled',
    window: { start: '2026-03-01T10:06:13.000Z', end: '2026-03-01T10:21:13.000Z' },
    status: 'completed',
    auditSeconds: 0.5,
    expiringInWindow: inWindowCount / 2,
    issuedInWindow: inWindowCount / 2,
    inWindow: inWindowCount,
    adapter: {
      windowItems: inWindowCount,
      recountItems: 0,
      liveLookupItems: 0,
      directoryItems: adapterTotal - inWindowCount,
      total: adapterTotal,
    },
    wireItemsRead: wire,
    wireReadRequests: 8,
    itemsRead: Math.max(adapterTotal, wire),
    itemsReadPerWindowItem: Math.max(adapterTotal, wire) / inWindowCount,
    auditWindowItems: inWindowCount,
    expiredNow: inWindowCount / 2,
    liveCredentials: 10,
    expectedLive: 10,
    correct: problems.length === 0,
    problems,
  };
}

describe('scheduledFigures', () => {
  const schedule = { expression: 'rate(15 minutes)', periodMs: 15 * MINUTE_MS };

  it('sums the runs: items read (the larger count of each run) over items in the windows', () => {
    const s = scheduledFigures(schedule, [run(100, 106, 106), run(200, 206, 210)]);
    expect(s).toMatchObject({
      schedule: 'rate(15 minutes)',
      periodSeconds: 900,
      runs: 2,
      inWindow: 300,
      itemsRead: 316,
      wireItemsRead: 316,
    });
    expect(s.adapter).toEqual({ windowItems: 300, recountItems: 0, liveLookupItems: 0, directoryItems: 12, total: 312 });
    expect(s.itemsReadPerWindowItem).toBeCloseTo(316 / 300, 10);
    expect(s.worstRunItemsReadPerWindowItem).toBeCloseTo(1.06, 10);
    expect(s.inWindowPerRun).toEqual({ min: 100, max: 200 });
    expect(s.correct).toBe(true);
  });

  it('is wrong when any run was', () => {
    expect(scheduledFigures(schedule, [run(100, 106, 106), run(100, 106, 106, ['expired 49, seeded 50'])]).correct).toBe(false);
  });

  it('refuses no runs', () => {
    expect(() => scheduledFigures(schedule, [])).toThrow('no scheduled runs');
  });
});
