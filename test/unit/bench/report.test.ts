import { describe, expect, it } from '@jest/globals';
import { type AuditMeasurement, type AuditRunFigures, scheduledFigures } from '../../../bench/audit';
import { analyzeCalls, type IssuanceCalls } from '../../../bench/calls';
import {
  type AuditSection,
  auditTable,
  bundleFigures,
  type ColdFigures,
  evaluateBudgets,
  failedCountedBudgets,
  markdownTable,
  type Results,
  type TokenSection,
  tokenBudgets,
  tokenTable,
  type WarmFigures,
  withResults,
} from '../../../bench/report';

/** `each`: writes per issuance (the vend path's are the record and the rate-limit window: 2). */
function warm(
  issuances: number,
  opts: { each?: number; writes?: number; itemsWritten?: number; sts?: number; medianMs?: number } = {},
): WarmFigures {
  const each = opts.each ?? 1;
  const list: IssuanceCalls[] = Array.from({ length: issuances }, (_, i) => ({
    startMs: i * 10,
    endMs: i * 10 + 5,
    reads: 0,
    writes: each,
    sts: 1,
    other: 0,
    measured: true,
  }));
  const writes = opts.writes ?? issuances * each;
  const sts = opts.sts ?? issuances;
  return {
    issuances,
    medianMs: opts.medianMs ?? 2,
    p99Ms: 10,
    throughputPerSecond: 400,
    segmentMedianMs: [2],
    calls: analyzeCalls(list, 15_000),
    server: { reads: 0, itemsRead: 0, writes, itemsWritten: opts.itemsWritten ?? writes, stsCalls: sts, byOperation: {} },
    countsAgree: writes === issuances * each && sts === issuances,
  };
}

const cold = (initMs: number): ColdFigures => ({ runs: 15, initMs, requireMs: initMs, wallMs: initMs + 30 });

function runFigures(kind: AuditRunFigures['kind'], inWindow: number, perWindowItem: number, problems: string[] = []): AuditRunFigures {
  const read = Math.round(perWindowItem * inWindow);
  return {
    kind,
    window: { start: '2026-01-01T00:00:00.000Z', end: kind === 'scheduled' ? '2026-01-01T00:15:00.000Z' : '2026-01-02T00:00:00.000Z' },
    status: 'completed',
    auditSeconds: 1,
    expiringInWindow: inWindow / 2,
    issuedInWindow: inWindow / 2,
    inWindow,
    adapter: { windowItems: inWindow, recountItems: 0, liveLookupItems: 0, directoryItems: read - inWindow, total: read },
    wireItemsRead: read,
    wireReadRequests: 10,
    itemsRead: read,
    itemsReadPerWindowItem: read / inWindow,
    auditWindowItems: inWindow,
    expiredNow: inWindow / 2,
    liveCredentials: 5,
    expectedLive: 5,
    correct: problems.length === 0,
    problems,
  };
}

/**
 * 24 scheduled runs of 160 window items and `perWindowItem` items read per window item; the first run
 * (a recount) and the catch-up read a lot more, but only the scheduled runs are judged.
 */
function auditRun(
  records: number,
  perWindowItem: number,
  opts: { problems?: string[]; catchUp?: boolean; finalWrong?: number; wire?: number } = {},
): AuditMeasurement {
  const runs = Array.from({ length: 24 }, (_, i) => runFigures('scheduled', 160, perWindowItem, i === 5 ? opts.problems : []));
  if (opts.wire !== undefined) runs[0] = { ...runs[0]!, wireItemsRead: opts.wire, itemsRead: Math.max(opts.wire, runs[0]!.adapter.total) };
  const scheduled = scheduledFigures({ expression: 'rate(15 minutes)', periodMs: 900_000 }, runs);
  const catchUp = opts.catchUp ? { catchUp: runFigures('catch-up', 8000, 1.95) } : {};
  const finalStatus = { records, expired: records - 200, active: 200, wrong: opts.finalWrong ?? 0 };
  return {
    records,
    seedSeconds: 1,
    span: { start: '2025-12-31T23:00:00.000Z', end: '2026-01-02T06:00:00.000Z', hours: 31 },
    issuedPerPeriod: 80,
    bootstrap: runFigures('bootstrap', 300, 3),
    scheduled,
    ...catchUp,
    finalStatus,
    correct: scheduled.correct && finalStatus.wrong === 0,
  };
}

const PACKAGE = { dir: '.serverless', stage: 'ci', builtAt: '2026-01-01T00:00:00.000Z' };

function results(over: { bundleRatio?: number; vend?: WarmFigures; audit?: AuditSection } = {}): Omit<Results, 'budgets'> {
  const vend = over.vend ?? warm(100, { each: 2, medianMs: 2.1 });
  const baseline = warm(100);
  return {
    mode: 'quick',
    machine: {
      cpu: 'Test CPU',
      cores: 2,
      memoryGiB: 4,
      node: 'v20.0.0',
      platform: 'linux-x64',
      date: '2026-01-01T00:00:00.000Z',
      loadAverage: { start: [0.5, 0, 0], end: [0.7, 0, 0] },
    },
    settings: { cacheTtlSeconds: 15 },
    bundles: bundleFigures(
      PACKAGE,
      { functions: [], entry: 'bench/baseline.mjs', bytes: 1000, gzipBytes: 300, zipBytes: 400 },
      [
        { functions: ['health'], entry: 'handlers/health.mjs', bytes: 900, gzipBytes: 280, zipBytes: 350 },
        {
          functions: ['issueCredentials', 'containerCredentials'],
          entry: 'handlers/credentials.mjs',
          bytes: 1000 * (over.bundleRatio ?? 1.1),
          gzipBytes: 330,
          zipBytes: 420,
        },
      ],
      'issueCredentials',
    ),
    cold: { empty: cold(0), baseline: cold(100), vend: cold(110), others: {}, initRatio: 1.1, requireRatio: 1.1 },
    warm: { baseline, vend, medianRatio: vend.medianMs / baseline.medianMs, p99Ratio: 1, throughputRatio: 1 },
    audit: over.audit ?? { measured: true, runs: [auditRun(10_000, 1.05)] },
  };
}

const byId = (budgets: ReturnType<typeof evaluateBudgets>, id: string) => budgets.find((b) => b.id === id)!;

/** Token rows against `baseline`: warm 2.5 ms (JWKS fetched twice in the warm-up, never after), cold 150 ms against 100. */
function tokenSection(baseline: WarmFigures, issuer = { warmup: 2, measured: 0 }, keyMs?: number): TokenSection {
  const token = { ...warm(100, { each: 2, medianMs: 2.5 }), issuerRequests: issuer };
  return {
    partnerId: 'bench-oidc',
    warm: { baseline, token, medianRatio: token.medianMs / baseline.medianMs, p99Ratio: 1, throughputRatio: 0.8 },
    cold: {
      runs: 15,
      baselineMs: 100,
      tokenMs: 150,
      ratio: 1.5,
      ...(keyMs !== undefined ? { keyMs, keyRatio: keyMs / 100 } : {}),
      baselineFirstMs: 40,
      tokenFirstMs: 90,
      issuerRequestsPerProcess: 2,
    },
  };
}

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
    const budgets = evaluateBudgets(results({ bundleRatio: 1.16, vend: warm(100, { each: 2, medianMs: 3 }) }));
    expect(byId(budgets, 'bundle-bytes').met).toBe(false);
    expect(byId(budgets, 'warm-median').met).toBe(false);
    expect(failedCountedBudgets(budgets).map((b) => b.id)).toEqual(['bundle-bytes']);
  });

  it('fails writes when a transaction writes two items in one request', () => {
    const budgets = evaluateBudgets(results({ vend: warm(100, { each: 2, itemsWritten: 300 }) }));
    const writes = byId(budgets, 'writes-per-issuance');
    expect(writes.met).toBe(false);
    expect(writes.value).toBe(3);
    expect(writes.note).toBe('write requests 200, items written 300 over 100 issuances');
  });

  it('fails writes when an issuance skips the rate-limit window (one write: the record only)', () => {
    const writes = byId(evaluateBudgets(results({ vend: warm(100) })), 'writes-per-issuance');
    expect(writes).toMatchObject({ met: false, value: 1, limit: '= 2' });
  });

  it('fails writes and STS when the servers saw more than the client counted', () => {
    const budgets = evaluateBudgets(results({ vend: warm(100, { each: 2, writes: 201, sts: 102 }) }));
    expect(byId(budgets, 'writes-per-issuance').met).toBe(false);
    expect(byId(budgets, 'sts-per-issuance').met).toBe(false);
    expect(byId(budgets, 'sts-per-issuance').note).toBe('client and server counts disagree');
  });

  it('fails the audit above 1.1 items per window item', () => {
    const over = evaluateBudgets(results({ audit: { measured: true, runs: [auditRun(10_000, 1.2)] } }));
    expect(byId(over, 'audit-items-10000')).toMatchObject({ met: false, counted: true });
    expect(byId(over, 'audit-items-10000').value).toBeCloseTo(1.2, 2);
    expect(failedCountedBudgets(over).map((b) => b.id)).toEqual(['audit-items-10000']);
  });

  it('fails the audit when one run got its results wrong, and says which', () => {
    const wrong = byId(
      evaluateBudgets(results({ audit: { measured: true, runs: [auditRun(10_000, 1.0, { problems: ['expired 79, seeded 80'] })] } })),
      'audit-items-10000',
    );
    expect(wrong.met).toBe(false);
    expect(wrong.note).toBe("the audit's results were wrong: scheduled run 2026-01-01T00:00:00.000Z: expired 79, seeded 80");
  });

  it('fails the audit when records were left with the wrong status after the last run', () => {
    const wrong = byId(
      evaluateBudgets(results({ audit: { measured: true, runs: [auditRun(10_000, 1.0, { finalWrong: 3 })] } })),
      'audit-items-10000',
    );
    expect(wrong.met).toBe(false);
    expect(wrong.note).toContain('after the last run 3 of 10000 records (seeded 10000) had the wrong status');
  });

  it('judges only the scheduled runs, each size on its own', () => {
    // The first run and the catch-up read about 2 and 3 items per window item: not a budget.
    const budgets = evaluateBudgets(
      results({ audit: { measured: true, runs: [auditRun(10_000, 1.04, { catchUp: true }), auditRun(100_000, 1.2)] } }),
    );
    expect(byId(budgets, 'audit-items-10000').met).toBe(true);
    expect(byId(budgets, 'audit-items-100000').met).toBe(false);
    expect(byId(budgets, 'audit-items-10000').description).toBe(
      'expiry audit items read per item in the window, 10,000 records, 24 scheduled runs at rate(15 minutes)',
    );
  });

  it('uses the larger of the dynalite and adapter counts, and says when they differ', () => {
    const budget = byId(
      evaluateBudgets(results({ audit: { measured: true, runs: [auditRun(10_000, 1.05, { wire: 400 })] } })),
      'audit-items-10000',
    );
    // 24 runs x 168 items read, one of them counted 400 at dynalite.
    expect(budget.value).toBeCloseTo((23 * 168 + 400) / (24 * 160), 10);
    expect(budget.met).toBe(false);
    expect(budget.note).toBe('items read: dynalite counted 4264, the adapter 4032; the larger of each run counts');
  });

  it('marks an audit that could not run as not measured and failed, one not run as unknown', () => {
    const failed = evaluateBudgets(results({ audit: { measured: false, reason: 'boom', failed: true } }));
    expect(byId(failed, 'audit-items')).toMatchObject({ value: null, met: false, note: 'not measured: boom' });
    const skipped = evaluateBudgets(results({ audit: { measured: false, reason: 'not asked', failed: false } }));
    expect(byId(skipped, 'audit-items').met).toBeNull();
    expect(failedCountedBudgets(skipped)).toEqual([]);
  });
});

describe('token-authenticated issuance', () => {
  it('adds counted call budgets for the token rows after the key rows; the timings get none', () => {
    const partial = results();
    const budgets = evaluateBudgets({ ...partial, token: tokenSection(partial.warm.baseline) });
    expect(budgets.map((b) => [b.id, b.met])).toEqual([
      ['bundle-bytes', true],
      ['cold-init', true],
      ['warm-median', true],
      ['warm-p99', true],
      ['reads-per-issuance', true],
      ['writes-per-issuance', true],
      ['sts-per-issuance', true],
      ['token-reads-per-issuance', true],
      ['token-writes-per-issuance', true],
      ['token-sts-per-issuance', true],
      ['token-issuer-requests', true],
      ['audit-items-10000', true],
    ]);
    expect(budgets.filter((b) => b.id.startsWith('token-')).every((b) => b.counted)).toBe(true);
    expect(byId(budgets, 'token-reads-per-issuance').description).toBe(
      'DynamoDB reads per warm token issuance, tenant and identities cached',
    );
  });

  it('fails the issuer budget when the loop fetched the keys again, or the warm-up never filled the cache', () => {
    const baseline = warm(100);
    const refetched = tokenBudgets(tokenSection(baseline, { warmup: 2, measured: 3 }), 15).find((b) => b.id === 'token-issuer-requests')!;
    expect(refetched).toMatchObject({ met: false, value: 0.03, note: '3 issuer request(s) in the measured loop' });
    const never = tokenBudgets(tokenSection(baseline, { warmup: 0, measured: 0 }), 15).find((b) => b.id === 'token-issuer-requests')!;
    expect(never.met).toBe(false);
    expect(never.note).toContain('the warm-up fetched nothing from the issuer');
  });

  it('shows the warm and cold token rows in the table against the same baseline as the key rows', () => {
    const partial = results();
    const withToken = { ...partial, token: tokenSection(partial.warm.baseline, undefined, 120) };
    const table = markdownTable({ ...withToken, budgets: evaluateBudgets(withToken) });
    // The key rows' baseline median (2.00 ms) is the token rows' baseline.
    expect(table).toContain('| warm median latency (100 issuances) | 2.00 ms | 2.10 ms | 1.050× | <= 1.1x | met |');
    expect(table).toContain(
      '| token issuance, warm median latency (100 issuances; JWKS cached: discovery and JWKS fetched once, in the warm-up) | 2.00 ms | 2.50 ms | 1.250× |  |  |',
    );
    expect(table).toContain(
      '| token issuance, cold: import() + first request in a fresh process, median of 15 (the first request loads web-identity.mjs, ' +
        'fetches discovery and JWKS once: 2 issuer requests per process, reads tenant and identities, STS, writes) | 100.00 ms | 150.00 ms | 1.500× |  |  |',
    );
    expect(table).toContain('| … key issuance, the same measure | 100.00 ms | 120.00 ms | 1.200× |  |  |');
    expect(table).toContain('| STS calls / warm token issuance | 1 | 1 |  | = 1 | met |');
    expect(table).toContain('| OIDC issuer requests / warm token issuance (2 in the warm-up) |  | 0 |  | = 0 | met |');
    // Before the audit rows.
    expect(table.indexOf('token issuance, warm median')).toBeLessThan(table.indexOf('expiry audit items read'));
  });

  it('prints the token rows alone with the machine and its load (`--only token`)', () => {
    const partial = results();
    const section = tokenSection(partial.warm.baseline);
    const table = tokenTable(section, tokenBudgets(section, 15), partial.machine, 'full');
    const lines = table.split('\n');
    expect(lines[0]).toBe(
      'Machine: Test CPU, 2 cores, 4 GiB, Node v20.0.0 (linux-x64), 2026-01-01T00:00:00.000Z, full mode; load average 0.5 at start, 0.7 at end.',
    );
    expect(lines[2]).toBe('| metric | baseline | vend (`issueCredentials`), token-authenticated | ratio | budget | status |');
    expect(lines[4]).toMatch(/^\| token issuance, warm median latency .* \| 2\.00 ms \| 2\.50 ms \| 1\.250× \| {2}\| {2}\|$/);
    expect(table).not.toContain('key issuance, the same measure');
  });
});

describe('bundleFigures', () => {
  const baseline = { functions: [], entry: 'bench/baseline.mjs', bytes: 1000, gzipBytes: 300, zipBytes: 400 };
  const credentials = {
    functions: ['containerCredentials', 'issueCredentials'],
    entry: 'handlers/credentials.mjs',
    bytes: 1200,
    gzipBytes: 340,
    zipBytes: 420,
  };
  const health = { functions: ['health'], entry: 'handlers/health.mjs', bytes: 5000, gzipBytes: 900, zipBytes: 1000 };

  it("judges the vend function's handler module, by function, on its extracted bytes; the zips give their own ratio", () => {
    const bundles = bundleFigures(PACKAGE, baseline, [health, credentials], 'issueCredentials');
    expect(bundles.vendRatio).toBeCloseTo(1.2, 10);
    expect(bundles.zipRatio).toBeCloseTo(1.05, 10);
    expect(bundles.handlers).toEqual([health, credentials]);
    expect(bundles.package).toEqual(PACKAGE);
  });

  it('refuses a package without the vend function and an empty baseline', () => {
    expect(() => bundleFigures(PACKAGE, baseline, [health], 'issueCredentials')).toThrow('no packaged bundle serves issueCredentials');
    expect(() => bundleFigures(PACKAGE, { ...baseline, bytes: 0 }, [credentials], 'issueCredentials')).toThrow('baseline bundle is empty');
  });
});

describe('markdownTable', () => {
  it('shows the machine, the figures and each verdict', () => {
    const partial = results({ bundleRatio: 1.5 });
    const table = markdownTable({ ...partial, budgets: evaluateBudgets(partial) });
    expect(table).toContain('Machine: Test CPU, 2 cores, 4 GiB, Node v20.0.0 (linux-x64), 2026-01-01T00:00:00.000Z, quick mode');
    expect(table).toContain('| bundle bytes | 1,000 B | 1,500 B | 1.500× | <= 1.15x | **not met** |');
    expect(table).toContain('| deployment zip bytes | 400 B | 420 B | 1.050× |  |  |');
    expect(table).toContain(
      'Bundles (the handler module in each `.serverless/<function>.zip` of `sls package --stage ci`, 2026-01-01T00:00:00.000Z; ' +
        'the baseline packaged by serverless-esbuild with the same options):\n' +
        '- `bench/baseline.mjs`: 1,000 B (300 B gzipped, zip 400 B)\n' +
        '- `handlers/health.mjs` (health): 900 B (280 B gzipped, zip 350 B)\n' +
        '- `handlers/credentials.mjs` (issueCredentials, containerCredentials): 1,500 B (330 B gzipped, zip 420 B)',
    );
    expect(table).toContain('| warm median latency (100 issuances) | 2.00 ms | 2.10 ms | 1.050× | <= 1.1x | met |');
    expect(table).toContain(
      '| expiry audit items read / item in window, 10,000 records: 24 scheduled runs at rate(15 minutes), 6 h (3,840 in their windows, 160 per run) |  | 1.05 |  | <= 1.1 | met |',
    );
    expect(table).toContain(
      '| … of which main-table items per run (checkpoint, tenants, policy, live counter, partners, keys) |  | 8 |  |  |  |',
    );
    expect(table).not.toContain('catching up');
  });

  it('shows the catch-up window when it was measured, without a budget', () => {
    const partial = results({ audit: { measured: true, runs: [auditRun(10_000, 1.05, { catchUp: true })] } });
    const table = markdownTable({ ...partial, budgets: evaluateBudgets(partial) });
    expect(table).toContain(
      '| … one 24-hour window catching up after a day without runs (8,000 in window; not a budget) |  | 1.95 |  |  |  |',
    );
  });

  it('prints the audit rows alone, with the notes', () => {
    const audit: AuditSection = { measured: true, runs: [auditRun(10_000, 1.2)] };
    const table = auditTable(
      audit,
      evaluateBudgets(results({ audit })).filter((b) => b.id.startsWith('audit')),
    );
    expect(table.split('\n')[2]).toMatch(
      /^\| expiry audit items read \/ item in window, 10,000 records: .* \| <= 1\.1 \| \*\*not met\*\* \|$/,
    );
    expect(
      auditTable(
        { measured: false, reason: 'boom', failed: true },
        evaluateBudgets(results({ audit: { measured: false, reason: 'boom', failed: true } })),
      ),
    ).toContain('| expiry audit items read / item in window |  | not measured |  | <= 1.1 | **not met** |');
  });
});

describe('withResults', () => {
  it('replaces only what lies between the markers', () => {
    const readme = 'intro\n<!-- bench:results:start -->\nold\n<!-- bench:results:end -->\nafter\n';
    expect(withResults(readme, 'new')).toBe('intro\n<!-- bench:results:start -->\nnew\n<!-- bench:results:end -->\nafter\n');
    expect(() => withResults('no markers', 'x')).toThrow('markers');
  });
});
