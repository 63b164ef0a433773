// Seeds at rest: AES-256-GCM (node:crypto), a fresh 96-bit IV per seal, the 128-bit tag checked on
// open. The additional authenticated data names the row (tenant, partner, device), so a sealed seed
// copied into another tenant's or partner's device record does not open. Stored as
// `v1.<iv>.<ciphertext>.<tag>` (base64url). Errors never carry key, seed or ciphertext.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SeedCipher } from './ports';

export const SEED_KEY_BYTES = 32;

/** The authenticated data of a device's seed: the row it belongs to. */
export function seedContext(tenantId: string, partnerId: string, deviceId: string): string {
  return `credvend/mfa-seed/v1/${tenantId}/${partnerId}/${deviceId}`;
}

export class SeedSealError extends Error {
  override readonly name = 'SeedSealError';
}

/** The 32-byte key from its stored form: base64 (or base64url) of exactly 32 bytes. */
export function parseSeedKey(text: string): Uint8Array {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== SEED_KEY_BYTES) throw new SeedSealError(`The MFA seed key must be ${SEED_KEY_BYTES} bytes in base64`);
  return key;
}

export class AesGcmSeedCipher implements SeedCipher {
  /** @param key loads the key (cached by the caller); called on every seal and open. */
  constructor(private readonly key: () => Promise<Uint8Array>) {}

  async seal(seed: Uint8Array, context: string): Promise<string> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', await this.key(), iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(seed), cipher.final()]);
    return ['v1', iv, body, cipher.getAuthTag()].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  async open(sealed: string, context: string): Promise<Uint8Array> {
    const [version, iv, body, tag, ...rest] = sealed.split('.');
    if (version !== 'v1' || !iv || !body || !tag || rest.length) throw new SeedSealError('Not a sealed MFA seed');
    const key = await this.key();
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: 16 });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return new Uint8Array(Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]));
    } catch {
      // Node's message says only that authentication failed; ours says no more.
      throw new SeedSealError('The MFA seed does not open with this key for this device');
    }
  }
}
