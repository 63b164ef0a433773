// Tenant bindings (DESIGN.md "Trust model"): operators set them, credvend generates the external IDs,
// tenant admins only read the trust view for their own tenant.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { activateExternalId, generateExternalId, getBinding, getTrust, putBinding, rotateExternalId } from '../../../lib/admin/bindings';
import { type PutBindingBody, PutBindingRequest } from '../../../lib/admin/schemas';
import { createTenant } from '../../../lib/admin/tenants';
import { AppError } from '../../../lib/core/errors';
import { parseWith } from '../../../lib/http/validate';
import { adminOf, type FakeAdmin, fakeAdmin, ISSUER_PRINCIPAL, NOW, operator, seededBinding, seedTenant } from './fakes';

async function refusal(promise: Promise<unknown>): Promise<{ status: number; code: string; details: unknown[] }> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof AppError) return { status: err.statusCode, code: err.code, details: err.details };
    throw err;
  }
  throw new Error('expected a refusal');
}

const EXTERNAL_ID = /^cv-[a-z2-7]{32}$/;
const ROLE = 'arn:aws:iam::123456789012:role/credvend/acme-reader';

function body(overrides: Partial<PutBindingBody> = {}): PutBindingBody {
  return {
    expectedVersion: 1,
    roles: { reader: { roleArn: ROLE, maxSessionDuration: 7200 } },
    federation: { resourceBoundary: ['arn:aws:s3:::acme-data/acme/*'] },
    maxDurationSeconds: 3600,
    maxIssuancesPerMinute: 30,
    ...overrides,
  };
}

let f: FakeAdmin;
const acmeAdmin = adminOf('acme');
const stored = (tenantId = 'acme') => f.store.tenants.get(tenantId)!.binding;

beforeEach(async () => {
  f = fakeAdmin();
  await seedTenant(f.store, 'acme', 'partner-one');
  await seedTenant(f.store, 'globex', 'partner-two');
});

describe('the binding is the operator’s', () => {
  it('a tenant admin gets 403 wrong_key_kind on get and put binding, rotate and activate, and nothing changes', async () => {
    await rotateExternalId(f.deps, operator, 'acme', { expectedVersion: 1 }); // so that activate could succeed
    const before = structuredClone(stored());
    const attempts: (() => Promise<unknown>)[] = [
      () => getBinding(f.deps, acmeAdmin, 'acme'),
      () => putBinding(f.deps, acmeAdmin, 'acme', body({ expectedVersion: 2 })),
      () => rotateExternalId(f.deps, acmeAdmin, 'acme', { expectedVersion: 2 }),
      () => activateExternalId(f.deps, acmeAdmin, 'acme', { expectedVersion: 2 }),
    ];
    expect(attempts).toHaveLength(4);
    for (const attempt of attempts) expect(await refusal(attempt())).toMatchObject({ status: 403, code: 'wrong_key_kind' });
    expect(stored()).toEqual(before);
    expect(f.revocations).toBe(1); // the operator's rotation only
  });

  it('an operator reads a binding; an unknown tenant answers 404', async () => {
    expect(await getBinding(f.deps, operator, 'acme')).toEqual({
      tenantId: 'acme',
      version: 1,
      externalId: seededBinding('acme').externalId,
      nextExternalId: null,
      roles: seededBinding('acme').roles,
      federation: seededBinding('acme').federation,
      maxDurationSeconds: null,
      maxIssuancesPerMinute: null,
      oidc: null,
      updatedAt: '2026-01-01T00:00:00.000Z',
      updatedBy: 'ok-aaaaaaaaaaaaaaaa',
    });
    expect(await refusal(getBinding(f.deps, operator, 'nobody'))).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('an operator writes the next version, keeping the external ID credvend generated', async () => {
    const externalId = stored()!.externalId;
    const out = await putBinding(f.deps, operator, 'acme', body());
    expect(out).toEqual({
      tenantId: 'acme',
      version: 2,
      externalId,
      nextExternalId: null,
      roles: { reader: { roleArn: ROLE, maxSessionDuration: 7200 } },
      federation: { resourceBoundary: ['arn:aws:s3:::acme-data/acme/*'] },
      maxDurationSeconds: 3600,
      maxIssuancesPerMinute: 30,
      oidc: null,
      updatedAt: NOW.toISOString(),
      updatedBy: operator.keyId,
    });
    expect(stored()).toMatchObject({ version: 2, externalId, roles: { reader: { roleArn: ROLE } } });
    // Caches elsewhere drop the tenant, so a narrowed binding applies at once here.
    expect(f.revocations).toBe(1);
  });

  it('the body cannot carry an external ID or unknown fields: the schema refuses them', () => {
    const { expectedVersion, roles } = body();
    expect(() => parseWith(PutBindingRequest, { expectedVersion, roles, externalId: 'cv-chosen-by-someone' })).toThrow(
      expect.objectContaining({ statusCode: 400 }),
    );
    expect(() => parseWith(PutBindingRequest, { expectedVersion, roles, nextExternalId: 'x' })).toThrow(
      expect.objectContaining({ statusCode: 400 }),
    );
    expect(parseWith(PutBindingRequest, { expectedVersion, roles })).toEqual({ expectedVersion, roles });
  });

  it('federation may list the managed policies its sessions may carry (managed policy ARNs only, at most 10)', async () => {
    const arns = ['arn:aws:iam::aws:policy/ReadOnlyAccess', 'arn:aws:iam::123456789012:policy/credvend/acme-extra'];
    const federation = { resourceBoundary: ['arn:aws:s3:::acme-data/acme/*'], managedPolicyArns: arns };
    const parsed = parseWith(PutBindingRequest, body({ federation }));
    expect(parsed.federation).toEqual(federation);
    const out = await putBinding(f.deps, operator, 'acme', parsed);
    expect(out.federation).toEqual(federation);
    expect(stored()!.federation).toEqual(federation);
    const tooMany = Array.from({ length: 11 }, (_, i) => `arn:aws:iam::aws:policy/P${i}`);
    const refused = [['*'], ['arn:aws:iam::123456789012:role/credvend/acme'], tooMany];
    for (const managedPolicyArns of refused) {
      expect(() => parseWith(PutBindingRequest, body({ federation: { ...federation, managedPolicyArns } }))).toThrow(
        expect.objectContaining({ statusCode: 400 }),
      );
    }
    expect(refused).toHaveLength(3);
  });

  it('422 invalid_binding for a role outside the pattern credvend may assume, writing nothing', async () => {
    const before = structuredClone(stored());
    const outside = body({
      roles: {
        reader: { roleArn: ROLE, maxSessionDuration: 3600 },
        admin: { roleArn: 'arn:aws:iam::123456789012:role/OrganizationAccountAccessRole', maxSessionDuration: 3600 },
        other: { roleArn: 'arn:aws:iam::999999999999:role/credvend/acme', maxSessionDuration: 3600 },
      },
    });
    const out = await refusal(putBinding(f.deps, operator, 'acme', outside));
    expect(out).toMatchObject({ status: 422, code: 'invalid_binding' });
    expect(out.details).toEqual([
      expect.objectContaining({ path: '$.roles.admin.roleArn', code: 'role_outside_allowed_pattern' }),
      expect.objectContaining({ path: '$.roles.other.roleArn', code: 'role_outside_allowed_pattern' }),
    ]);
    expect(stored()).toEqual(before);
  });

  it('409 version_conflict on a stale expectedVersion, for put, rotate and activate', async () => {
    await putBinding(f.deps, operator, 'acme', body());
    await rotateExternalId(f.deps, operator, 'acme', { expectedVersion: 2 });
    const pending = structuredClone(stored());
    expect(pending).toMatchObject({ version: 3, nextExternalId: expect.stringMatching(EXTERNAL_ID) });
    const staleDuringRotation: (() => Promise<unknown>)[] = [
      () => putBinding(f.deps, operator, 'acme', body({ expectedVersion: 2 })),
      () => putBinding(f.deps, operator, 'acme', body({ expectedVersion: 0 })),
      () => activateExternalId(f.deps, operator, 'acme', { expectedVersion: 2 }),
      () => activateExternalId(f.deps, operator, 'acme', { expectedVersion: 4 }),
    ];
    expect(staleDuringRotation).toHaveLength(4);
    for (const attempt of staleDuringRotation) {
      expect(await refusal(attempt())).toMatchObject({ status: 409, code: 'version_conflict' });
    }
    expect(stored()).toEqual(pending);

    // A rotation needs no pending ID (else 422, below): activate it, then rotate with stale versions.
    await activateExternalId(f.deps, operator, 'acme', { expectedVersion: 3 });
    const current = structuredClone(stored());
    expect(current).toMatchObject({ version: 4 });
    expect(current).not.toHaveProperty('nextExternalId');
    const staleRotations = [3, 2, 5];
    for (const expectedVersion of staleRotations) {
      expect(await refusal(rotateExternalId(f.deps, operator, 'acme', { expectedVersion }))).toMatchObject({
        status: 409,
        code: 'version_conflict',
      });
    }
    expect(staleRotations).toHaveLength(3);
    expect(stored()).toEqual(current);
  });

  it('binds a tenant created before bindings (expectedVersion 0), generating its first external ID', async () => {
    f.store.tenants.get('acme')!.binding = undefined;
    expect(await refusal(getBinding(f.deps, operator, 'acme'))).toMatchObject({ status: 404, code: 'binding_not_configured' });
    expect(await refusal(putBinding(f.deps, operator, 'acme', body({ expectedVersion: 1 })))).toMatchObject({ status: 409 });
    const out = await putBinding(f.deps, operator, 'acme', body({ expectedVersion: 0 }));
    expect(out.version).toBe(1);
    expect(out.externalId).toMatch(EXTERNAL_ID);
    expect(stored()!.externalId).toBe(out.externalId);
  });
});

describe('external ID rotation', () => {
  it('rotate then activate switches the external ID; the trust view lists both during the rotation', async () => {
    const first = stored()!.externalId;

    const rotated = await rotateExternalId(f.deps, operator, 'acme', { expectedVersion: 1 });
    expect(rotated).toMatchObject({ version: 2, externalId: first, nextExternalId: expect.stringMatching(EXTERNAL_ID) });
    const next = rotated.nextExternalId!;
    expect(next).not.toBe(first);

    const during = await getTrust(f.deps, acmeAdmin, 'acme');
    expect(during).toMatchObject({ externalId: first, nextExternalId: next });
    expect(during.trustPolicy.Statement[0]!.Condition).toEqual({ StringEquals: { 'sts:ExternalId': [first, next] } });

    const activated = await activateExternalId(f.deps, operator, 'acme', { expectedVersion: 2 });
    expect(activated).toMatchObject({ version: 3, externalId: next, nextExternalId: null });
    expect(stored()).not.toHaveProperty('nextExternalId');
    const after = await getTrust(f.deps, acmeAdmin, 'acme');
    expect(after).toMatchObject({ externalId: next, nextExternalId: null });
    expect(after.trustPolicy.Statement[0]!.Condition).toEqual({ StringEquals: { 'sts:ExternalId': next } });
    expect(f.revocations).toBe(2);
  });

  it('rotating again while a next external ID is pending is 422 invalid_binding: activate it first', async () => {
    const { nextExternalId } = await rotateExternalId(f.deps, operator, 'acme', { expectedVersion: 1 });
    const before = structuredClone(stored());
    // Replacing the pending ID would break a tenant whose trust policies already name it.
    const out = await refusal(rotateExternalId(f.deps, operator, 'acme', { expectedVersion: 2 }));
    expect(out).toMatchObject({ status: 422, code: 'invalid_binding', details: [expect.objectContaining({ path: '$.nextExternalId' })] });
    expect(stored()).toEqual(before);
    expect(f.revocations).toBe(1);
    // Once activated, the next rotation goes through with a fresh ID.
    await activateExternalId(f.deps, operator, 'acme', { expectedVersion: 2 });
    const again = await rotateExternalId(f.deps, operator, 'acme', { expectedVersion: 3 });
    expect(again).toMatchObject({ version: 4, externalId: nextExternalId, nextExternalId: expect.stringMatching(EXTERNAL_ID) });
    expect(again.nextExternalId).not.toBe(nextExternalId);
  });

  it('activate without a rotation is 422 invalid_binding and changes nothing', async () => {
    const before = structuredClone(stored());
    expect(await refusal(activateExternalId(f.deps, operator, 'acme', { expectedVersion: 1 }))).toMatchObject({
      status: 422,
      code: 'invalid_binding',
    });
    expect(stored()).toEqual(before);
  });

  it('a binding write during a rotation keeps the next external ID', async () => {
    const { nextExternalId } = await rotateExternalId(f.deps, operator, 'acme', { expectedVersion: 1 });
    const out = await putBinding(f.deps, operator, 'acme', body({ expectedVersion: 2 }));
    expect(out.nextExternalId).toBe(nextExternalId);
  });
});

describe('the trust view', () => {
  it("is the tenant admin's to read: external ID, credvend's principal, roles and the trust policy", async () => {
    const trust = await getTrust(f.deps, acmeAdmin, 'acme');
    const { externalId, roles, federation } = seededBinding('acme');
    expect(trust).toEqual({
      tenantId: 'acme',
      externalId,
      nextExternalId: null,
      issuerPrincipalArn: ISSUER_PRINCIPAL,
      roles: Object.entries(roles).map(([name, role]) => ({ name, ...role })),
      federation,
      maxDurationSeconds: null,
      maxIssuancesPerMinute: null,
      trustPolicy: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'CredvendAssumesWithTheTenantsExternalId',
            Effect: 'Allow',
            Principal: { AWS: ISSUER_PRINCIPAL },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'sts:ExternalId': externalId } },
          },
          {
            Sid: 'CredvendTagsItsSessions',
            Effect: 'Allow',
            Principal: { AWS: ISSUER_PRINCIPAL },
            Action: ['sts:TagSession', 'sts:SetSourceIdentity'],
          },
        ],
      },
    });
    expect(f.principalLookups).toBe(1);
    expect(await getTrust(f.deps, operator, 'acme')).toEqual(trust);
  });

  it("answers 404 to another tenant's admin, exactly as for an unknown tenant, without asking for the principal", async () => {
    expect(await refusal(getTrust(f.deps, adminOf('globex'), 'acme'))).toMatchObject({ status: 404, code: 'not_found' });
    expect(await refusal(getTrust(f.deps, adminOf('globex'), 'nobody'))).toMatchObject({ status: 404, code: 'not_found' });
    expect(f.principalLookups).toBe(0);
  });
});

describe('external IDs credvend generates', () => {
  it('every new tenant gets one: cv- and 32 base32 characters (160 bits), distinct across tenants', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) {
      await createTenant(f.deps, operator, { tenantId: `tenant-${i}`, name: `Tenant ${i}` });
      const b = stored(`tenant-${i}`)!;
      expect(b).toMatchObject({ version: 1, roles: {}, updatedAt: NOW.toISOString(), updatedBy: operator.keyId });
      expect(b.federation).toBeUndefined();
      ids.push(b.externalId);
    }
    expect(ids).toHaveLength(25);
    for (const externalId of ids) expect(externalId).toMatch(EXTERNAL_ID);
    expect(new Set(ids).size).toBe(25);
    // 32 characters of 5 bits each: well over 128 bits.
    expect((ids[0]!.length - 'cv-'.length) * 5).toBeGreaterThanOrEqual(128);
  });

  it('uses every base32 character, so each one carries 5 random bits', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) for (const ch of generateExternalId().slice(3)) seen.add(ch);
    expect([...seen].sort().join('')).toBe('234567abcdefghijklmnopqrstuvwxyz');
  });
});
