// What a tenant can read about past issuances: the issuance ledger and the expiry-audit reports.

import { BadRequestError } from '../core/errors';
import type { IssuanceRecord, IssuanceStatus, RevocationRecord } from '../core/model';
import type { Caller } from '../identity/authenticate';
import { authorizeTenant } from './access';
import type { AdminDeps, IssuanceFilter, PageRequest } from './ports';

export interface IssuanceQueryInput {
  from?: string;
  to?: string;
  partnerId?: string;
  status?: IssuanceStatus;
}

const FIRST = '0000-01-01T00:00:00.000Z';
const LAST = '9999-12-31T23:59:59.999Z';

/**
 * A bound as issuedAt is stored (toISOString, UTC, milliseconds), so it compares as a string. An
 * offset can move a valid timestamp out of years 0000–9999, where toISOString writes `+010000-…`
 * or `-000001-…`, which would sort wrongly: such a bound is clamped to the first or last instant.
 */
function storedForm(timestamp: string | undefined): string | undefined {
  if (timestamp === undefined) return undefined;
  const iso = new Date(timestamp).toISOString();
  return iso.startsWith('+') ? LAST : iso.startsWith('-') ? FIRST : iso;
}

/** Bounds in the stored form; a bound past every possible record is no bound. */
export function issuanceFilterOf(input: IssuanceQueryInput): IssuanceFilter {
  const clampedFrom = storedForm(input.from);
  const clampedTo = storedForm(input.to);
  const from = clampedFrom === FIRST ? undefined : clampedFrom;
  const to = clampedTo === LAST ? undefined : clampedTo;
  if (from !== undefined && to !== undefined && from >= to) {
    throw new BadRequestError('invalid_request', 'The query is invalid', {
      details: [{ path: '$.from', message: '"from" must be before "to"' }],
    });
  }
  return { from, to, partnerId: input.partnerId, status: input.status };
}

/** How many of a tenant's newest revocations an issuance page is checked against. */
export const REVOCATIONS_PER_PAGE = 100;

/** The revocation that covers an issuance: one of its id, or one of its partner with a cutoff after its issue. */
export function revocationOf(issuance: IssuanceRecord, revocations: readonly RevocationRecord[]): RevocationRecord | undefined {
  return revocations.find((r) =>
    r.target.kind === 'issuance'
      ? r.target.issuanceId === issuance.issuanceId
      : r.target.partnerId === issuance.partnerId && issuance.issuedAt < r.target.before,
  );
}

/**
 * An issuance as listed: `status: revoked` with who and when once a revocation covering it is effective
 * (written everywhere it applies); a revocation not effective yet (pending, partial, recorded only) is
 * shown under `revocation` with its state, the status unchanged. Issuances already expired stay expired.
 */
export function withRevocation(issuance: IssuanceRecord, revocations: readonly RevocationRecord[]) {
  const r = revocationOf(issuance, revocations);
  if (!r) return issuance;
  const revocation = { revocationId: r.revocationId, state: r.state, revokedBy: r.createdBy, revokedAt: r.effectiveAt ?? r.createdAt };
  return r.state === 'effective' && issuance.status === 'active'
    ? { ...issuance, status: 'revoked' as const, revocation }
    : { ...issuance, revocation };
}

export async function queryIssuances(deps: AdminDeps, caller: Caller, tenantId: string, input: IssuanceQueryInput, page: PageRequest) {
  await authorizeTenant(deps.lookup, caller, tenantId);
  const out = await deps.issuances.query(tenantId, issuanceFilterOf(input), page);
  if (!deps.revocationList || out.items.length === 0) return out;
  const revocations = (await deps.revocationList(tenantId, { limit: REVOCATIONS_PER_PAGE })).items;
  return { ...out, items: out.items.map((i) => withRevocation(i, revocations)) };
}

export async function listAuditReports(deps: AdminDeps, caller: Caller, tenantId: string, page: PageRequest) {
  await authorizeTenant(deps.lookup, caller, tenantId);
  return deps.auditReports(tenantId, page);
}
