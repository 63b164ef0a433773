// The admin API's MFA device routes (issue 19): a tenant admin (or an operator) enrols a TOTP device
// for one of the tenant's partners, lists, confirms and deletes them; a partner may confirm its own
// device with its key. Access is decided here (access.ts, and the partner key's own ids), the device
// logic in lib/mfa/devices.ts. Another tenant's or partner's device answers 404 like an absent one.
import { ConflictError, DependencyUnavailableError, ForbiddenError, NotFoundError, UnprocessableError } from '../core/errors';
import { ID_PATTERN } from '../core/model';
import type { Caller } from '../identity/authenticate';
import { confirmDevice, deleteDevice, enrolDevice, listDevices, MAX_DEVICES_PER_PARTNER, type MfaDeps } from '../mfa/devices';
import { authorizePartner } from './partners';
import type { AdminDeps } from './ports';
import type { EnrolMfaDeviceBody } from './schemas';

const DEVICE_ID = /^mfa-[a-z2-7]{16}$/;

function mfaOf(deps: AdminDeps): MfaDeps {
  if (!deps.mfa) throw new DependencyUnavailableError('mfa_unavailable', 'MFA is not configured on this stage');
  return deps.mfa;
}

const deviceNotFound = () => new NotFoundError('not_found', 'MFA device not found');

export async function enrolMfaDevice(deps: AdminDeps, caller: Caller, tenantId: string, partnerId: string, body: EnrolMfaDeviceBody) {
  await authorizePartner(deps, caller, tenantId, partnerId);
  const result = await enrolDevice(mfaOf(deps), { tenantId, partnerId }, body.label ?? 'authenticator', caller.keyId);
  if (!result.ok) {
    throw new ConflictError('mfa_device_limit', `A partner may have at most ${MAX_DEVICES_PER_PARTNER} MFA devices; delete one first`);
  }
  return { device: result.device, seed: result.seed, otpauthUri: result.otpauthUri };
}

export async function listMfaDevices(deps: AdminDeps, caller: Caller, tenantId: string, partnerId: string) {
  await authorizePartner(deps, caller, tenantId, partnerId);
  return { items: await listDevices(mfaOf(deps), { tenantId, partnerId }) };
}

export async function deleteMfaDevice(deps: AdminDeps, caller: Caller, tenantId: string, partnerId: string, deviceId: string) {
  await authorizePartner(deps, caller, tenantId, partnerId);
  if (!DEVICE_ID.test(deviceId) || !(await deleteDevice(mfaOf(deps), { tenantId, partnerId }, deviceId))) throw deviceNotFound();
  return { deviceId, deleted: true };
}

async function confirm(deps: AdminDeps, who: { tenantId: string; partnerId: string }, deviceId: string, code: string) {
  if (!DEVICE_ID.test(deviceId)) throw deviceNotFound();
  const result = await confirmDevice(mfaOf(deps), who, deviceId, code);
  if (result.ok) return result.device;
  if (result.reason === 'not_found') throw deviceNotFound();
  if (result.reason === 'already_confirmed') throw new ConflictError('mfa_device_confirmed', 'The MFA device is confirmed already');
  throw new UnprocessableError('mfa_code_invalid', 'The code is not the current code of this device', {
    details: [{ path: '$.code', message: 'not the current code' }],
  });
}

/** A tenant admin (or operator) confirms a pending device of one of the tenant's partners. */
export async function confirmMfaDeviceAsAdmin(
  deps: AdminDeps,
  caller: Caller,
  tenantId: string,
  partnerId: string,
  deviceId: string,
  code: string,
) {
  await authorizePartner(deps, caller, tenantId, partnerId);
  return confirm(deps, { tenantId, partnerId }, deviceId, code);
}

/** A partner confirms its own pending device with its key: tenant and partner come from the key, never from the request. */
export async function confirmMfaDeviceAsPartner(deps: AdminDeps, caller: Caller, deviceId: string, code: string) {
  const { tenantId, partnerId } = caller;
  if (caller.kind !== 'partner' || !tenantId || !partnerId || !ID_PATTERN.test(partnerId)) {
    throw new ForbiddenError('wrong_key_kind', 'Only partner keys confirm their own MFA devices here');
  }
  const [tenant, partner] = await Promise.all([deps.lookup.getTenant(tenantId), deps.lookup.getPartner(tenantId, partnerId)]);
  if (tenant?.status !== 'enabled') throw new ForbiddenError('tenant_disabled', 'The tenant is disabled');
  if (partner?.status !== 'enabled') throw new ForbiddenError('partner_disabled', 'The partner is disabled');
  return confirm(deps, { tenantId, partnerId }, deviceId, code);
}
