// What a partner key may ask for: its tenant and partner, modes and duration bounds (the tenant's,
// under the operator's ceiling), and how its sessions are named and tagged.
import type { Mode } from '../core/model';
import type { Caller } from '../identity/authenticate';
import { bindingProblems, CEILING_CODES } from '../policy/binding';
import type { ResolvedPolicy } from './issue';
import { principalFormats } from './principal-names';

export function whoami(caller: Caller & { tenantId: string; partnerId: string }, { policy, binding }: ResolvedPolicy) {
  const ceiling = binding.maxDurationSeconds ?? Number.POSITIVE_INFINITY;
  // Only the modes an issuance could use: the policy's, within what the binding allows.
  const usable = Object.entries(policy.document.modes).filter(([mode]) =>
    bindingProblems({ ...policy.document, modes: { [mode]: policy.document.modes[mode as Mode] } }, binding, caller.tenantId).every((p) =>
      CEILING_CODES.has(p.code),
    ),
  );
  const modes = usable.map(([mode, settings]) => ({
    mode: mode as Mode,
    defaultDurationSeconds: Math.min(settings.defaultDurationSeconds, ceiling),
    maxDurationSeconds: Math.min(settings.maxDurationSeconds, ceiling),
  }));
  return {
    tenantId: caller.tenantId,
    partnerId: caller.partnerId,
    keyId: caller.keyId,
    defaultMode: policy.document.defaultMode,
    modes,
    policyVersion: policy.version,
    roles: Object.keys(binding.roles),
    federation: binding.federation !== undefined,
    principal: principalFormats(caller.tenantId, caller.partnerId),
  };
}
