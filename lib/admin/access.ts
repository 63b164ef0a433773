// Who may act on what, decided here and nowhere else. An operator may act on any tenant; a tenant
// admin only on its own. Another tenant's resources answer 404 exactly like absent ones, so ids
// cannot be probed for existence.

import { ForbiddenError, NotFoundError } from '../core/errors';
import { ID_PATTERN, type Tenant } from '../core/model';
import type { Caller } from '../identity/authenticate';
import type { DirectoryLookup } from './ports';

export function assertOperator(caller: Caller): void {
  if (caller.kind !== 'operator') throw new ForbiddenError('wrong_key_kind', `This route does not accept ${caller.kind} keys`);
}

/**
 * The tenant `caller` may act on, or 404. Admins of a disabled tenant are refused (403 tenant_disabled):
 * an operator disables a tenant to stop it entirely; operators may still act on it.
 */
export async function authorizeTenant(lookup: DirectoryLookup, caller: Caller, tenantId: string): Promise<Tenant> {
  if (caller.kind !== 'admin' && caller.kind !== 'operator') {
    throw new ForbiddenError('wrong_key_kind', `This route does not accept ${caller.kind} keys`);
  }
  // An id that cannot exist is as unknown as an id that does not.
  if (!ID_PATTERN.test(tenantId)) throw new NotFoundError('not_found', 'Tenant not found');
  if (caller.kind === 'admin' && caller.tenantId !== tenantId) throw new NotFoundError('not_found', 'Tenant not found');
  const tenant = await lookup.getTenant(tenantId);
  if (!tenant) throw new NotFoundError('not_found', 'Tenant not found');
  if (caller.kind === 'admin' && tenant.status !== 'enabled') {
    throw new ForbiddenError('tenant_disabled', 'The tenant is disabled; ask an operator');
  }
  return tenant;
}
