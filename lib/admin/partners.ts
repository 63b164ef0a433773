// Tenant admin actions on partners and their keys. Keys are rotated by adding a new one: the old
// key keeps working until it is revoked, so a partner can roll over without downtime.

import { ConflictError, NotFoundError } from '../core/errors';
import { type EntityStatus, ID_PATTERN, type Partner, type Tenant } from '../core/model';
import type { Caller } from '../identity/authenticate';
import { authorizeTenant } from './access';
import { createApiKey, isKeyId, keySummary, newKeyBody } from './api-keys';
import type { AdminDeps, PageRequest } from './ports';
import { createRevocation } from './revocations';
import type { CreatePartnerBody } from './schemas';
import { partnerView, readBack } from './views';

/** The tenant and partner, if the caller may act on the tenant and the partner exists there; 404 otherwise. */
export async function authorizePartner(
  deps: AdminDeps,
  caller: Caller,
  tenantId: string,
  partnerId: string,
): Promise<{ tenant: Tenant; partner: Partner }> {
  const tenant = await authorizeTenant(deps.lookup, caller, tenantId);
  const partner = ID_PATTERN.test(partnerId) ? await deps.lookup.getPartner(tenantId, partnerId) : undefined;
  if (!partner) throw new NotFoundError('not_found', 'Partner not found');
  return { tenant, partner };
}

export async function createPartner(deps: AdminDeps, caller: Caller, tenantId: string, body: CreatePartnerBody) {
  await authorizeTenant(deps.lookup, caller, tenantId);
  const partner: Partner = { tenantId, partnerId: body.partnerId, name: body.name, status: 'enabled', createdAt: deps.now().toISOString() };
  await deps.store.createPartner(partner);
  return partnerView(partner);
}

export async function listPartners(deps: AdminDeps, caller: Caller, tenantId: string, page: PageRequest) {
  await authorizeTenant(deps.lookup, caller, tenantId);
  const out = await deps.store.listPartners(tenantId, page);
  return { items: out.items.map(partnerView), nextCursor: out.nextCursor };
}

/** With revokeSessions, the partner's sessions issued until now are revoked too (lib/admin/revocations.ts). */
export interface RevokeSessionsOption {
  revokeSessions?: boolean;
}

async function sessionsRevocation(deps: AdminDeps, caller: Caller, tenantId: string, partnerId: string, opts: RevokeSessionsOption) {
  if (!opts.revokeSessions) return {};
  return { revocation: (await createRevocation(deps, caller, tenantId, { partnerId })).revocation };
}

export async function setPartnerStatus(
  deps: AdminDeps,
  caller: Caller,
  tenantId: string,
  partnerId: string,
  status: EntityStatus,
  opts: RevokeSessionsOption = {},
) {
  await authorizePartner(deps, caller, tenantId, partnerId);
  await deps.store.setPartnerStatus(tenantId, partnerId, status, deps.now().toISOString());
  if (status === 'disabled') deps.onRevocation?.();
  const revoked = status === 'disabled' ? await sessionsRevocation(deps, caller, tenantId, partnerId, opts) : {};
  return { ...partnerView(await readBack(deps.lookup.getPartner(tenantId, partnerId))), ...revoked };
}

export async function createPartnerKey(deps: AdminDeps, caller: Caller, tenantId: string, partnerId: string) {
  await authorizePartner(deps, caller, tenantId, partnerId);
  return newKeyBody(await createApiKey(deps.store, 'partner', { tenantId, partnerId }, deps.now()));
}

export async function listPartnerKeys(deps: AdminDeps, caller: Caller, tenantId: string, partnerId: string, page: PageRequest) {
  await authorizePartner(deps, caller, tenantId, partnerId);
  const out = await deps.store.listKeys({ kind: 'partner', tenantId, partnerId }, page);
  return { items: out.items.map(keySummary), nextCursor: out.nextCursor };
}

/** A new key for the same partner; the old one stays active until revoked. Revoked keys are not rotated. */
export async function rotatePartnerKey(deps: AdminDeps, caller: Caller, tenantId: string, partnerId: string, keyId: string) {
  await authorizePartner(deps, caller, tenantId, partnerId);
  const old = isKeyId(keyId) ? await deps.lookup.getKey(keyId) : undefined;
  if (old?.kind !== 'partner' || old.tenantId !== tenantId || old.partnerId !== partnerId)
    throw new NotFoundError('not_found', 'Key not found');
  if (old.status !== 'active') throw new ConflictError('key_revoked', 'A revoked key cannot be rotated; create a new key instead');
  const created = await createApiKey(deps.store, 'partner', { tenantId, partnerId }, deps.now());
  return newKeyBody(created, { rotatedFrom: keyId });
}

/** With revokeSessions, every session of the partner issued until now is revoked (STS sessions do not carry the key id). */
export async function revokePartnerKey(
  deps: AdminDeps,
  caller: Caller,
  tenantId: string,
  partnerId: string,
  keyId: string,
  opts: RevokeSessionsOption = {},
) {
  await authorizePartner(deps, caller, tenantId, partnerId);
  if (!isKeyId(keyId)) throw new NotFoundError('not_found', 'Key not found');
  // Conditioned on the owner: another partner's or tenant's key id answers 404.
  await deps.store.revokeKey(keyId, { kind: 'partner', tenantId, partnerId }, deps.now().toISOString());
  deps.onRevocation?.();
  const revoked = await sessionsRevocation(deps, caller, tenantId, partnerId, opts);
  return { ...keySummary(await readBack(deps.lookup.getKey(keyId))), ...revoked };
}
