// Tenants created before bindings get one: their old policy's role bound as "default" when credvend may
// assume it, a fresh external ID unless the operator chooses to keep the tenant-chosen one.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { migrateBindings } from '../../../lib/admin/binding-migration';
import type { TenantPolicyDocument } from '../../../lib/core/model';
import { policyDocument } from '../issuance-fakes';
import { type FakeAdmin, fakeAdmin, NOW, seedTenant } from './fakes';

const LEGACY_ARN = 'arn:aws:iam::123456789012:role/credvend/legacy';

/** A policy as stored before bindings: the role ARN, its maximum and a tenant-chosen external ID. */
function oldPolicy(roleArn = LEGACY_ARN, federation = false): TenantPolicyDocument {
  const doc = policyDocument();
  return {
    ...doc,
    defaultMode: 'assume-role',
    modes: {
      'assume-role': {
        roleArn,
        roleMaxSessionDuration: 14_400,
        externalId: 'acme-chosen-1',
        defaultDurationSeconds: 900,
        maxDurationSeconds: 3600,
      },
      ...(federation ? { federation: doc.modes.federation } : {}),
    },
  } as never as TenantPolicyDocument;
}

let f: FakeAdmin;
async function legacyTenant(tenantId: string, doc?: TenantPolicyDocument) {
  await seedTenant(f.store, tenantId);
  f.store.tenants.get(tenantId)!.binding = undefined;
  if (doc) f.store.policies.set(tenantId, { tenantId, version: 3, document: doc, updatedAt: '2025-01-01T00:00:00.000Z' });
}
const run = (opts: Partial<{ dryRun: boolean; keepExternalIds: boolean }> = {}) =>
  migrateBindings(f.deps, { dryRun: false, keepExternalIds: false, by: 'migrate-bindings', ...opts });

beforeEach(async () => {
  f = fakeAdmin();
  await seedTenant(f.store, 'bound'); // already has a binding: left alone
});

describe('migrateBindings', () => {
  it("binds the old policy's role as 'default' with a fresh external ID, never the tenant-chosen one", async () => {
    await legacyTenant('acme', oldPolicy());
    const before = structuredClone(f.store.tenants.get('bound')!.binding);
    const steps = await run();
    expect(steps.map((s) => [s.tenantId, s.action])).toEqual([['acme', 'bound']]);
    const binding = f.store.tenants.get('acme')!.binding!;
    expect(binding).toMatchObject({
      version: 1,
      roles: { default: { roleArn: LEGACY_ARN, maxSessionDuration: 14_400 } },
      updatedAt: NOW.toISOString(),
      updatedBy: 'migrate-bindings',
    });
    expect(binding.externalId).toMatch(/^cv-[a-z2-7]{32}$/);
    expect(binding.federation).toBeUndefined();
    expect(steps[0]!.warnings).toEqual([]);
    expect(f.store.tenants.get('bound')!.binding).toEqual(before);
  });

  it('keeps the tenant-chosen external ID only when asked, with a warning', async () => {
    await legacyTenant('acme', oldPolicy());
    const [step] = await run({ keepExternalIds: true });
    expect(f.store.tenants.get('acme')!.binding!.externalId).toBe('acme-chosen-1');
    expect(step!.warnings).toEqual([expect.stringContaining('kept the tenant-chosen external ID')]);
  });

  it('does not bind a role outside the pattern credvend may assume, and says so', async () => {
    await legacyTenant('acme', oldPolicy('arn:aws:iam::123456789012:role/Admin'));
    const [step] = await run();
    expect(f.store.tenants.get('acme')!.binding!.roles).toEqual({});
    expect(step!.warnings).toEqual([expect.stringContaining('arn:aws:iam::123456789012:role/Admin')]);
  });

  it('leaves federation off, with a warning, and binds tenants without a policy with no roles', async () => {
    await legacyTenant('acme', oldPolicy(LEGACY_ARN, true));
    await legacyTenant('globex');
    const steps = await run();
    expect(steps.map((s) => s.tenantId)).toEqual(['acme', 'globex']);
    expect(steps[0]!.warnings).toEqual([expect.stringContaining('federation')]);
    expect(f.store.tenants.get('acme')!.binding!.federation).toBeUndefined();
    expect(f.store.tenants.get('globex')!.binding).toMatchObject({ version: 1, roles: {} });
  });

  it('writes nothing on a dry run', async () => {
    await legacyTenant('acme', oldPolicy());
    const steps = await run({ dryRun: true });
    expect(steps).toHaveLength(1);
    expect(steps[0]!.binding).toMatchObject({ roles: { default: { roleArn: LEGACY_ARN } } });
    expect(f.store.tenants.get('acme')!.binding).toBeUndefined();
  });
});
