// Builds the session policy for one issuance: the tenant's rendered statements, narrowed to the
// requested scope by Deny statements only. Adding Deny can never widen access, so whatever a
// caller puts in `scope`, the result grants at most what the tenant policy grants.
import { type ErrorDetail, ForbiddenError } from '../core/errors';
import type { IamStatement } from '../core/model';
import { asList, patternCovers } from './match';

export interface Scope {
  actions?: string[];
  resources?: string[];
}

export interface SessionPolicy {
  Version: '2012-10-17';
  Statement: IamStatement[];
}

function statementCovers(statement: IamStatement, action: string | undefined, resource: string | undefined): boolean {
  // Only plain Allow statements count: NotAction/NotResource coverage is not decided, so refused.
  if (statement.Effect !== 'Allow' || statement.NotAction || statement.NotResource) return false;
  return (
    (action === undefined || asList(statement.Action).some((pattern) => patternCovers(pattern, action, true))) &&
    (resource === undefined || asList(statement.Resource).some((pattern) => patternCovers(pattern, resource, false)))
  );
}

/**
 * 403 listing what the tenant policy does not allow. With both lists, every (action, resource) pair must be
 * allowed by one statement; with one list, each entry must be allowed by some statement.
 */
export function assertScopeCovered(statements: readonly IamStatement[], scope: Scope): void {
  const actions: (string | undefined)[] = scope.actions?.length ? scope.actions : [undefined];
  const resources: (string | undefined)[] = scope.resources?.length ? scope.resources : [undefined];
  const details: ErrorDetail[] = [];
  actions.forEach((action, ai) => {
    resources.forEach((resource, ri) => {
      if (action === undefined && resource === undefined) return;
      if (statements.some((s) => statementCovers(s, action, resource))) return;
      details.push({
        path: action !== undefined ? `$.scope.actions[${ai}]` : `$.scope.resources[${ri}]`,
        message: `${action ?? 'any action'} on ${resource ?? 'any resource'} is not allowed by the tenant policy`,
        ...(action !== undefined && { action }),
        ...(resource !== undefined && { resource }),
      });
    });
  });
  if (details.length) {
    throw new ForbiddenError('scope_not_allowed', 'The requested scope is not covered by the tenant policy', {
      details: details.slice(0, 50),
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
