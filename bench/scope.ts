// The scope check's work (issue 15): the hostile scope of bench/scope-case.ts against 19 ordinary ARNs,
// an ordinary scope, and a pattern built to pass the cap, checked in this process. Counted in matching
// steps (the cap is on those) and timed in CPU: the first call (before the JIT has seen the matcher, as
// in a fresh container) and the median of later calls.
import { AppError } from '../lib/core/errors';
import type { IamStatement } from '../lib/core/model';
import { SCOPE_MATCH_LIMIT, type Scope, scopeCoverage } from '../lib/policy/session';
import { hostileScope, longKeysScope, ORDINARY_STATEMENTS, ordinaryScope, WILDCARD_HEAVY_STATEMENTS } from './scope-case';
import { median } from './stats';

export interface ScopeCase {
  /** scope_not_allowed, covered, or the error code (scope_too_complex). */
  outcome: string;
  /** Matching steps the check took; null when it stopped at the cap. */
  steps: number | null;
  firstCpuMs: number;
  medianCpuMs: number;
  /** The request body's JSON size. */
  bodyBytes: number;
}

export interface ScopeMeasurement {
  limit: number;
  runs: number;
  hostile: ScopeCase;
  ordinary: ScopeCase;
  capped: ScopeCase;
  /** hostile / ordinary, warm medians. */
  hostileRatio: number;
}

function once(statements: readonly IamStatement[], scope: Scope): { outcome: string; steps: number | null; cpuMs: number } {
  const start = process.cpuUsage();
  let outcome: string;
  let steps: number | null = null;
  try {
    const found = scopeCoverage(statements, scope);
    outcome = found.uncovered.length ? 'scope_not_allowed' : 'covered';
    steps = found.steps;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    outcome = err.code;
  }
  const used = process.cpuUsage(start);
  return { outcome, steps, cpuMs: (used.user + used.system) / 1000 };
}

function measureCase(statements: readonly IamStatement[], scope: Scope, runs: number): ScopeCase {
  const first = once(statements, scope);
  const later = Array.from({ length: runs }, () => once(statements, scope));
  if (later.some((r) => r.outcome !== first.outcome || r.steps !== first.steps))
    throw new Error('the scope check answered differently on a rerun');
  return {
    outcome: first.outcome,
    steps: first.steps,
    firstCpuMs: first.cpuMs,
    medianCpuMs: median(later.map((r) => r.cpuMs)),
    bodyBytes: JSON.stringify({ scope }).length,
  };
}

/** Call first in a process: the hostile case's first call is the one that meets a cold matcher. */
export function measureScope(runs = 25): ScopeMeasurement {
  const hostile = measureCase(ORDINARY_STATEMENTS, hostileScope(), runs);
  const ordinary = measureCase(ORDINARY_STATEMENTS, ordinaryScope(), runs);
  const capped = measureCase(WILDCARD_HEAVY_STATEMENTS, longKeysScope(), runs);
  return { limit: SCOPE_MATCH_LIMIT, runs, hostile, ordinary, capped, hostileRatio: hostile.medianCpuMs / ordinary.medianCpuMs };
}
