// Scope coverage is bounded in work (issue 15): counted in matching steps, refused (422) past a cap,
// whatever a partner sends. No timing here: the bench reports the CPU time of the same cases.
import { describe, expect, it } from '@jest/globals';
import { hostileScope, longKeysScope, ORDINARY_STATEMENTS, ordinaryScope, WILDCARD_HEAVY_STATEMENTS } from '../../../bench/scope-case';
import { AppError } from '../../../lib/core/errors';
import { MatchBudget, MatchBudgetExceededError, patternCovers } from '../../../lib/policy/match';
import { assertScopeCovered, SCOPE_MATCH_LIMIT, type Scope, scopeCoverage } from '../../../lib/policy/session';

function refusal(statements: Parameters<typeof assertScopeCovered>[0], scope: Scope): AppError {
  try {
    assertScopeCovered(statements, scope);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected a refusal');
}

describe('the work of a scope check', () => {
  it("answers the issue's hostile scope (20 x 20 entries full of wildcards, 19 ordinary ARNs) 403, in a few thousand steps", () => {
    const scope = hostileScope();
    // As the issue sent it: 20 actions and 20 resources of ~740 characters, every one full of `*` and `?`.
    expect(scope.resources).toHaveLength(20);
    expect(scope.resources!.every((r) => r.length === 740 && (r.match(/[*?]/g) ?? []).length > 40)).toBe(true);
    const { uncovered, steps } = scopeCoverage(ORDINARY_STATEMENTS, scope);
    expect(uncovered).toHaveLength(400);
    expect(steps).toBeLessThan(SCOPE_MATCH_LIMIT / 10);
    const err = refusal(ORDINARY_STATEMENTS, scope);
    expect(err.statusCode).toBe(403);
    expect(err.code).toBe('scope_not_allowed');
  });

  it('an ordinary scope stays far under the cap', () => {
    const { uncovered, steps } = scopeCoverage(ORDINARY_STATEMENTS, ordinaryScope());
    expect(uncovered).toEqual([]);
    expect(steps).toBeGreaterThan(0);
    expect(steps).toBeLessThan(SCOPE_MATCH_LIMIT / 20);
  });

  it('refuses a scope whose check would pass the cap: 422 scope_too_complex, the limit in the message', () => {
    const err = refusal(WILDCARD_HEAVY_STATEMENTS, longKeysScope());
    expect(err.statusCode).toBe(422);
    expect(err.code).toBe('scope_too_complex');
    expect(err.message).toContain(String(SCOPE_MATCH_LIMIT));
    expect(err.details).toEqual([{ path: '$.scope', message: `at most ${SCOPE_MATCH_LIMIT} matching steps`, limit: SCOPE_MATCH_LIMIT }]);
  });

  it('the same scope with a generous cap is checked to the end: the cap, not the answer, refused it', () => {
    const { uncovered, steps } = scopeCoverage(WILDCARD_HEAVY_STATEMENTS, longKeysScope(), SCOPE_MATCH_LIMIT * 100);
    expect(uncovered).toHaveLength(20);
    expect(steps).toBeGreaterThan(SCOPE_MATCH_LIMIT);
  });

  it('compares each entry with each statement once, however many pairs the scope makes', () => {
    const one = scopeCoverage(ORDINARY_STATEMENTS, { actions: ['dynamodb:GetItem'], resources: ordinaryScope().resources });
    const twenty = scopeCoverage(ORDINARY_STATEMENTS, {
      actions: Array.from({ length: 20 }, (_, i) => `dynamodb:GetItem${i}`),
      resources: ordinaryScope().resources,
    });
    // 19 more actions add their own comparisons only, never another pass over the resources.
    const actionSteps = twenty.steps - one.steps;
    expect(actionSteps).toBeGreaterThan(0);
    expect(actionSteps).toBeLessThan(one.steps);
  });
});

describe('MatchBudget', () => {
  it('counts the steps of every comparison it is given, and throws once they pass the limit', () => {
    const budget = new MatchBudget(1_000);
    expect(patternCovers('arn:aws:s3:::b/*/x', 'arn:aws:s3:::b/a/x', false, budget)).toBe(true);
    const used = budget.used;
    expect(used).toBeGreaterThan(0);
    expect(patternCovers('arn:aws:s3:::b/*/x', 'arn:aws:s3:::b/a/x', false, budget)).toBe(true);
    expect(budget.used).toBe(2 * used);
    const small = new MatchBudget(50);
    expect(() => patternCovers(`*${'?a'.repeat(5)}b*`, 'xa'.repeat(100), false, small)).toThrow(MatchBudgetExceededError);
    expect(small.used).toBeGreaterThan(50);
  });
});
