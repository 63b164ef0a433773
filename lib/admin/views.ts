// The shapes directory records leave the service in: built from allowlists, so a storage attribute
// or a future secret-bearing field can never leak into a response by accident.
import { DependencyUnavailableError } from '../core/errors';
import type { Partner, Tenant, TenantPolicy } from '../core/model';

type Updated = { updatedAt?: string };

export function tenantView(t: Tenant & Updated) {
  return { tenantId: t.tenantId, name: t.name, status: t.status, createdAt: t.createdAt, updatedAt: t.updatedAt };
}

export function partnerView(p: Partner & Updated) {
  return {
    tenantId: p.tenantId,
    partnerId: p.partnerId,
    name: p.name,
    status: p.status,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

export function policyView(p: TenantPolicy & { updatedBy?: string }) {
  // `policy` both ways: what GET answers is what PUT takes back.
  return { tenantId: p.tenantId, version: p.version, policy: p.document, updatedAt: p.updatedAt, updatedBy: p.updatedBy };
}

/** The record just written; its absence means the store lost a write it acknowledged. */
export async function readBack<T>(read: Promise<T | undefined>): Promise<T> {
  const found = await read;
  if (!found) throw new DependencyUnavailableError('dynamodb_unavailable', 'The data store did not return a record it just wrote');
  return found;
}
