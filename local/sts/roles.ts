// The emulator's IAM roles: each one validated (ARN, MaxSessionDuration, trust policy) when it is
// registered, at start or at runtime, so a bad role fails loudly there and not as a puzzling 403 later.
import { ROLE_ARN_PATTERN } from './limits';
import { parseTrustPolicy, type TrustPolicy } from './trust';
import type { LocalStsRole } from './types';

export interface RoleEntry {
  role: LocalStsRole;
  trust: TrustPolicy;
}

/** IAM's bounds for a role's MaxSessionDuration. */
export const ROLE_MAX_SESSION_DURATION = { min: 3_600, max: 43_200 } as const;

const ROLE_KEYS = new Set(['arn', 'maxSessionDuration', 'trustPolicy']);

/** A validated copy of the role (later changes to the caller's object do not reach the emulator). Throws on any problem. */
export function checkRole(input: unknown, accountId: string): RoleEntry {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new Error('local STS: a role must be an object { arn, maxSessionDuration, trustPolicy }');
  const raw = input as Record<string, unknown>;
  const arn = raw.arn;
  if (typeof arn !== 'string' || !ROLE_ARN_PATTERN.test(arn)) throw new Error(`local STS: invalid role ARN ${JSON.stringify(arn)}`);
  const where = `local STS: role ${arn}`;
  if ('trustedPrincipals' in raw || 'externalId' in raw) {
    throw new Error(
      `${where}: trustedPrincipals and externalId were replaced by trustPolicy, an IAM trust policy document (see local/sts/README.md)`,
    );
  }
  for (const key of Object.keys(raw)) if (!ROLE_KEYS.has(key)) throw new Error(`${where}: unknown field ${JSON.stringify(key)}`);
  if (arn.split(':')[4] !== accountId) throw new Error(`${where}: not in the emulator's account ${accountId}`);
  const max = raw.maxSessionDuration;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < ROLE_MAX_SESSION_DURATION.min || max > ROLE_MAX_SESSION_DURATION.max) {
    throw new Error(
      `${where}: maxSessionDuration must be an integer from ${ROLE_MAX_SESSION_DURATION.min} to ${ROLE_MAX_SESSION_DURATION.max} seconds`,
    );
  }
  if (raw.trustPolicy === undefined) throw new Error(`${where}: trustPolicy is required`);
  const trust = parseTrustPolicy(raw.trustPolicy, where);
  const trustPolicy =
    typeof raw.trustPolicy === 'string' ? raw.trustPolicy : (JSON.parse(JSON.stringify(raw.trustPolicy)) as LocalStsRole['trustPolicy']);
  return { role: { arn, maxSessionDuration: max, trustPolicy }, trust };
}

export class RoleRegistry {
  private readonly roles = new Map<string, RoleEntry>();

  constructor(
    private readonly accountId: string,
    initial: unknown[],
  ) {
    for (const role of initial) {
      const entry = checkRole(role, accountId);
      if (this.roles.has(entry.role.arn)) throw new Error(`local STS: role ${entry.role.arn} is listed twice`);
      this.roles.set(entry.role.arn, entry);
    }
  }

  get(arn: string): RoleEntry | undefined {
    return this.roles.get(arn);
  }

  /** The role whose ARN ends in /<name> (IAM's role names are unique in an account, whatever the path). */
  byName(name: string): RoleEntry | undefined {
    for (const entry of this.roles.values()) if (entry.role.arn.slice(entry.role.arn.lastIndexOf('/') + 1) === name) return entry;
    return undefined;
  }

  /** Adds the role or replaces the one with its ARN; throws (and changes nothing) when it is invalid. */
  put(role: unknown): void {
    const entry = checkRole(role, this.accountId);
    this.roles.set(entry.role.arn, entry);
  }

  /** True when a role was removed. Credentials already issued for it keep working with the emulator. */
  delete(arn: string): boolean {
    return this.roles.delete(arn);
  }
}
