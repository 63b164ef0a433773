import { beforeEach, describe, expect, it } from '@jest/globals';
import { issuanceFilterOf, queryIssuances } from '../../../lib/admin/issuances';
import {
  createPartner,
  createPartnerKey,
  listPartnerKeys,
  listPartners,
  revokePartnerKey,
  rotatePartnerKey,
  setPartnerStatus,
} from '../../../lib/admin/partners';
import { getPolicy, listPolicyVersions, putPolicy } from '../../../lib/admin/policy';
import { createAdminKey, createTenant, listTenants, revokeAdminKey, setTenantStatus } from '../../../lib/admin/tenants';
import { AppError } from '../../../lib/core/errors';
import { hashSecret, parseKey } from '../../../lib/identity/api-key';
import { validatePolicyDocument } from '../../../lib/policy/validate';
import { policyDocument, ROLE_NAME } from '../issuance-fakes';
import { adminOf, type FakeAdmin, fakeAdmin, NOW, operator, seedTenant } from './fakes';

async function refusal(promise: Promise<unknown>): Promise<{ status: number; code: string; details: unknown[] }> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof AppError) return { status: err.statusCode, code: err.code, details: err.details };
    throw err;
  }
  throw new Error('expected a refusal');
}

let f: FakeAdmin;
beforeEach(async () => {
  f = fakeAdmin();
  await seedTenant(f.store, 'acme', 'partner-one');
  await seedTenant(f.store, 'globex', 'partner-two');
});

describe('tenants (operator)', () => {
  it('creates an enabled tenant without a policy', async () => {
    const out = await createTenant(f.deps, operator, { tenantId: 'initech', name: 'Initech' });
    expect(out).toEqual({ tenantId: 'initech', name: 'Initech', status: 'enabled', createdAt: NOW.toISOString(), updatedAt: undefined });
    expect(f.store.policies.has('initech')).toBe(false);
  });

  it('refuses tenant admins and duplicate ids', async () => {
    expect((await refusal(createTenant(f.deps, adminOf('acme'), { tenantId: 'x-y-z', name: 'X' }))).code).toBe('wrong_key_kind');
    expect((await refusal(createTenant(f.deps, operator, { tenantId: 'acme', name: 'again' }))).status).toBe(409);
  });

  it('disables and enables, dropping cached directory entries on disable', async () => {
    const disabled = await setTenantStatus(f.deps, operator, 'acme', 'disabled');
    expect(disabled).toMatchObject({ tenantId: 'acme', status: 'disabled', updatedAt: NOW.toISOString() });
    expect(f.revocations).toBe(1);
    expect((await setTenantStatus(f.deps, operator, 'acme', 'enabled')).status).toBe('enabled');
    expect((await refusal(setTenantStatus(f.deps, operator, 'nobody', 'disabled'))).status).toBe(404);
  });

  it('lists tenants page by page', async () => {
    const first = await listTenants(f.deps, operator, { limit: 1 });
    expect(first.items.map((t) => t.tenantId)).toEqual(['acme']);
    const second = await listTenants(f.deps, operator, { limit: 1, cursor: first.nextCursor });
    expect(second).toEqual({ items: [expect.objectContaining({ tenantId: 'globex' })], nextCursor: undefined });
  });

  it('creates an admin key whose secret is returned once and stored only as a hash', async () => {
    const out = await createAdminKey(f.deps, operator, 'acme');
    const parsed = parseKey(out.apiKey)!;
    expect(parsed.keyId).toBe(out.keyId);
    expect(out).not.toHaveProperty('secretHash');
    const stored = f.store.keys.get(out.keyId)!;
    expect(stored).toMatchObject({ kind: 'admin', tenantId: 'acme', status: 'active', secretHash: hashSecret(parsed.secret) });
    expect(JSON.stringify(stored)).not.toContain(parsed.secret);
  });

  it("revokes an admin key of that tenant only; other tenants' and partner keys answer 404", async () => {
    const acmeKey = await createAdminKey(f.deps, operator, 'acme');
    const partnerKey = await createPartnerKey(f.deps, operator, 'acme', 'partner-one');
    expect((await refusal(revokeAdminKey(f.deps, operator, 'globex', acmeKey.keyId))).status).toBe(404);
    expect((await refusal(revokeAdminKey(f.deps, operator, 'acme', partnerKey.keyId))).status).toBe(404);
    expect((await refusal(revokeAdminKey(f.deps, operator, 'acme', 'not-a-key'))).status).toBe(404);
    const revoked = await revokeAdminKey(f.deps, operator, 'acme', acmeKey.keyId);
    expect(revoked).toMatchObject({ keyId: acmeKey.keyId, status: 'revoked', revokedAt: NOW.toISOString() });
    expect(revoked).not.toHaveProperty('secretHash');
  });
});

describe('partners and their keys (tenant admin)', () => {
  const admin = adminOf('acme');

  it("creates and lists a tenant's partners, never another tenant's", async () => {
    await createPartner(f.deps, admin, 'acme', { partnerId: 'partner-three', name: 'Three' });
    const listed = await listPartners(f.deps, admin, 'acme', { limit: 10 });
    expect(listed.items.map((p) => p.partnerId)).toEqual(['partner-one', 'partner-three']);
    expect((await refusal(listPartners(f.deps, admin, 'globex', { limit: 10 }))).status).toBe(404);
    expect((await refusal(createPartner(f.deps, admin, 'acme', { partnerId: 'partner-one', name: 'dup' }))).code).toBe('partner_exists');
  });

  it("disables a partner; another tenant's partner answers 404", async () => {
    expect(await setPartnerStatus(f.deps, admin, 'acme', 'partner-one', 'disabled')).toMatchObject({ status: 'disabled' });
    expect(f.revocations).toBe(1);
    expect((await refusal(setPartnerStatus(f.deps, admin, 'acme', 'partner-two', 'disabled'))).status).toBe(404);
    expect((await refusal(setPartnerStatus(f.deps, admin, 'globex', 'partner-two', 'disabled'))).status).toBe(404);
  });

  it('lists keys without secrets or hashes', async () => {
    const created = await createPartnerKey(f.deps, admin, 'acme', 'partner-one');
    const listed = await listPartnerKeys(f.deps, admin, 'acme', 'partner-one', { limit: 10 });
    expect(listed.items).toEqual([
      {
        keyId: created.keyId,
        kind: 'partner',
        tenantId: 'acme',
        partnerId: 'partner-one',
        status: 'active',
        createdAt: NOW.toISOString(),
        revokedAt: undefined,
        lastUsedAt: undefined,
      },
    ]);
  });

  it('rotates by adding a key: the old one stays active until revoked', async () => {
    const old = await createPartnerKey(f.deps, admin, 'acme', 'partner-one');
    const rotated = await rotatePartnerKey(f.deps, admin, 'acme', 'partner-one', old.keyId);
    expect(rotated.rotatedFrom).toBe(old.keyId);
    expect(rotated.keyId).not.toBe(old.keyId);
    expect(parseKey(rotated.apiKey)?.keyId).toBe(rotated.keyId);
    expect(f.store.keys.get(old.keyId)?.status).toBe('active');
    expect(f.store.keys.get(rotated.keyId)).toMatchObject({
      kind: 'partner',
      tenantId: 'acme',
      partnerId: 'partner-one',
      status: 'active',
    });

    await revokePartnerKey(f.deps, admin, 'acme', 'partner-one', old.keyId);
    expect(f.store.keys.get(old.keyId)?.status).toBe('revoked');
    expect((await refusal(rotatePartnerKey(f.deps, admin, 'acme', 'partner-one', old.keyId))).code).toBe('key_revoked');
  });

  it("answers another partner's or tenant's key as absent", async () => {
    const otherPartner = await createPartnerKey(f.deps, operator, 'globex', 'partner-two');
    await createPartner(f.deps, admin, 'acme', { partnerId: 'partner-three', name: 'Three' });
    const sibling = await createPartnerKey(f.deps, admin, 'acme', 'partner-three');
    for (const keyId of [otherPartner.keyId, sibling.keyId]) {
      expect((await refusal(rotatePartnerKey(f.deps, admin, 'acme', 'partner-one', keyId))).status).toBe(404);
      expect((await refusal(revokePartnerKey(f.deps, admin, 'acme', 'partner-one', keyId))).status).toBe(404);
    }
    expect(f.store.keys.get(sibling.keyId)?.status).toBe('active');
  });
});

describe('policy (tenant admin)', () => {
  const admin = adminOf('acme');

  it('answers 404 policy_not_configured before the first version', async () => {
    expect(await refusal(getPolicy(f.deps, admin, 'acme'))).toMatchObject({ status: 404, code: 'policy_not_configured' });
  });

  it('writes versions in sequence, recording the writing key', async () => {
    const v1 = await putPolicy(f.deps, admin, 'acme', { expectedVersion: 0, policy: policyDocument() });
    expect(v1).toMatchObject({ tenantId: 'acme', version: 1, updatedBy: admin.keyId, updatedAt: NOW.toISOString() });
    const v2 = await putPolicy(f.deps, admin, 'acme', { expectedVersion: 1, policy: policyDocument({ defaultMode: 'federation' }) });
    expect(v2.version).toBe(2);
    expect((await getPolicy(f.deps, admin, 'acme')).policy.defaultMode).toBe('federation');
    expect((await listPolicyVersions(f.deps, admin, 'acme', { limit: 10 })).items.map((v) => v.version)).toEqual([2, 1]);
  });

  it('answers a stale expectedVersion with 409', async () => {
    await putPolicy(f.deps, admin, 'acme', { expectedVersion: 0, policy: policyDocument() });
    expect(await refusal(putPolicy(f.deps, admin, 'acme', { expectedVersion: 0, policy: policyDocument() }))).toMatchObject({
      status: 409,
      code: 'version_conflict',
    });
  });

  it("answers a document that breaks rules with 422 invalid_policy and the validator's problems, writing nothing", async () => {
    const bad = {
      ...policyDocument(),
      statements: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/{{tenant}}' }],
      extra: 1,
    };
    const expected = validatePolicyDocument(bad);
    expect(expected.ok).toBe(false);
    const out = await refusal(putPolicy(f.deps, admin, 'acme', { expectedVersion: 0, policy: bad }));
    expect(out).toEqual({ status: 422, code: 'invalid_policy', details: expected.problems });
    expect(out.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: '$.extra', code: 'unknown_field' }),
        expect.objectContaining({ path: '$.statements[0].Resource', code: 'unknown_placeholder' }),
      ]),
    );
    expect(f.store.policies.has('acme')).toBe(false);
  });
});

describe("policy within the operator's binding (tenant admin)", () => {
  const admin = adminOf('acme');
  const put = (policy: unknown) => putPolicy(f.deps, admin, 'acme', { expectedVersion: 0, policy });

  it('422 invalid_policy naming each binding problem: an unbound role, a resource outside the boundary, a ceiling', async () => {
    const doc = policyDocument({
      modes: {
        'assume-role': { role: 'admin', defaultDurationSeconds: 900, maxDurationSeconds: 3600 },
        federation: { defaultDurationSeconds: 900, maxDurationSeconds: 3600 },
      },
      statements: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::acme-data/{{partnerId}}/*' }],
    });
    const out = await refusal(put(doc));
    expect(out).toMatchObject({ status: 422, code: 'invalid_policy' });
    expect(out.details).toEqual([
      expect.objectContaining({ path: "$.modes['assume-role'].role", code: 'role_not_bound' }),
      expect.objectContaining({ path: '$.statements[0].Resource', code: 'outside_federation_boundary' }),
    ]);
    expect(f.store.policies.has('acme')).toBe(false);
  });

  it('422 mfa_role_not_bound for an mfa.roles entry the binding does not bind (a typo would silently disable MFA, red-team F3)', async () => {
    const out = await refusal(put(policyDocument({ mfa: { roles: [ROLE_NAME, 'admni'] } })));
    expect(out).toMatchObject({ status: 422, code: 'invalid_policy' });
    expect(out.details).toEqual([expect.objectContaining({ path: '$.mfa.roles[1]', code: 'mfa_role_not_bound' })]);
    expect(f.store.policies.has('acme')).toBe(false);
    // The bound role alone is fine.
    await put(policyDocument({ mfa: { roles: [ROLE_NAME] } }));
    expect(f.store.policies.get('acme')?.document.mfa).toEqual({ roles: [ROLE_NAME] });
  });

  it("422 exceeds_binding_max_duration and exceeds_binding_rate_limit above the binding's ceilings, not at them", async () => {
    const acme = f.store.tenants.get('acme')!;
    acme.binding = { ...acme.binding!, maxDurationSeconds: 3600, maxIssuancesPerMinute: 10 };
    // policyDocument: assume-role max 7200, federation max 43200.
    const out = await refusal(put(policyDocument({ rateLimit: { perMinute: 11 } })));
    expect(out).toMatchObject({ status: 422, code: 'invalid_policy' });
    expect(out.details).toEqual([
      expect.objectContaining({ path: "$.modes['assume-role'].maxDurationSeconds", code: 'exceeds_binding_max_duration' }),
      expect.objectContaining({ path: '$.modes.federation.maxDurationSeconds', code: 'exceeds_binding_max_duration' }),
      expect.objectContaining({ path: '$.rateLimit.perMinute', code: 'exceeds_binding_rate_limit' }),
    ]);
    expect(f.store.policies.has('acme')).toBe(false);
    const atCeilings = policyDocument({
      modes: {
        'assume-role': { role: ROLE_NAME, defaultDurationSeconds: 900, maxDurationSeconds: 3600 },
        federation: { defaultDurationSeconds: 900, maxDurationSeconds: 3600 },
      },
      rateLimit: { perMinute: 10 },
    });
    expect(await put(atCeilings)).toMatchObject({ version: 1 });
  });

  it('422 managed_policy_outside_binding for a federation managed policy the binding does not list, writing nothing', async () => {
    const doc = policyDocument({ managedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] });
    const out = await refusal(put(doc));
    expect(out).toMatchObject({ status: 422, code: 'invalid_policy' });
    expect(out.details).toEqual([expect.objectContaining({ path: '$.managedPolicyArns[0]', code: 'managed_policy_outside_binding' })]);
    expect(f.store.policies.has('acme')).toBe(false);
    // Listed by the operator, the same document is written.
    const acme = f.store.tenants.get('acme')!;
    acme.binding = {
      ...acme.binding!,
      federation: { ...acme.binding!.federation!, managedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] },
    };
    expect(await put(doc)).toMatchObject({ version: 1, policy: { managedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] } });
  });

  it('accepts session tags on a federation-only policy', async () => {
    const doc = policyDocument({
      defaultMode: 'federation',
      modes: { federation: { defaultDurationSeconds: 900, maxDurationSeconds: 3600 } },
      sessionTags: { project: '{{tenantId}}' },
    });
    expect(await put(doc)).toMatchObject({ version: 1, policy: { sessionTags: { project: '{{tenantId}}' } } });
  });

  it('422 binding_not_configured for a tenant no operator has bound', async () => {
    f.store.tenants.get('acme')!.binding = undefined;
    const out = await refusal(put(policyDocument()));
    expect(out).toMatchObject({
      status: 422,
      code: 'invalid_policy',
      details: [expect.objectContaining({ code: 'binding_not_configured' })],
    });
    expect(f.store.policies.has('acme')).toBe(false);
  });

  it('422 owned_by_operator for a document that still names a role ARN or external ID, writing nothing', async () => {
    const doc = policyDocument();
    const old = {
      ...doc,
      modes: {
        ...doc.modes,
        'assume-role': { ...doc.modes['assume-role'], roleArn: 'arn:aws:iam::999999999999:role/x', externalId: 'x-1' },
      },
    };
    const out = await refusal(put(old));
    expect(out.details).toEqual([
      expect.objectContaining({ path: "$.modes['assume-role'].roleArn", code: 'owned_by_operator' }),
      expect.objectContaining({ path: "$.modes['assume-role'].externalId", code: 'owned_by_operator' }),
    ]);
    expect(f.store.policies.has('acme')).toBe(false);
  });
});

describe('issuance queries', () => {
  it('normalises bounds to the stored form, so they compare as strings', () => {
    expect(issuanceFilterOf({ from: '2026-01-01T00:00:00+02:00', to: '2026-01-01T00:00:00.5Z' })).toEqual({
      from: '2025-12-31T22:00:00.000Z',
      to: '2026-01-01T00:00:00.500Z',
      partnerId: undefined,
      status: undefined,
    });
  });

  it('clamps a bound an offset moves past year 9999 or before year 0000 (red team: ?to= far ahead returned nothing)', () => {
    expect(issuanceFilterOf({ to: '9999-12-31T23:59:59.999-23:59' })).toEqual(expect.objectContaining({ from: undefined, to: undefined }));
    expect(issuanceFilterOf({ from: '0000-01-01T00:00:00+05:00' })).toEqual(expect.objectContaining({ from: undefined, to: undefined }));
    expect(issuanceFilterOf({ from: '9999-12-31T23:59:59.999-23:59' }).from).toBe('9999-12-31T23:59:59.999Z');
    expect(issuanceFilterOf({ to: '0000-01-01T00:00:00+05:00' }).to).toBe('0000-01-01T00:00:00.000Z');
  });

  it('refuses an empty or inverted range', () => {
    expect(() => issuanceFilterOf({ from: '2026-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' })).toThrow(
      expect.objectContaining({ statusCode: 400, code: 'invalid_request' }),
    );
  });

  it("queries only the caller's tenant", async () => {
    await queryIssuances(f.deps, adminOf('acme'), 'acme', { status: 'active' }, { limit: 5 });
    expect(f.issuanceQueries).toEqual([{ tenantId: 'acme', filter: expect.objectContaining({ status: 'active' }), page: { limit: 5 } }]);
    expect((await refusal(queryIssuances(f.deps, adminOf('acme'), 'globex', {}, { limit: 5 }))).status).toBe(404);
    expect(f.issuanceQueries).toHaveLength(1);
  });
});
