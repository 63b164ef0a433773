// Tenant policies stored before bindings named their role ARN, MaxSessionDuration and external ID
// themselves. They are read in today's shape: the role becomes the binding's "default" role (which
// `npm run migrate-bindings` binds for each such tenant), and the fields the binding now owns are
// dropped, so a tenant-chosen ARN or external ID can never reach STS again.
import type { TenantPolicy, TenantPolicyDocument } from '../core/model';

export const LEGACY_ROLE_NAME = 'default';

export interface LegacyRole {
  roleArn: string;
  maxSessionDuration: number;
  externalId?: string;
}

type LegacyAssumeRole = { roleArn?: unknown; roleMaxSessionDuration?: unknown; externalId?: unknown; role?: unknown };

/** The role a pre-binding document named, if it is one. */
export function legacyRoleOf(doc: TenantPolicyDocument): LegacyRole | undefined {
  const settings = doc.modes?.['assume-role'] as LegacyAssumeRole | undefined;
  if (!settings || typeof settings.roleArn !== 'string' || settings.role !== undefined) return undefined;
  return {
    roleArn: settings.roleArn,
    maxSessionDuration: typeof settings.roleMaxSessionDuration === 'number' ? settings.roleMaxSessionDuration : 3600,
    ...(typeof settings.externalId === 'string' ? { externalId: settings.externalId } : {}),
  };
}

export function upgradePolicyDocument(doc: TenantPolicyDocument): TenantPolicyDocument {
  if (!legacyRoleOf(doc)) return doc;
  const {
    roleArn: _arn,
    roleMaxSessionDuration: _max,
    externalId: _id,
    sessionTags: _tags,
    ...rest
  } = doc.modes['assume-role'] as never as Record<string, unknown>;
  return { ...doc, modes: { ...doc.modes, 'assume-role': { ...(rest as object), role: LEGACY_ROLE_NAME } as never } };
}

/** Today's shape; `legacyRole` keeps what the old document named, for the migration to bind. */
export function upgradeStoredPolicy<T extends TenantPolicy | undefined>(policy: T): T {
  if (!policy) return policy;
  const legacyRole = legacyRoleOf(policy.document);
  if (!legacyRole) return policy;
  return { ...policy, document: upgradePolicyDocument(policy.document), legacyRole } as T;
}
