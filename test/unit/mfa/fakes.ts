// In-memory MFA device store: the same conditions as the DynamoDB adapter (lib/store/mfa-devices.ts).
import { randomBytes } from 'node:crypto';
import type { MfaDevice } from '../../../lib/core/model';
import type { MfaDeps } from '../../../lib/mfa/devices';
import type { MfaDeviceStore } from '../../../lib/mfa/ports';
import { AesGcmSeedCipher } from '../../../lib/mfa/seed-cipher';

export class FakeMfaDevices implements MfaDeviceStore {
  readonly items = new Map<string, MfaDevice>();
  private key = (t: string, p: string, d: string) => `${t}/${p}/${d}`;

  async create(device: MfaDevice) {
    const k = this.key(device.tenantId, device.partnerId, device.deviceId);
    if (this.items.has(k)) return false;
    this.items.set(k, structuredClone(device));
    return true;
  }
  async get(t: string, p: string, d: string) {
    const item = this.items.get(this.key(t, p, d));
    return item && structuredClone(item);
  }
  async list(t: string, p: string) {
    return [...this.items.values()].filter((d) => d.tenantId === t && d.partnerId === p).map((d) => structuredClone(d));
  }
  async confirm(t: string, p: string, d: string, step: number, at: string) {
    const item = this.items.get(this.key(t, p, d));
    if (item?.status !== 'pending') return false;
    Object.assign(item, { status: 'active', confirmedAt: at, lastUsedStep: step });
    return true;
  }
  async useStep(t: string, p: string, d: string, step: number) {
    const item = this.items.get(this.key(t, p, d));
    if (item?.status !== 'active' || (item.lastUsedStep !== undefined && item.lastUsedStep >= step)) return false;
    item.lastUsedStep = step;
    return true;
  }
  async delete(t: string, p: string, d: string) {
    return this.items.delete(this.key(t, p, d));
  }
}

export function fakeMfaDeps(at: { now: number }, key: Uint8Array = randomBytes(32)): MfaDeps & { store: FakeMfaDevices } {
  return { store: new FakeMfaDevices(), cipher: new AesGcmSeedCipher(async () => key), now: () => new Date(at.now) };
}
