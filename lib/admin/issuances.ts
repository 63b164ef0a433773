// What a tenant can read about past issuances: the issuance ledger and the expiry-audit reports.

import { BadRequestError } from '../core/errors';
import type { IssuanceStatus } from '../core/model';
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

export async function queryIssuances(deps: AdminDeps, caller: Caller, tenantId: string, input: IssuanceQueryInput, page: PageRequest) {
  await authorizeTenant(deps.lookup, caller, tenantId);
  return deps.issuances.query(tenantId, issuanceFilterOf(input), page);
}

export async function listAuditReports(deps: AdminDeps, caller: Caller, tenantId: string, page: PageRequest) {
  await authorizeTenant(deps.lookup, caller, tenantId);
  return deps.auditReports(tenantId, page);
}
