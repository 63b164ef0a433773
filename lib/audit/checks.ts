// What the audit checks on each issuance record it reads. Items come straight from the table,
// so nothing about their shape is assumed: every field is checked before it is trusted.
import { ID_PATTERN, MODES, type Mode, type TenantPolicy } from '../core/model';
import { parseIssuancePk, tableKeys } from '../core/table-keys';
import { MAX_STS_DURATION_SECONDS } from './window';

export type StoredItem = Record<string, unknown>;

const ASSUME_ROLE_MAX_SECONDS = 43_200;
const MIN_DURATION_SECONDS = 900;
/** STS stamps the expiration before the record's issuedAt is taken; allow for that and for clock skew. */
const LIFETIME_SLACK_SECONDS = 300;
const ISO_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const REQUIRED_STRINGS = [
  'issuanceId',
  'tenantId',
  'partnerId',
  'keyId',
  'accessKeyId',
  'principalArn',
  'principalId',
  'policySha256',
  'issuedAt',
  'expiresAt',
] as const;

function str(item: StoredItem, name: string): string | undefined {
  const value = item[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function isIsoTimestamp(value: string | undefined): value is string {
  return value !== undefined && ISO_PATTERN.test(value) && !Number.isNaN(Date.parse(value));
}

/** The tenant an item is stored under: its partition key is authoritative, the attribute may be wrong. */
export function tenantOfItem(item: StoredItem): string {
  const pk = str(item, 'pk') ?? '';
  return parseIssuancePk(pk)?.tenantId ?? str(item, 'tenantId') ?? pk;
}

/**
 * The statusKey an item gets with `status`, in the layout its pk was written with (sharded, or
 * legacy for records from before sharding), so a legacy record stays consistent with itself.
 */
export function statusKeyOfItem(item: StoredItem, status: string): string {
  const parsed = parseIssuancePk(str(item, 'pk') ?? '');
  const base = `${tenantOfItem(item)}#${status}`;
  return parsed?.shard === undefined ? base : `${base}#${parsed.shard}`;
}

/** Missing or inconsistent fields of an issuance item, as short sentences; empty when it is sound. */
export function issuanceProblems(item: StoredItem): string[] {
  const problems: string[] = [];
  for (const name of REQUIRED_STRINGS) if (str(item, name) === undefined) problems.push(`${name} is missing`);

  const tenantId = str(item, 'tenantId');
  const partnerId = str(item, 'partnerId');
  const issuanceId = str(item, 'issuanceId');
  const issuedAt = str(item, 'issuedAt');
  const expiresAt = str(item, 'expiresAt');
  const status = item.status;
  const mode = item.mode;
  const duration = item.durationSeconds;

  if (tenantId !== undefined && !ID_PATTERN.test(tenantId)) problems.push('tenantId is not a valid id');
  if (partnerId !== undefined && !ID_PATTERN.test(partnerId)) problems.push('partnerId is not a valid id');
  if (issuedAt !== undefined && !isIsoTimestamp(issuedAt)) problems.push('issuedAt is not an ISO timestamp');
  if (expiresAt !== undefined && !isIsoTimestamp(expiresAt)) problems.push('expiresAt is not an ISO timestamp');
  if (status !== 'active' && status !== 'expired') problems.push('status is missing or unknown');
  if (!MODES.includes(mode as Mode)) problems.push('mode is missing or unknown');
  if (!Number.isInteger(item.policyVersion) || (item.policyVersion as number) < 1) problems.push('policyVersion is missing or invalid');
  if (item.ttl === undefined) problems.push('ttl is missing (no retention)');

  const maxForMode = mode === 'assume-role' ? ASSUME_ROLE_MAX_SECONDS : MAX_STS_DURATION_SECONDS;
  if (!Number.isInteger(duration)) {
    problems.push('durationSeconds is missing or not an integer');
  } else if ((duration as number) < MIN_DURATION_SECONDS || (duration as number) > maxForMode) {
    problems.push(`durationSeconds ${duration} is outside the STS bounds for the mode`);
  }

  if (isIsoTimestamp(issuedAt) && isIsoTimestamp(expiresAt)) {
    const lifetime = (Date.parse(expiresAt) - Date.parse(issuedAt)) / 1000;
    if (lifetime <= 0) problems.push('expiresAt is not after issuedAt');
    else if (Number.isInteger(duration) && lifetime > (duration as number) + LIFETIME_SLACK_SECONDS) {
      problems.push('expiresAt is later than issuedAt + durationSeconds');
    }
  }

  // The storage keys must agree with the record, or the indexes answer wrongly about it. Records
  // from before sharding carry keys without a shard: they must agree with that layout throughout.
  const layout = parseIssuancePk(str(item, 'pk') ?? '')?.layout ?? 'sharded';
  if (tenantId !== undefined && issuanceId !== undefined && str(item, 'pk') !== tableKeys.issuance(tenantId, '', issuanceId, layout).pk) {
    problems.push('pk does not match tenantId');
  }
  if (issuedAt !== undefined && issuanceId !== undefined && str(item, 'sk') !== `${issuedAt}#${issuanceId}`) {
    problems.push('sk does not match issuedAt and issuanceId');
  }
  if (
    tenantId !== undefined &&
    partnerId !== undefined &&
    expiresAt !== undefined &&
    issuanceId !== undefined &&
    (status === 'active' || status === 'expired')
  ) {
    const expected = tableKeys.issuanceIndexes({ tenantId, partnerId, status, expiresAt, issuanceId }, layout);
    for (const [name, value] of Object.entries(expected)) {
      if (item[name] !== value) problems.push(`${name} does not match the record`);
    }
  }
  return problems;
}

export interface DurationExcess {
  mode: Mode;
  durationSeconds: number;
  /** null: the tenant's policy no longer allows this mode at all. */
  maxDurationSeconds: number | null;
}

/** How a record exceeds the tenant's current maximum duration, or undefined when it does not. */
export function durationExcess(item: StoredItem, policy: TenantPolicy | undefined): DurationExcess | undefined {
  const mode = item.mode as Mode;
  const durationSeconds = item.durationSeconds;
  // Without a policy there is no current maximum to compare with; malformed records are flagged elsewhere.
  if (!policy || !MODES.includes(mode) || !Number.isInteger(durationSeconds)) return undefined;
  const max = policy.document.modes[mode]?.maxDurationSeconds;
  if (max !== undefined && (durationSeconds as number) <= max) return undefined;
  return { mode, durationSeconds: durationSeconds as number, maxDurationSeconds: max ?? null };
}
