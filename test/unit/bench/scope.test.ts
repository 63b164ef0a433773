import { describe, expect, it } from '@jest/globals';
import { scopeBudgets, scopeRows } from '../../../bench/report';
import type { ScopeCase, ScopeMeasurement } from '../../../bench/scope';

const scopeCase = (outcome: string, steps: number | null, firstCpuMs = 3): ScopeCase => ({
  outcome,
  steps,
  firstCpuMs,
  medianCpuMs: 1,
  bodyBytes: 15_000,
});

function measurement(over: Partial<ScopeMeasurement> = {}): ScopeMeasurement {
  return {
    limit: 250_000,
    runs: 25,
    hostile: scopeCase('scope_not_allowed', 16_700),
    ordinary: scopeCase('covered', 8_000),
    capped: scopeCase('scope_too_complex', null),
    hostileRatio: 4,
    ...over,
  };
}

describe('scope budgets', () => {
  it('meets them when the hostile scope is answered 403 within the cap and the capped one 422', () => {
    const budgets = scopeBudgets(measurement());
    expect(budgets.map((b) => [b.id, b.met, b.counted])).toEqual([
      ['hostile-scope-steps', true, true],
      ['hostile-scope-cpu', true, false],
      ['capped-scope', true, true],
    ]);
    expect(scopeRows(measurement(), budgets)).toHaveLength(4);
  });

  it('fails the counted ones when the hostile scope is refused 422 or the capped one answered', () => {
    const budgets = scopeBudgets(
      measurement({ hostile: scopeCase('scope_too_complex', null, 80), capped: scopeCase('scope_not_allowed', 240_000) }),
    );
    expect(budgets.map((b) => [b.id, b.met])).toEqual([
      ['hostile-scope-steps', false],
      ['hostile-scope-cpu', false],
      ['capped-scope', false],
    ]);
    expect(budgets[0]?.note).toBe('answered scope_too_complex, expected scope_not_allowed');
  });
});
