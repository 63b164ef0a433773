// Whether a tenant policy requires MFA for an issuance (issue 19): for the issuance's mode, or for
// assume-role with one of the named bound roles. Shared by issuance (lib/vend/issue.ts) and preview.
import type { AssumeRoleSettings, Mode, ModeSettings, TenantBinding, TenantPolicyDocument } from '../core/model';
import { jsonPath, type PolicyProblem, quote } from '../core/problems';

export function mfaRequired(document: TenantPolicyDocument, mode: Mode, settings: ModeSettings | undefined): boolean {
  const requirement = document.mfa;
  if (!requirement) return false;
  if (requirement.modes?.includes(mode)) return true;
  if (mode !== 'assume-role' || !settings) return false;
  return requirement.roles?.includes((settings as AssumeRoleSettings).role) ?? false;
}

/**
 * `mfa.roles` entries the binding does not bind (red-team F3): a typo there would silently leave the
 * real role without MFA. Checked where the policy is written and previewed (lib/admin/policy.ts,
 * preview.ts), beside bindingProblems, but apart from it: bindingProblems runs in the vend handler
 * module too, which has no bytes to spare, and issuance needs no such check (a role the binding lost
 * cannot be assumed at all: role_not_bound).
 */
export function mfaBindingProblems(document: TenantPolicyDocument, binding: TenantBinding | undefined): PolicyProblem[] {
  if (!binding) return []; // bindingProblems reports binding_not_configured
  const bound = Object.keys(binding.roles);
  return (document.mfa?.roles ?? []).flatMap((role, i) =>
    Object.hasOwn(binding.roles, role)
      ? []
      : [
          {
            path: jsonPath(['mfa', 'roles', i]),
            code: 'mfa_role_not_bound',
            message: `No role named ${quote(role)} in the binding, so the MFA requirement would never apply to it; bound: ${bound.length ? bound.join(', ') : 'none'}`,
          },
        ],
  );
}
