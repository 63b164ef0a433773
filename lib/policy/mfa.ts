// Whether a tenant policy requires MFA for an issuance (issue 19): for the issuance's mode, or for
// assume-role with one of the named bound roles. Shared by issuance (lib/vend/issue.ts) and preview.
import type { AssumeRoleSettings, Mode, ModeSettings, TenantPolicyDocument } from '../core/model';

export function mfaRequired(document: TenantPolicyDocument, mode: Mode, settings: ModeSettings | undefined): boolean {
  const requirement = document.mfa;
  if (!requirement) return false;
  if (requirement.modes?.includes(mode)) return true;
  if (mode !== 'assume-role' || !settings) return false;
  return requirement.roles?.includes((settings as AssumeRoleSettings).role) ?? false;
}
