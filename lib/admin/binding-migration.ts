// Tenants created before bindings existed get one: run once by the deploy (`npm run migrate-bindings`).
// A tenant whose stored policy named a role gets it bound as "default" (the name the upgraded policy
// uses), if the role matches the pattern credvend may assume. Its external ID is a fresh one unless
// the operator keeps the old, tenant-chosen one (`keepExternalIds`) until the tenant's trust
// policies list the new one: a chosen ID may be another tenant's, so keeping it is a decision.
import type { TenantBinding } from '../core/model';
import { patternCovers } from '../policy/match';
import { generateExternalId } from './bindings';
import type { AdminDeps } from './ports';

export interface MigrationStep {
  tenantId: string;
  action: 'bound' | 'skipped';
  reason?: string;
  binding?: TenantBinding;
  /** Notes an operator should read: carried-over external IDs, federation left unbound. */
  warnings: string[];
}

export async function migrateBindings(
  deps: Pick<AdminDeps, 'store' | 'lookup' | 'now' | 'trust'>,
  opts: { dryRun: boolean; keepExternalIds: boolean; by: string },
): Promise<MigrationStep[]> {
  const steps: MigrationStep[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.listTenants({ limit: 100, cursor });
    for (const tenant of page.items) {
      if (tenant.binding) continue;
      const policy = await deps.lookup.getPolicy(tenant.tenantId);
      const legacy = policy?.legacyRole;
      const warnings: string[] = [];
      const roles: TenantBinding['roles'] = {};
      if (legacy && patternCovers(deps.trust.rolePattern, legacy.roleArn)) {
        roles.default = { roleArn: legacy.roleArn, maxSessionDuration: legacy.maxSessionDuration };
      } else if (legacy) {
        warnings.push(`role ${legacy.roleArn} is outside ${deps.trust.rolePattern}: not bound`);
      }
      const keep = opts.keepExternalIds && legacy?.externalId !== undefined;
      if (keep) warnings.push('kept the tenant-chosen external ID: rotate it once the tenant trusts the next one');
      if (policy?.document.modes.federation) warnings.push('federation is not enabled until an operator sets its resource boundary');
      const binding: TenantBinding = {
        version: 1,
        externalId: keep && legacy?.externalId ? legacy.externalId : generateExternalId(),
        roles,
        updatedAt: deps.now().toISOString(),
        updatedBy: opts.by,
      };
      if (!opts.dryRun) await deps.store.putBinding(tenant.tenantId, binding, 0);
      steps.push({ tenantId: tenant.tenantId, action: 'bound', binding, warnings });
    }
    cursor = page.nextCursor;
  } while (cursor);
  return steps;
}
