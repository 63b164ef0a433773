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

/** Bounds as issuedAt is stored (toISOString, UTC, milliseconds), so they compare as strings. */
export function issuanceFilterOf(input: IssuanceQueryInput): IssuanceFilter {
  const from = input.from === undefined ? undefined : new Date(input.from).toISOString();
  const to = input.to === undefined ? undefined : new Date(input.to).toISOString();
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
