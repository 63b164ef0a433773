// MFA-gated issuance through the real stack (issue 19): serverless-offline running the packaged
// handlers (the vend handler loads the MFA check lazily, scripts/esbuild-plugins.cjs), dynalite and
// the local STS (which records each session's tags). Codes are computed here from the seed the
// enrolment shows once, as an authenticator app would.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from '@jest/globals';
import type { TenantPolicyDocument } from '../../../lib/core/model';
import { codeAt, seedFromBase32 } from '../../../lib/mfa/totp';
import { demoPolicy } from '../../../local/seed';
import { addTestPartner, call, closeTables, createTestTenant, type TestTenant, tables } from '../../support/api';
import { control } from '../../support/control';
import { findLeaks, scanTable } from '../../support/secret-scan';

afterAll(() => closeTables());

const STEP_MS = 30_000;

function mfaPolicy(mfa: TenantPolicyDocument['mfa'] = { modes: ['assume-role'] }): TenantPolicyDocument {
  return { ...demoPolicy(), mfa };
}

const devicesPath = (t: { tenantId: string; partnerId: string }) => `/v1/tenants/${t.tenantId}/partners/${t.partnerId}/mfa-devices`;
const issue = (partnerKey: string, body: Record<string, unknown> = {}) => call('POST', '/v1/credentials', { key: partnerKey, body });

/** Every seed the tests were shown: searched for in the logs and tables at the end. */
const seeds: string[] = [];

async function enrol(adminKey: string, who: { tenantId: string; partnerId: string }, label = 'phone') {
  const res = await call('POST', devicesPath(who), { key: adminKey, body: { label } });
  expect(res.status).toBe(201);
  const seed = res.body.seed as string;
  seeds.push(seed);
  return { deviceId: res.body.device.deviceId as string, seed, bytes: seedFromBase32(seed), body: res.body };
}

/** Enrolled by the tenant admin, confirmed by the partner with its key and the current code. */
async function confirmedDevice(t: TestTenant) {
  const device = await enrol(t.adminKey, t);
  const confirm = await call('POST', `/v1/mfa-devices/${device.deviceId}/confirm`, {
    key: t.partnerKey,
    body: { code: codeAt(device.bytes, Date.now()) },
  });
  expect(confirm.status).toBe(200);
  expect(confirm.body.status).toBe('active');
  return device;
}

/**
 * A code the server has not seen used: the next step's (the window takes one step either side), so it
 * is later than the confirmation's whenever the request lands.
 */
const nextCode = (bytes: Uint8Array) => codeAt(bytes, Date.now() + STEP_MS);

/** A six-digit code that is none of the codes the server could accept around now. */
function wrongCode(bytes: Uint8Array): string {
  const now = Date.now();
  const valid = new Set([-2, -1, 0, 1, 2].map((k) => codeAt(bytes, now + k * STEP_MS)));
  let n = 0;
  while (valid.has(String(n).padStart(6, '0'))) n++;
  return String(n).padStart(6, '0');
}

describe('MFA-gated issuance', () => {
  it('required: 403 without a code; 201 with a valid one (session tag mfa=true, record mfa: true); 403 on a replay and a wrong code', async () => {
    const t = await createTestTenant(mfaPolicy());

    const bare = await issue(t.partnerKey);
    expect(bare.status).toBe(403);
    expect(bare.body.error.code).toBe('mfa_required');
    expect((await issue(t.partnerKey, { mfaCode: '123456' })).body.error.code).toBe('mfa_not_enrolled');

    const device = await enrol(t.adminKey, t);
    expect(device.body.otpauthUri).toContain(`secret=${device.seed}`);
    expect(device.body.device.status).toBe('pending');
    // A pending device does not count.
    expect((await issue(t.partnerKey, { mfaCode: codeAt(device.bytes, Date.now()) })).body.error.code).toBe('mfa_not_enrolled');
    const listed = await call('GET', devicesPath(t), { key: t.adminKey });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((d: { deviceId: string }) => d.deviceId)).toEqual([device.deviceId]);
    expect(listed.text).not.toContain(device.seed);

    const wrongConfirm = await call('POST', `/v1/mfa-devices/${device.deviceId}/confirm`, {
      key: t.partnerKey,
      body: { code: wrongCode(device.bytes) },
    });
    expect(wrongConfirm.status).toBe(422);
    expect(wrongConfirm.body.error.code).toBe('mfa_code_invalid');
    const confirm = await call('POST', `${devicesPath(t)}/${device.deviceId}/confirm`, {
      key: t.adminKey,
      body: { code: codeAt(device.bytes, Date.now()) },
    });
    expect(confirm.status).toBe(200);
    expect(confirm.body.status).toBe('active');

    const wrong = await issue(t.partnerKey, { mfaCode: wrongCode(device.bytes) });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('mfa_code_invalid');

    const code = nextCode(device.bytes);
    const ok = await issue(t.partnerKey, { mfaCode: code });
    expect(ok.status).toBe(201);
    const session = await control.stsSession(ok.body.credentials.accessKeyId);
    expect(session?.tags).toEqual(
      expect.arrayContaining([
        { key: 'mfa', value: 'true', transitive: false },
        { key: 'tenant', value: t.tenantId, transitive: true },
      ]),
    );
    const records = await call('GET', `/v1/tenants/${t.tenantId}/issuances`, { key: t.adminKey });
    const record = records.body.items.find((r: { issuanceId: string }) => r.issuanceId === ok.body.issuanceId);
    expect(record?.mfa).toBe(true);

    const replay = await issue(t.partnerKey, { mfaCode: code });
    expect(replay.status).toBe(403);
    expect(replay.body.error.code).toBe('mfa_code_replayed');
    // The container route sends no code: an MFA-gated tenant refuses it.
    const container = await call('GET', '/v1/credentials?format=container', { authorization: t.partnerKey });
    expect(container.status).toBe(403);
    expect(container.body.error.code).toBe('mfa_required');
  });

  it('two (five) concurrent requests with the same code: exactly one 201, the rest 403 mfa_code_replayed', async () => {
    const t = await createTestTenant(mfaPolicy());
    const device = await confirmedDevice(t);
    const code = nextCode(device.bytes);
    const answers = await Promise.all(Array.from({ length: 5 }, () => issue(t.partnerKey, { mfaCode: code })));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 403, 403, 403, 403]);
    expect(answers.filter((a) => a.status === 403).map((a) => a.body.error.code)).toEqual(Array(4).fill('mfa_code_replayed'));
  });

  it('a role or mode the requirement does not name issues without a code and without the mfa tag', async () => {
    const t = await createTestTenant(mfaPolicy({ modes: ['federation'] }));
    const plain = await issue(t.partnerKey);
    expect(plain.status).toBe(201);
    const session = await control.stsSession(plain.body.credentials.accessKeyId);
    expect(session?.tags?.map((tag: { key: string }) => tag.key)).not.toContain('mfa');
    expect((await issue(t.partnerKey, { mode: 'federation' })).body.error.code).toBe('mfa_required');
  });

  it('policy: GET -> PUT round trip keeps mfa; preview says it is required and shows the tag; a tenant mfa tag is refused', async () => {
    const t = await createTestTenant(demoPolicy());
    const put = async (policy: unknown, expectedVersion: number) =>
      call('PUT', `/v1/tenants/${t.tenantId}/policy`, { key: t.adminKey, body: { expectedVersion, policy } });
    const written = await put(mfaPolicy({ roles: ['demo'] }), 1);
    expect(written.status).toBe(200);
    const read = await call('GET', `/v1/tenants/${t.tenantId}/policy`, { key: t.adminKey });
    expect(read.body.policy.mfa).toEqual({ roles: ['demo'] });
    expect((await put(read.body.policy, read.body.version)).status).toBe(200);
    const preview = await call('POST', `/v1/tenants/${t.tenantId}/policy/preview`, { key: t.adminKey, body: { partnerId: t.partnerId } });
    expect(preview.body.mfaRequired).toBe(true);
    expect(preview.body.sessionTags).toEqual(expect.objectContaining({ mfa: 'true' }));
    const federated = await call('POST', `/v1/tenants/${t.tenantId}/policy/preview`, {
      key: t.adminKey,
      body: { partnerId: t.partnerId, mode: 'federation' },
    });
    expect(federated.body.mfaRequired).toBe(false);
    expect(federated.body.sessionTags).not.toHaveProperty('mfa');

    const tagged = await put({ ...demoPolicy(), sessionTags: { MFA: 'true' } }, read.body.version + 1);
    expect(tagged.status).toBe(422);
    expect(tagged.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'reserved_tag_key' })]));
    const empty = await put({ ...demoPolicy(), mfa: {} }, read.body.version + 1);
    expect(empty.status).toBe(422);
    expect(empty.body.error.details).toEqual([expect.objectContaining({ code: 'mfa_requirement_empty', path: '$.mfa' })]);

    // A role the binding does not bind (a typo would silently leave the real role without MFA, red-team F3).
    const typo = await put(mfaPolicy({ roles: ['demo', 'dmeo'] }), read.body.version + 1);
    expect(typo.status).toBe(422);
    expect(typo.body.error.code).toBe('invalid_policy');
    expect(typo.body.error.details).toEqual([expect.objectContaining({ code: 'mfa_role_not_bound', path: '$.mfa.roles[1]' })]);
    const typoPreview = await call('POST', `/v1/tenants/${t.tenantId}/policy/preview`, {
      key: t.adminKey,
      body: { partnerId: t.partnerId, policy: mfaPolicy({ roles: ['dmeo'] }) },
    });
    expect(typoPreview.body.ok).toBe(false);
    expect(typoPreview.body.problems).toEqual([expect.objectContaining({ code: 'mfa_role_not_bound', path: '$.mfa.roles[0]' })]);
  });

  it('admins delete devices: the deleted device stops counting; the limit is 5 per partner', async () => {
    const t = await createTestTenant(mfaPolicy());
    const device = await confirmedDevice(t);
    const del = await call('DELETE', `${devicesPath(t)}/${device.deviceId}`, { key: t.adminKey });
    expect(del.status).toBe(200);
    expect((await issue(t.partnerKey, { mfaCode: nextCode(device.bytes) })).body.error.code).toBe('mfa_not_enrolled');
    expect((await call('DELETE', `${devicesPath(t)}/${device.deviceId}`, { key: t.adminKey })).status).toBe(404);
    for (let i = 0; i < 5; i++) await enrol(t.adminKey, t, `d${i}`);
    const sixth = await call('POST', devicesPath(t), { key: t.adminKey, body: {} });
    expect(sixth.status).toBe(409);
    expect(sixth.body.error.code).toBe('mfa_device_limit');
  });
});

describe('guessing codes with a leaked partner key (red-team F1)', () => {
  it("10 wrong codes spend the partner's attempt budget: the 11th request is 429 mfa_attempts_exceeded even with a valid code; a sibling partner is unaffected", async () => {
    // The budget is per 5-minute window (the server's clock is this machine's): start well inside one.
    const msLeft = 300_000 - (Date.now() % 300_000);
    if (msLeft < 30_000) await new Promise((resolve) => setTimeout(resolve, msLeft + 500));
    const t = await createTestTenant(mfaPolicy());
    const device = await confirmedDevice(t);
    const sibling = await addTestPartner(t.tenantId);
    const siblingDevice = await confirmedDevice({ ...t, ...sibling });

    for (let i = 0; i < 10; i++) {
      const wrong = await issue(t.partnerKey, { mfaCode: wrongCode(device.bytes) });
      expect([wrong.status, wrong.body.error.code]).toEqual([403, 'mfa_code_invalid']);
    }
    const valid = await issue(t.partnerKey, { mfaCode: nextCode(device.bytes) });
    expect(valid.status).toBe(429);
    expect(valid.body.error.code).toBe('mfa_attempts_exceeded');
    const retryAfter = Number(valid.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(300);

    // The sibling partner's budget is its own: its valid code issues.
    const siblings = await issue(sibling.partnerKey, { mfaCode: nextCode(siblingDevice.bytes) });
    expect(siblings.status).toBe(201);
  });
});

describe('attacks with one tenant admin key', () => {
  it("another tenant's partner's devices: no enrolment, listing, confirmation or deletion (404 as if absent); no code of theirs counts", async () => {
    const victim = await createTestTenant(mfaPolicy());
    // The attacker's tenant has a partner with the victim's partner id: paths differ only by tenant.
    const attacker = await createTestTenant(mfaPolicy(), { partnerId: victim.partnerId });
    const device = await enrol(victim.adminKey, victim);

    const asAttacker = (method: string, path: string, body?: unknown) => call(method, path, { key: attacker.adminKey, body });
    expect((await asAttacker('POST', devicesPath(victim), {})).status).toBe(404);
    expect((await asAttacker('GET', devicesPath(victim))).status).toBe(404);
    const code = { code: codeAt(device.bytes, Date.now()) };
    expect((await asAttacker('POST', `${devicesPath(victim)}/${device.deviceId}/confirm`, code)).status).toBe(404);
    expect((await asAttacker('DELETE', `${devicesPath(victim)}/${device.deviceId}`)).status).toBe(404);
    // Its own tenant's path with the victim's device id: the device is not its partner's.
    expect((await asAttacker('POST', `${devicesPath(attacker)}/${device.deviceId}/confirm`, code)).status).toBe(404);
    expect((await asAttacker('DELETE', `${devicesPath(attacker)}/${device.deviceId}`)).status).toBe(404);
    // The attacker's partner key on the partner route.
    const partnerConfirm = await call('POST', `/v1/mfa-devices/${device.deviceId}/confirm`, { key: attacker.partnerKey, body: code });
    expect(partnerConfirm.status).toBe(404);
    // An admin key is not a partner key, a partner key not an admin key.
    expect((await call('POST', `/v1/mfa-devices/${device.deviceId}/confirm`, { key: attacker.adminKey, body: code })).status).toBe(403);
    expect((await call('GET', devicesPath(attacker), { key: attacker.partnerKey })).status).toBe(403);

    // The victim's device is still pending and intact; the victim confirms it.
    const listed = await call('GET', devicesPath(victim), { key: victim.adminKey });
    expect(listed.body.items).toEqual([expect.objectContaining({ deviceId: device.deviceId, status: 'pending' })]);
    expect((await call('POST', `${devicesPath(victim)}/${device.deviceId}/confirm`, { key: victim.adminKey, body: code })).status).toBe(
      200,
    );
    // Holding the victim's seed does not get the attacker's partner past its own requirement.
    const stolen = await issue(attacker.partnerKey, { mfaCode: nextCode(device.bytes) });
    expect(stolen.status).toBe(403);
    expect(stolen.body.error.code).toBe('mfa_not_enrolled');
    // And a second partner of the victim's own tenant cannot use its sibling's device either.
    const sibling = await addTestPartner(victim.tenantId);
    expect((await issue(sibling.partnerKey, { mfaCode: nextCode(device.bytes) })).body.error.code).toBe('mfa_not_enrolled');
  });
});

describe('seeds stay secret', () => {
  it('no seed shown by an enrolment is in the function logs or any table item', async () => {
    expect(seeds.length).toBeGreaterThanOrEqual(5);
    await new Promise((resolve) => setTimeout(resolve, 300)); // let the log lines land in the file
    const logs = readFileSync(process.env.CREDVEND_TEST_LOG!, 'utf8');
    expect(logs).toContain('mfa-devices'); // the scan reads real log output of these requests
    const { client, main, issuances } = tables();
    const report = findLeaks(seeds, {
      logs,
      'main table': await scanTable(client, main),
      'issuance table': await scanTable(client, issuances),
    });
    expect(report.leaks).toEqual([]);
    expect(report.secretsChecked).toBe(seeds.length);
  });
});
