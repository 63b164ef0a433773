// The MFA domain (issue 19): enrolment shows the seed once and stores it sealed; confirmation and
// issuance codes are RFC 6238 codes of the device's seed, each time step usable once.
import { randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { confirmDevice, deleteDevice, enrolDevice, listDevices, MAX_DEVICES_PER_PARTNER, verifyCode } from '../../../lib/mfa/devices';
import { AesGcmSeedCipher, parseSeedKey, seedContext } from '../../../lib/mfa/seed-cipher';
import { codeAt, matchingStep, otpauthUri, seedFromBase32, seedToBase32, stepAt } from '../../../lib/mfa/totp';
import { fakeMfaDeps } from './fakes';

const WHO = { tenantId: 'acme', partnerId: 'app-one' };
// The RFC 6238 appendix B seed (ASCII "12345678901234567890") and its SHA-1 vectors, cut to 6 digits.
const RFC_SEED = new TextEncoder().encode('12345678901234567890');

describe('TOTP (otpauth, RFC 6238)', () => {
  it.each([
    [59, '287082'],
    [1111111109, '081804'],
    [1234567890, '005924'],
    [2000000000, '279037'],
  ])('at %i s the code is %s (RFC 6238 appendix B, 6 digits)', (seconds, code) => {
    expect(codeAt(RFC_SEED, seconds * 1000)).toBe(code);
    expect(matchingStep(RFC_SEED, code, seconds * 1000)).toBe(stepAt(seconds * 1000));
  });

  it('accepts the previous and next step, not two away', () => {
    const now = 1_700_000_015_000;
    const period = 30_000;
    expect(matchingStep(RFC_SEED, codeAt(RFC_SEED, now - period), now)).toBe(stepAt(now) - 1);
    expect(matchingStep(RFC_SEED, codeAt(RFC_SEED, now + period), now)).toBe(stepAt(now) + 1);
    expect(matchingStep(RFC_SEED, codeAt(RFC_SEED, now - 2 * period), now)).toBeUndefined();
    expect(matchingStep(RFC_SEED, codeAt(RFC_SEED, now + 2 * period), now)).toBeUndefined();
  });

  it('base32 round trips, and the otpauth URI carries the seed and the standard parameters', () => {
    expect(seedFromBase32(seedToBase32(RFC_SEED))).toEqual(RFC_SEED);
    const uri = new URL(otpauthUri(RFC_SEED, 'acme/app (phone)'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.searchParams.get('secret')).toBe(seedToBase32(RFC_SEED));
    expect(uri.searchParams.get('issuer')).toBe('credvend');
    expect(uri.searchParams.get('digits')).toBe('6');
    expect(uri.searchParams.get('period')).toBe('30');
  });
});

describe('seed cipher (AES-256-GCM, bound to the row)', () => {
  const key = randomBytes(32);
  const cipher = new AesGcmSeedCipher(async () => key);

  it('opens what it sealed for the same row; another tenant, partner or device does not open it', async () => {
    const sealed = await cipher.seal(RFC_SEED, seedContext('acme', 'app', 'mfa-aaaaaaaaaaaaaaaa'));
    expect(sealed).not.toContain(seedToBase32(RFC_SEED));
    expect(await cipher.open(sealed, seedContext('acme', 'app', 'mfa-aaaaaaaaaaaaaaaa'))).toEqual(RFC_SEED);
    for (const other of [
      seedContext('evil', 'app', 'mfa-aaaaaaaaaaaaaaaa'),
      seedContext('acme', 'other', 'mfa-aaaaaaaaaaaaaaaa'),
      seedContext('acme', 'app', 'mfa-bbbbbbbbbbbbbbbb'),
    ]) {
      await expect(cipher.open(sealed, other)).rejects.toThrow('does not open');
    }
  });

  it('refuses another key, a flipped byte and a truncated tag, with a message that names nothing secret', async () => {
    const ctx = seedContext('acme', 'app', 'mfa-aaaaaaaaaaaaaaaa');
    const sealed = await cipher.seal(RFC_SEED, ctx);
    await expect(new AesGcmSeedCipher(async () => randomBytes(32)).open(sealed, ctx)).rejects.toThrow('does not open');
    const [v, iv, body, tag] = sealed.split('.') as [string, string, string, string];
    const flipped = Buffer.from(body, 'base64url');
    flipped[0]! ^= 1;
    await expect(cipher.open([v, iv, flipped.toString('base64url'), tag].join('.'), ctx)).rejects.toThrow('does not open');
    const shortTag = Buffer.from(tag, 'base64url').subarray(0, 4).toString('base64url');
    await expect(cipher.open([v, iv, body, shortTag].join('.'), ctx)).rejects.toThrow('does not open');
    const err = await cipher.open(sealed, 'x').catch((e: Error) => e);
    expect(String(err)).not.toContain(key.toString('base64'));
  });

  it('takes only a 32-byte key', () => {
    expect(parseSeedKey(randomBytes(32).toString('base64'))).toHaveLength(32);
    expect(() => parseSeedKey(randomBytes(16).toString('base64'))).toThrow('32 bytes');
  });
});

describe('devices', () => {
  const clock = { now: 1_800_000_000_000 };
  let deps: ReturnType<typeof fakeMfaDeps>;

  beforeEach(() => {
    clock.now = 1_800_000_000_000;
    deps = fakeMfaDeps(clock);
  });

  async function enrolled() {
    const result = await enrolDevice(deps, WHO, 'phone', 'ak-abcdefghijklmnop');
    if (!result.ok) throw new Error('enrolment refused');
    return { ...result, seedBytes: seedFromBase32(result.seed) };
  }

  async function confirmed() {
    const device = await enrolled();
    const ok = await confirmDevice(deps, WHO, device.device.deviceId, codeAt(device.seedBytes, clock.now));
    expect(ok.ok).toBe(true);
    clock.now += 30_000; // the confirmation used this step's code
    return device;
  }

  it('enrolment answers the seed once: stored only sealed, never in a listing', async () => {
    const { seed, device, otpauthUri: uri } = await enrolled();
    expect(seed).toMatch(/^[A-Z2-7]{32}$/);
    expect(uri).toContain(`secret=${seed}`);
    expect(device.status).toBe('pending');
    const stored = JSON.stringify([...deps.store.items.values()]);
    expect(stored).not.toContain(seed);
    const listed = await listDevices(deps, WHO);
    expect(listed).toEqual([device]);
    expect(JSON.stringify(listed)).not.toContain('sealed');
  });

  it('a pending device does not count at issuance; confirmation needs its current code', async () => {
    const { device, seedBytes } = await enrolled();
    expect(await verifyCode(deps, WHO, codeAt(seedBytes, clock.now))).toBe('not_enrolled');
    expect(await confirmDevice(deps, WHO, device.deviceId, codeAt(seedBytes, clock.now - 90_000))).toEqual({
      ok: false,
      reason: 'invalid',
    });
    const ok = await confirmDevice(deps, WHO, device.deviceId, codeAt(seedBytes, clock.now));
    expect(ok).toEqual({ ok: true, device: expect.objectContaining({ status: 'active' }) });
    expect(await confirmDevice(deps, WHO, device.deviceId, codeAt(seedBytes, clock.now))).toEqual({
      ok: false,
      reason: 'already_confirmed',
    });
  });

  it('the confirmation code is used up: issuance with it is a replay', async () => {
    const { device, seedBytes } = await enrolled();
    const code = codeAt(seedBytes, clock.now);
    expect((await confirmDevice(deps, WHO, device.deviceId, code)).ok).toBe(true);
    expect(await verifyCode(deps, WHO, code)).toBe('replayed');
  });

  it('a valid code verifies once; the same code again, or an older one of the window, is a replay; a wrong one is invalid', async () => {
    const { seedBytes } = await confirmed();
    const code = codeAt(seedBytes, clock.now);
    expect(await verifyCode(deps, WHO, code)).toBe('verified');
    expect(await verifyCode(deps, WHO, code)).toBe('replayed');
    expect(await verifyCode(deps, WHO, codeAt(seedBytes, clock.now - 30_000))).toBe('replayed');
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    expect(await verifyCode(deps, WHO, wrong)).toBe('invalid');
    clock.now += 30_000;
    expect(await verifyCode(deps, WHO, codeAt(seedBytes, clock.now))).toBe('verified');
  });

  it('of concurrent checks of one code exactly one verifies (the conditional step write)', async () => {
    const { seedBytes } = await confirmed();
    const code = codeAt(seedBytes, clock.now);
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => verifyCode(deps, WHO, code)));
    expect(outcomes.filter((o) => o === 'verified')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'replayed')).toHaveLength(4);
  });

  it("another partner's or tenant's code and devices stay apart", async () => {
    const { seedBytes, device } = await confirmed();
    const code = codeAt(seedBytes, clock.now);
    expect(await verifyCode(deps, { tenantId: 'acme', partnerId: 'app-two' }, code)).toBe('not_enrolled');
    expect(await verifyCode(deps, { tenantId: 'evil', partnerId: 'app-one' }, code)).toBe('not_enrolled');
    expect(await confirmDevice(deps, { tenantId: 'evil', partnerId: 'app-one' }, device.deviceId, code)).toEqual({
      ok: false,
      reason: 'not_found',
    });
    expect(await deleteDevice(deps, { tenantId: 'evil', partnerId: 'app-one' }, device.deviceId)).toBe(false);
    expect(await listDevices(deps, { tenantId: 'evil', partnerId: 'app-one' })).toEqual([]);
  });

  it("a sealed seed copied into another tenant's row does not open there", async () => {
    const { device } = await confirmed();
    const stolen = [...deps.store.items.values()][0]!;
    await deps.store.create({ ...stolen, tenantId: 'evil', deviceId: device.deviceId });
    await expect(verifyCode(deps, { tenantId: 'evil', partnerId: WHO.partnerId }, '123456')).rejects.toThrow('does not open');
  });

  it('a deleted device stops counting; a partner has at most MAX_DEVICES_PER_PARTNER', async () => {
    const { seedBytes, device } = await confirmed();
    expect(await deleteDevice(deps, WHO, device.deviceId)).toBe(true);
    expect(await verifyCode(deps, WHO, codeAt(seedBytes, clock.now))).toBe('not_enrolled');
    for (let i = 0; i < MAX_DEVICES_PER_PARTNER; i++) expect((await enrolDevice(deps, WHO, `d${i}`, 'ak-x')).ok).toBe(true);
    expect(await enrolDevice(deps, WHO, 'one too many', 'ak-x')).toEqual({ ok: false, reason: 'device_limit' });
  });
});
