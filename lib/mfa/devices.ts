// TOTP devices of partners (issue 19), in one place: enrolment by a tenant admin (the seed is shown
// once, sealed at rest), confirmation with a first code, listing and deletion, and the check of an
// issuance's code. Who may act on which tenant is decided by the caller (lib/admin/access.ts for the
// admin routes; the partner's own key on the issuance path), never here from request input.
import { randomBytes } from 'node:crypto';
import { base32 } from '../core/base32';
import type { MfaDevice } from '../core/model';
import type { MfaCodeStore, MfaDeviceStore, SeedCipher } from './ports';
import { seedContext } from './seed-cipher';
import { matchingStep, newSeed, otpauthUri, seedToBase32, TOTP_PERIOD_SECONDS } from './totp';

/** A partner's devices are few (a phone, a spare); more is a sign of a leaked admin key at work. */
export const MAX_DEVICES_PER_PARTNER = 5;

export interface MfaDeps {
  store: MfaDeviceStore;
  cipher: SeedCipher;
  now: () => Date;
}

/** What verifyCode needs: the issuance path gets no more. */
export type MfaVerifyDeps = Omit<MfaDeps, 'store'> & { store: MfaCodeStore };

/** What admins see of a device: never the seed, sealed or not. */
export interface MfaDeviceView {
  deviceId: string;
  partnerId: string;
  label: string;
  status: MfaDevice['status'];
  createdAt: string;
  createdBy: string;
  confirmedAt?: string;
  lastUsedAt?: string;
}

export function deviceView(device: MfaDevice): MfaDeviceView {
  return {
    deviceId: device.deviceId,
    partnerId: device.partnerId,
    label: device.label,
    status: device.status,
    createdAt: device.createdAt,
    createdBy: device.createdBy,
    ...(device.confirmedAt ? { confirmedAt: device.confirmedAt } : {}),
    ...(device.lastUsedStep !== undefined ? { lastUsedAt: new Date(device.lastUsedStep * TOTP_PERIOD_SECONDS * 1000).toISOString() } : {}),
  };
}

export type EnrolResult = { ok: true; device: MfaDeviceView; seed: string; otpauthUri: string } | { ok: false; reason: 'device_limit' };

/** `mfa-` and 16 base32 characters (80 random bits). */
export function newDeviceId(): string {
  return `mfa-${base32(randomBytes(16))}`;
}

/** A pending device with a fresh seed; the seed and its URI are in this answer only. */
export async function enrolDevice(
  deps: MfaDeps,
  who: { tenantId: string; partnerId: string },
  label: string,
  createdBy: string,
): Promise<EnrolResult> {
  const existing = await deps.store.list(who.tenantId, who.partnerId);
  if (existing.length >= MAX_DEVICES_PER_PARTNER) return { ok: false, reason: 'device_limit' };
  const seed = newSeed();
  for (;;) {
    const deviceId = newDeviceId();
    const device: MfaDevice = {
      tenantId: who.tenantId,
      partnerId: who.partnerId,
      deviceId,
      label,
      status: 'pending',
      sealedSeed: await deps.cipher.seal(seed, seedContext(who.tenantId, who.partnerId, deviceId)),
      createdAt: deps.now().toISOString(),
      createdBy,
    };
    // 80 random bits: a taken id is next to impossible, and is then simply drawn again.
    if (await deps.store.create(device)) {
      return {
        ok: true,
        device: deviceView(device),
        seed: seedToBase32(seed),
        otpauthUri: otpauthUri(seed, `${who.tenantId}/${who.partnerId} (${label})`),
      };
    }
  }
}

async function stepOf(deps: MfaVerifyDeps, device: MfaDevice, code: string): Promise<number | undefined> {
  const seed = await deps.cipher.open(device.sealedSeed, seedContext(device.tenantId, device.partnerId, device.deviceId));
  return matchingStep(seed, code, deps.now().getTime());
}

export type ConfirmResult = { ok: true; device: MfaDeviceView } | { ok: false; reason: 'not_found' | 'already_confirmed' | 'invalid' };

/** pending -> active when `code` is the device's current code; that code is then used up. */
export async function confirmDevice(
  deps: MfaDeps,
  who: { tenantId: string; partnerId: string },
  deviceId: string,
  code: string,
): Promise<ConfirmResult> {
  const device = await deps.store.get(who.tenantId, who.partnerId, deviceId);
  if (!device) return { ok: false, reason: 'not_found' };
  if (device.status !== 'pending') return { ok: false, reason: 'already_confirmed' };
  const step = await stepOf(deps, device, code);
  if (step === undefined) return { ok: false, reason: 'invalid' };
  const at = deps.now().toISOString();
  if (!(await deps.store.confirm(who.tenantId, who.partnerId, deviceId, step, at))) return { ok: false, reason: 'already_confirmed' };
  return { ok: true, device: deviceView({ ...device, status: 'active', confirmedAt: at, lastUsedStep: step }) };
}

export async function listDevices(deps: MfaDeps, who: { tenantId: string; partnerId: string }): Promise<MfaDeviceView[]> {
  return (await deps.store.list(who.tenantId, who.partnerId)).map(deviceView);
}

export function deleteDevice(deps: MfaDeps, who: { tenantId: string; partnerId: string }, deviceId: string): Promise<boolean> {
  return deps.store.delete(who.tenantId, who.partnerId, deviceId);
}

export type VerifyOutcome = 'verified' | 'invalid' | 'replayed' | 'not_enrolled';

/**
 * An issuance's code against the partner's confirmed devices. The first device whose code it is, within
 * the window, must take the code's step with a conditional write: of two requests with one code, one
 * wins, the other finds the step taken ('replayed'), as does any later request with that code or an
 * older one of the same device.
 */
export async function verifyCode(deps: MfaVerifyDeps, who: { tenantId: string; partnerId: string }, code: string): Promise<VerifyOutcome> {
  const active = (await deps.store.list(who.tenantId, who.partnerId)).filter((d) => d.status === 'active');
  if (active.length === 0) return 'not_enrolled';
  for (const device of active) {
    const step = await stepOf(deps, device, code);
    if (step === undefined) continue;
    if (device.lastUsedStep !== undefined && step <= device.lastUsedStep) return 'replayed';
    return (await deps.store.useStep(who.tenantId, who.partnerId, device.deviceId, step)) ? 'verified' : 'replayed';
  }
  return 'invalid';
}
