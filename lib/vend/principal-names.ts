// The names STS gives a partner's sessions, derived from tenant and partner so two tenants' partners
// with the same id never share a principal ARN (DESIGN.md "Trust model"). A request's sessionName can
// only add a suffix after the last dot or dash; the part before it is fixed per partner.
//
//   RoleSessionName  <tenant[:16]>.<partner[:16]>.<hash16>.<suffix>   suffix: sessionName or the issuance id's first 8
//   SourceIdentity   <tenant[:16]>.<partner[:16]>.<hash16>
//   Federation Name  <tenant[:4]>.<partner[:4]>.<hash16>[-<sessionName>]
//
// hash16 is 16 base32 characters (80 bits) of SHA-256("<tenantId>/<partnerId>"): the readable prefixes
// are cut short to fit STS's limits, the hash keeps every pair apart. Ids never contain '.', '/' or '-'
// at an end, so the fields cannot be shifted to make one partner's name another's.
import { createHash } from 'node:crypto';
import { base32 } from '../core/base32';

function partnerHash(tenantId: string, partnerId: string): string {
  return base32(createHash('sha256').update(`${tenantId}/${partnerId}`, 'utf8').digest().subarray(0, 16));
}

/** Fixed per partner: SourceIdentity, and the part of every RoleSessionName before its suffix. */
export function partnerIdentity(tenantId: string, partnerId: string): string {
  return `${tenantId.slice(0, 16)}.${partnerId.slice(0, 16)}.${partnerHash(tenantId, partnerId)}`;
}

export function roleSessionName(tenantId: string, partnerId: string, suffix: string): string {
  return `${partnerIdentity(tenantId, partnerId)}.${suffix}`;
}

export function federationName(tenantId: string, partnerId: string, suffix?: string): string {
  const base = `${tenantId.slice(0, 4)}.${partnerId.slice(0, 4)}.${partnerHash(tenantId, partnerId)}`;
  return suffix === undefined ? base : `${base}-${suffix}`;
}

/** What a partner's sessions are named, for whoami and the docs (`<suffix>` where the request chooses). */
export function principalFormats(tenantId: string, partnerId: string) {
  return {
    roleSessionName: roleSessionName(tenantId, partnerId, '<sessionName or issuance id>'),
    sourceIdentity: partnerIdentity(tenantId, partnerId),
    federationName: federationName(tenantId, partnerId),
    federationNameWithSuffix: federationName(tenantId, partnerId, '<sessionName>'),
    sessionTags: { tenant: tenantId, partner: partnerId },
  };
}
