// One report per audit run and tenant: what expired and was issued in the window, what is still live, and what
// an operator should act on. Reports are a pure function of the window and the stored data, with
// lists sorted, so a retried run over the same window produces the same report.

import type { AuditReport, EntityStatus, Mode } from '../core/model';
import type { PolicyProblem } from '../core/problems';
import type { DurationExcess, StoredItem } from './checks';

export type LiveFlagReason = 'tenant_disabled' | 'tenant_missing' | 'partner_disabled' | 'key_revoked' | 'revocation_not_effective';

/** Revocations of the tenant that became effective in the window: how long from asked to written everywhere. */
export interface RevocationLag {
  effectiveInWindow: number;
  maxLagSeconds: number;
  /** Revocations still pending at the end of the window (their IAM write failed and is retried). */
  pending: number;
}

/** A credential still valid at the end of the window although its tenant, partner or key no longer is. */
export interface LiveCredentialFlag {
  issuanceId: string | null;
  partnerId: string | null;
  keyId: string | null;
  /** What to act on (e.g. deny by aws:userid / revoke the role's sessions). */
  accessKeyId: string | null;
  principalArn: string | null;
  expiresAt: string;
  reason: LiveFlagReason;
}

/** An issuance in the window that is longer than the tenant's current maximum for its mode. */
export interface OverMaxDurationFlag {
  issuanceId: string | null;
  partnerId: string | null;
  mode: Mode;
  durationSeconds: number;
  /** null: the tenant's current policy does not allow the mode at all. */
  maxDurationSeconds: number | null;
  expiresAt: string | null;
}

/** An issuance record in the window with missing or inconsistent fields. */
export interface InvalidRecordFlag {
  issuanceId: string | null;
  /** The item's sort key, which locates it even when its fields do not. */
  sk: string;
  problems: string[];
}

export interface TenantAuditReport extends AuditReport {
  tenantStatus: EntityStatus | 'missing';
  /** Issuance records whose expiry fell in [windowStart, windowEnd), whoever marked them expired. */
  expiredInWindow: number;
  /** Issuance records whose issuedAt fell in [windowStart, windowEnd). */
  issuedInWindow: number;
  /** Credentials issued before windowEnd and expiring at or after it, from the tenant's live counter (lib/audit/live-counts.ts). */
  liveCredentials: number;
  /** Exact sizes of the lists below, which keep at most the configured number of entries. */
  flagCounts: { liveCredentialsOfDisabled: number; overMaxDuration: number; invalidRecords: number };
  liveCredentialsOfDisabled: LiveCredentialFlag[];
  overMaxDuration: OverMaxDurationFlag[];
  invalidRecords: InvalidRecordFlag[];
  /** The stored policy breaks a rule of today or its binding: issuance refuses it until it is updated. */
  policyProblems: PolicyProblem[];
  /** Present when the tenant has revocations that became effective in the window or are pending. */
  revocationLag?: RevocationLag;
  /** True when a list was cut to the configured limit. */
  truncated: boolean;
}

function strOrNull(item: StoredItem, name: string): string | null {
  const value = item[name];
  return typeof value === 'string' ? value : null;
}

export function liveFlagOf(item: StoredItem, reason: LiveFlagReason): LiveCredentialFlag {
  return {
    issuanceId: strOrNull(item, 'issuanceId'),
    partnerId: strOrNull(item, 'partnerId'),
    keyId: strOrNull(item, 'keyId'),
    accessKeyId: strOrNull(item, 'accessKeyId'),
    principalArn: strOrNull(item, 'principalArn'),
    expiresAt: String(item.expiresAt),
    reason,
  };
}

export function overMaxFlagOf(item: StoredItem, excess: DurationExcess): OverMaxDurationFlag {
  return {
    issuanceId: strOrNull(item, 'issuanceId'),
    partnerId: strOrNull(item, 'partnerId'),
    ...excess,
    expiresAt: strOrNull(item, 'expiresAt'),
  };
}

export function invalidFlagOf(item: StoredItem, problems: string[]): InvalidRecordFlag {
  return { issuanceId: strOrNull(item, 'issuanceId'), sk: String(item.sk), problems };
}

export interface TenantFindings {
  tenantId: string;
  tenantStatus: EntityStatus | 'missing';
  expiredInWindow: number;
  issuedInWindow: number;
  liveCredentials: number;
  liveCredentialsOfDisabled: LiveCredentialFlag[];
  overMaxDuration: OverMaxDurationFlag[];
  invalidRecords: InvalidRecordFlag[];
  /** What today's rules and the binding say of the tenant's stored policy (read when the window touched the tenant). */
  policyProblems: PolicyProblem[];
  revocationLag?: RevocationLag;
}

/** A tenant gets a report when something happened or is live; idle tenants would only add noise. */
export function isReportable(f: TenantFindings): boolean {
  return (
    f.expiredInWindow > 0 ||
    f.issuedInWindow > 0 ||
    f.liveCredentials !== 0 ||
    f.liveCredentialsOfDisabled.length + f.overMaxDuration.length + f.invalidRecords.length + f.policyProblems.length > 0 ||
    f.revocationLag !== undefined
  );
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function sortedCapped<T>(list: T[], key: (x: T) => string, limit: number): T[] {
  return [...list].sort((a, b) => byText(key(a), key(b))).slice(0, limit);
}

export function buildReport(
  f: TenantFindings,
  run: { runId: string; windowStart: string; windowEnd: string; createdAt: string },
  listLimit: number,
): TenantAuditReport {
  const live = sortedCapped(f.liveCredentialsOfDisabled, (x) => `${x.expiresAt}#${x.issuanceId}`, listLimit);
  const overMax = sortedCapped(f.overMaxDuration, (x) => `${x.expiresAt}#${x.issuanceId}`, listLimit);
  const invalid = sortedCapped(f.invalidRecords, (x) => x.sk, listLimit);
  return {
    tenantId: f.tenantId,
    ...run,
    tenantStatus: f.tenantStatus,
    expiredInWindow: f.expiredInWindow,
    issuedInWindow: f.issuedInWindow,
    liveCredentials: f.liveCredentials,
    flagCounts: {
      liveCredentialsOfDisabled: f.liveCredentialsOfDisabled.length,
      overMaxDuration: f.overMaxDuration.length,
      invalidRecords: f.invalidRecords.length,
    },
    liveCredentialsOfDisabled: live,
    overMaxDuration: overMax,
    invalidRecords: invalid,
    policyProblems: f.policyProblems.slice(0, listLimit),
    ...(f.revocationLag ? { revocationLag: f.revocationLag } : {}),
    truncated:
      live.length < f.liveCredentialsOfDisabled.length ||
      overMax.length < f.overMaxDuration.length ||
      invalid.length < f.invalidRecords.length,
  };
}
