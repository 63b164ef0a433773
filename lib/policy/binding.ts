// A tenant policy against its operator's binding (DESIGN.md "Trust model"): the tenant picks among
// bound roles, stays under the ceilings, and with federation keeps every granted resource inside the
// binding's boundary. Checked at PUT and in preview, and again at issuance: a binding may have
// narrowed since the policy was written.
import type { Mode, TenantBinding, TenantPolicyDocument } from '../core/model';
import { jsonPath, type PolicyProblem, quote } from '../core/problems';
import { asList, patternCovers } from './match';
import { renderString, UnknownPlaceholderError } from './render';

/** `{{partnerId}}` can be any id the tenant gives a partner, so the boundary must hold for all of them. */
const ANY_PARTNER = '*';

/**
 * Allow statements' resources (rendered for this tenant) that no boundary pattern covers. Only
 * Effect and the resources are rendered: rendering whole statements with `partnerId: '*'` could make
 * condition keys collide that no real partner id makes collide (ids have no `*`).
 */
export function federationBoundaryProblems(doc: TenantPolicyDocument, tenantId: string, boundary: readonly string[]): PolicyProblem[] {
  const values = { tenantId, partnerId: ANY_PARTNER };
  let rendered: Array<{ effect: string; notResource: boolean; resources: string[]; listed: boolean }>;
  try {
    rendered = doc.statements.map((statement) => ({
      effect: statement.Effect,
      notResource: statement.NotResource !== undefined,
      resources: asList(statement.Resource).map((resource) => renderString(resource, values)),
      listed: Array.isArray(statement.Resource),
    }));
  } catch (err) {
    if (!(err instanceof UnknownPlaceholderError)) throw err;
    return [{ path: '$.statements', code: 'unknown_placeholder', message: err.message }];
  }
  const problems: PolicyProblem[] = [];
  rendered.forEach((statement, i) => {
    if (statement.effect !== 'Allow') return;
    if (statement.notResource) {
      problems.push({
        path: jsonPath(['statements', i, 'NotResource']),
        code: 'outside_federation_boundary',
        message: 'An Allow with NotResource grants resources outside any boundary',
      });
    }
    statement.resources.forEach((resource, j) => {
      if (boundary.some((pattern) => patternCovers(pattern, resource))) return;
      problems.push({
        path: jsonPath(statement.listed ? ['statements', i, 'Resource', j] : ['statements', i, 'Resource']),
        code: 'outside_federation_boundary',
        message: `${quote(resource)} is outside the federation boundary (${boundary.map(quote).join(', ')})`,
      });
    });
  });
  return problems;
}

/** Problems issuance caps rather than refuses: the ceiling applies, whatever the document says. */
export const CEILING_CODES: ReadonlySet<string> = new Set(['exceeds_binding_max_duration', 'exceeds_binding_rate_limit']);

/** Everything the document asks for that the binding does not allow; empty when it fits. */
export function bindingProblems(doc: TenantPolicyDocument, binding: TenantBinding | undefined, tenantId: string): PolicyProblem[] {
  if (!binding) {
    return [{ path: '$', code: 'binding_not_configured', message: 'An operator has not bound this tenant to any role yet' }];
  }
  const problems: PolicyProblem[] = [];
  const assumeRole = doc.modes['assume-role'];
  if (assumeRole) {
    const role = Object.hasOwn(binding.roles, assumeRole.role) ? binding.roles[assumeRole.role] : undefined;
    if (!role) {
      const bound = Object.keys(binding.roles);
      problems.push({
        path: "$.modes['assume-role'].role",
        code: 'role_not_bound',
        message: `No role named ${quote(assumeRole.role)} in the binding; bound: ${bound.length ? bound.join(', ') : 'none'}`,
      });
    } else if (assumeRole.maxDurationSeconds > role.maxSessionDuration) {
      problems.push({
        path: "$.modes['assume-role'].maxDurationSeconds",
        code: 'exceeds_role_max_session_duration',
        message: `maxDurationSeconds ${assumeRole.maxDurationSeconds} exceeds the role's MaxSessionDuration of ${role.maxSessionDuration}`,
      });
    }
  }
  if (doc.modes.federation) {
    if (!binding.federation) {
      problems.push({ path: '$.modes.federation', code: 'federation_not_enabled', message: 'The binding does not enable federation' });
    } else {
      problems.push(...federationBoundaryProblems(doc, tenantId, binding.federation.resourceBoundary));
      // A managed policy widens a federated session as much as a statement: only those the operator allows.
      const allowed = binding.federation.managedPolicyArns ?? [];
      (doc.managedPolicyArns ?? []).forEach((arn, i) => {
        if (allowed.includes(arn)) return;
        problems.push({
          path: jsonPath(['managedPolicyArns', i]),
          code: 'managed_policy_outside_binding',
          message: `${quote(arn)} is not among the managed policies the binding allows for federation`,
        });
      });
    }
  }
  const ceiling = binding.maxDurationSeconds;
  for (const mode of Object.keys(doc.modes) as Mode[]) {
    const max = doc.modes[mode]?.maxDurationSeconds;
    if (ceiling !== undefined && max !== undefined && max > ceiling) {
      problems.push({
        path: jsonPath(['modes', mode, 'maxDurationSeconds']),
        code: 'exceeds_binding_max_duration',
        message: `maxDurationSeconds ${max} exceeds the binding's ceiling of ${ceiling}`,
      });
    }
  }
  const rate = doc.rateLimit?.perMinute;
  if (binding.maxIssuancesPerMinute !== undefined && rate !== undefined && rate > binding.maxIssuancesPerMinute) {
    problems.push({
      path: '$.rateLimit.perMinute',
      code: 'exceeds_binding_rate_limit',
      message: `perMinute ${rate} exceeds the binding's ceiling of ${binding.maxIssuancesPerMinute}`,
    });
  }
  return problems;
}

/**
 * Issuances per minute each partner may make: the tenant's own limit under the operator's binding ceiling,
 * both under the service-wide per-partner ceiling (PARTNER_RATE_CEILING_PER_MINUTE) when one is given.
 */
export function effectiveRateLimit(doc: TenantPolicyDocument, binding: TenantBinding, serviceCeiling?: number): number | undefined {
  const limits = [doc.rateLimit?.perMinute, binding.maxIssuancesPerMinute, serviceCeiling].filter((n): n is number => n !== undefined);
  return limits.length ? Math.min(...limits) : undefined;
}
