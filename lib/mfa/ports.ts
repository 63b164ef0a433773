// What the MFA capability needs from outside: the device records (lib/store/mfa-devices.ts) and the
// key that seals seeds at rest (lib/mfa/seed-cipher.ts over a key source the wiring provides).
import type { MfaDevice } from '../core/model';

/** What checking an issuance's code needs (the issuance path's role grants no more). */
export type MfaCodeStore = Pick<MfaDeviceStore, 'list' | 'useStep'>;

export interface MfaDeviceStore {
  /** Writes a new device; false when the id is taken. */
  create(device: MfaDevice): Promise<boolean>;
  /** Consistent read of one device. */
  get(tenantId: string, partnerId: string, deviceId: string): Promise<MfaDevice | undefined>;
  /** Consistent read of every device of one partner (a handful at most: MAX_DEVICES_PER_PARTNER). */
  list(tenantId: string, partnerId: string): Promise<MfaDevice[]>;
  /** pending -> active with `step` as its last used step; false if it is not pending any more (or gone). */
  confirm(tenantId: string, partnerId: string, deviceId: string, step: number, at: string): Promise<boolean>;
  /**
   * Records `step` as the device's last used step only if the device is active and its last used step
   * is lower: the one atomic write that makes a code single-use. False when the condition fails.
   */
  useStep(tenantId: string, partnerId: string, deviceId: string, step: number): Promise<boolean>;
  /** False when there was no such device. */
  delete(tenantId: string, partnerId: string, deviceId: string): Promise<boolean>;
}

/** Seals seeds with AES-256-GCM; `context` is authenticated data naming the row the seed belongs to. */
export interface SeedCipher {
  seal(seed: Uint8Array, context: string): Promise<string>;
  /** Throws on a wrong key or context (a sealed seed moved to another row does not open). */
  open(sealed: string, context: string): Promise<Uint8Array>;
}

/** Counts one code attempt in the partner's current window (lib/mfa/attempts.ts); false when the window is full. */
export interface MfaAttemptCounter {
  count(tenantId: string, partnerId: string, windowStart: number, limit: number, expiresAt: number): Promise<boolean>;
}
