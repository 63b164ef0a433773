// Operator actions: tenants and their admin keys.

import { NotFoundError } from '../core/errors';
import type { EntityStatus } from '../core/model';
import type { Caller } from '../identity/authenticate';
import { assertOperator, authorizeTenant } from './access';
import { createApiKey, isKeyId, keySummary, newKeyBody } from './api-keys';
import { initialBinding } from './bindings';
import type { AdminDeps, PageRequest } from './ports';
import type { CreateTenantBody } from './schemas';
import { readBack, tenantView } from './views';

export async function createTenant(deps: AdminDeps, caller: Caller, body: CreateTenantBody) {
  assertOperator(caller);
  const at = deps.now().toISOString();
  // The external ID exists from the start, so the tenant can write its roles' trust policies at once.
  const tenant = {
    tenantId: body.tenantId,
    name: body.name,
    status: 'enabled' as const,
    createdAt: at,
    binding: initialBinding(at, caller.keyId),
  };
  await deps.store.createTenant(tenant);
  return tenantView(tenant);
}

export async function listTenants(deps: AdminDeps, caller: Caller, page: PageRequest) {
  assertOperator(caller);
  const out = await deps.store.listTenants(page);
  return { items: out.items.map(tenantView), nextCursor: out.nextCursor };
}

export async function setTenantStatus(deps: AdminDeps, caller: Caller, tenantId: string, status: EntityStatus) {
  assertOperator(caller);
  await authorizeTenant(deps.lookup, caller, tenantId);
  await deps.store.setTenantStatus(tenantId, status, deps.now().toISOString());
  if (status === 'disabled') deps.onRevocation?.();
  return tenantView(await readBack(deps.lookup.getTenant(tenantId)));
}

export async function createAdminKey(deps: AdminDeps, caller: Caller, tenantId: string) {
  assertOperator(caller);
  await authorizeTenant(deps.lookup, caller, tenantId);
  return newKeyBody(await createApiKey(deps.store, 'admin', { tenantId }, deps.now()));
}

export async function revokeAdminKey(deps: AdminDeps, caller: Caller, tenantId: string, keyId: string) {
  assertOperator(caller);
  await authorizeTenant(deps.lookup, caller, tenantId);
  if (!isKeyId(keyId)) throw new NotFoundError('not_found', 'Key not found');
  await deps.store.revokeKey(keyId, { kind: 'admin', tenantId }, deps.now().toISOString());
  deps.onRevocation?.();
  return keySummary(await readBack(deps.lookup.getKey(keyId)));
}
