// Builds the session policy for one issuance: the tenant's rendered statements, narrowed to the
// requested scope by Deny statements only. Adding Deny can never widen access, so whatever a
// caller puts in `scope`, the result grants at most what the tenant policy grants.
import { type ErrorDetail, ForbiddenError, UnprocessableError } from '../core/errors';
import type { IamStatement } from '../core/model';
import { asList, MatchBudget, MatchBudgetExceededError, patternCovers } from './match';

export interface Scope {
  actions?: string[];
  resources?: string[];
}

export interface SessionPolicy {
  Version: '2012-10-17';
  Statement: IamStatement[];
}

/**
 * Matching steps (lib/policy/match.ts) one scope may cost. An ordinary scope takes thousands, the hostile
 * scope of bench/scope-case.ts (20 x 20 entries full of wildcards, 19 ordinary ARNs) tens of thousands, and
 * no scope reaches 50,000 against patterns with literal segments; a segment with `?`s is tried at every
 * position of a request (|segment| x |request|), and past this the scope is refused (422) within milliseconds.
 */
export const SCOPE_MATCH_LIMIT = 250_000;

/** Whether `value` is covered by some pattern of each statement, worked out once per (statement, value). */
function coverageOf(
  statements: readonly IamStatement[],
  patternsOf: (s: IamStatement) => string[],
  values: readonly (string | undefined)[],
  ignoreCase: boolean,
  budget: MatchBudget,
): (statement: number, value: number) => boolean {
  const known = statements.map(() => new Int8Array(values.length)); // 0 not yet, 1 covered, -1 not
  return (si, vi) => {
    const value = values[vi];
    if (value === undefined) return true;
    const row = known[si] as Int8Array;
    if (row[vi] === 0) {
      const statement = statements[si] as IamStatement;
      row[vi] = patternsOf(statement).some((pattern) => patternCovers(pattern, value, ignoreCase, budget)) ? 1 : -1;
    }
    return row[vi] === 1;
  };
}

export interface ScopeCoverage {
  /** One per (action, resource) pair no statement allows. */
  uncovered: ErrorDetail[];
  /** Matching steps spent (lib/policy/match.ts), at most the limit. */
  steps: number;
}

/**
 * What the tenant policy does not allow of `scope`. With both lists, every (action, resource) pair must be
 * allowed by one statement; with one list, each entry must be allowed by some statement. Each entry is
 * compared with each statement once, and the whole check stops past `limit` steps: 422 scope_too_complex.
 */
export function scopeCoverage(statements: readonly IamStatement[], scope: Scope, limit = SCOPE_MATCH_LIMIT): ScopeCoverage {
  // Only plain Allow statements count: NotAction/NotResource coverage is not decided, so refused.
  const allows = statements.filter((s) => s.Effect === 'Allow' && !s.NotAction && !s.NotResource);
  const actions: (string | undefined)[] = scope.actions?.length ? scope.actions : [undefined];
  const resources: (string | undefined)[] = scope.resources?.length ? scope.resources : [undefined];
  const budget = new MatchBudget(limit);
  const actionCovered = coverageOf(allows, (s) => asList(s.Action), actions, true, budget);
  const resourceCovered = coverageOf(allows, (s) => asList(s.Resource), resources, false, budget);
  const uncovered: ErrorDetail[] = [];
  try {
    actions.forEach((action, ai) => {
      resources.forEach((resource, ri) => {
        if (action === undefined && resource === undefined) return;
        if (allows.some((_, si) => actionCovered(si, ai) && resourceCovered(si, ri))) return;
        uncovered.push({
          path: action !== undefined ? `$.scope.actions[${ai}]` : `$.scope.resources[${ri}]`,
          message: `${action ?? 'any action'} on ${resource ?? 'any resource'} is not allowed by the tenant policy`,
          ...(action !== undefined && { action }),
          ...(resource !== undefined && { resource }),
        });
      });
    });
  } catch (err) {
    if (!(err instanceof MatchBudgetExceededError)) throw err;
    throw new UnprocessableError(
      'scope_too_complex',
      `Checking the scope against the tenant policy takes more than ${limit} matching steps; ask for fewer, shorter or less wildcarded entries`,
      { details: [{ path: '$.scope', message: `at most ${limit} matching steps`, limit }] },
    );
  }
  return { uncovered, steps: budget.used };
}

/** 403 scope_not_allowed listing what the tenant policy does not allow (scopeCoverage). */
export function assertScopeCovered(statements: readonly IamStatement[], scope: Scope): void {
  const { uncovered } = scopeCoverage(statements, scope);
  if (uncovered.length) {
    throw new ForbiddenError('scope_not_allowed', 'The requested scope is not covered by the tenant policy', {
      details: uncovered.slice(0, 50),
    });
  }
}

export function buildSessionPolicy(rendered: readonly IamStatement[], scope: Scope | undefined): SessionPolicy {
  const statements: IamStatement[] = [...rendered];
  if (scope?.actions?.length) {
    statements.push({ Sid: 'CredvendScopeActions', Effect: 'Deny', NotAction: scope.actions, Resource: '*' });
  }
  if (scope?.resources?.length) {
    statements.push({ Sid: 'CredvendScopeResources', Effect: 'Deny', Action: '*', NotResource: scope.resources });
  }
  return { Version: '2012-10-17', Statement: statements };
}
