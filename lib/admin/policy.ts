// The tenant policy: read, versioned write (optimistic: the writer names the version it read), history.

import { NotFoundError, UnprocessableError } from '../core/errors';
import type { Caller } from '../identity/authenticate';
import { bindingProblems } from '../policy/binding';
import { mfaBindingProblems } from '../policy/mfa';
import { validatePolicyDocument } from '../policy/validate';
import { authorizeTenant } from './access';
import type { AdminDeps, PageRequest } from './ports';
import type { PutPolicyBody } from './schemas';
import { policyView } from './views';

export const policyNotConfigured = () => new NotFoundError('policy_not_configured', 'Policy not found');

export async function getPolicy(deps: AdminDeps, caller: Caller, tenantId: string) {
  await authorizeTenant(deps.lookup, caller, tenantId);
  const policy = await deps.lookup.getPolicy(tenantId);
  if (!policy) throw policyNotConfigured();
  return policyView(policy);
}

/**
 * Writes version expectedVersion + 1 (expectedVersion 0 creates the first). Every rule the document
 * breaks is answered at once (422 invalid_policy); a stale expectedVersion answers 409 version_conflict.
 */
export async function putPolicy(deps: AdminDeps, caller: Caller, tenantId: string, body: PutPolicyBody) {
  const tenant = await authorizeTenant(deps.lookup, caller, tenantId);
  const result = validatePolicyDocument(body.policy);
  // Then what the operator's binding allows (a role it binds, its boundary and ceilings).
  const problems = result.ok
    ? [...bindingProblems(result.document, tenant.binding, tenantId), ...mfaBindingProblems(result.document, tenant.binding)]
    : result.problems;
  if (!result.ok || problems.length) {
    // details are the problems as they are: paths relative to the policy document.
    throw new UnprocessableError('invalid_policy', `The policy breaks ${problems.length} rule(s)`, {
      details: problems.map((p) => ({ ...p })),
    });
  }
  const written = await deps.store.putPolicy(tenantId, result.document, body.expectedVersion, deps.now().toISOString(), caller.keyId);
  return policyView({ ...written, updatedBy: caller.keyId });
}

export async function listPolicyVersions(deps: AdminDeps, caller: Caller, tenantId: string, page: PageRequest) {
  await authorizeTenant(deps.lookup, caller, tenantId);
  const out = await deps.store.listPolicyVersions(tenantId, page);
  return { items: out.items.map(policyView), nextCursor: out.nextCursor };
}
