import { beforeEach, describe, expect, it } from '@jest/globals';
import { assertOperator, authorizeTenant } from '../../../lib/admin/access';
import { adminOf, FakeAdminStore, operator, partnerOf, refusal, seedTenant } from './fakes';

describe('authorizeTenant', () => {
  let store: FakeAdminStore;
  beforeEach(async () => {
    store = new FakeAdminStore();
    await seedTenant(store, 'acme');
    await seedTenant(store, 'globex');
  });

  it('lets an admin act on its own tenant', async () => {
    await expect(authorizeTenant(store, adminOf('acme'), 'acme')).resolves.toMatchObject({ tenantId: 'acme' });
  });

  it("answers another tenant's id as absent (404, not 403), whether or not it exists", async () => {
    expect(await refusal(authorizeTenant(store, adminOf('acme'), 'globex'))).toEqual({ status: 404, code: 'not_found' });
    expect(await refusal(authorizeTenant(store, adminOf('acme'), 'nobody'))).toEqual({ status: 404, code: 'not_found' });
  });

  it('lets an operator act on any existing tenant, disabled ones included', async () => {
    await store.setTenantStatus('globex', 'disabled', '2026-01-02T00:00:00.000Z');
    await expect(authorizeTenant(store, operator, 'globex')).resolves.toMatchObject({ tenantId: 'globex', status: 'disabled' });
    expect(await refusal(authorizeTenant(store, operator, 'nobody'))).toEqual({ status: 404, code: 'not_found' });
  });

  it('refuses the admins of a disabled tenant', async () => {
    await store.setTenantStatus('acme', 'disabled', '2026-01-02T00:00:00.000Z');
    expect(await refusal(authorizeTenant(store, adminOf('acme'), 'acme'))).toEqual({ status: 403, code: 'tenant_disabled' });
  });

  it('answers ids that cannot exist as absent', async () => {
    expect(await refusal(authorizeTenant(store, operator, 'ACME'))).toEqual({ status: 404, code: 'not_found' });
    expect(await refusal(authorizeTenant(store, operator, '../acme'))).toEqual({ status: 404, code: 'not_found' });
  });

  it('refuses partner keys whatever the tenant', async () => {
    expect(await refusal(authorizeTenant(store, partnerOf('acme', 'partner-one'), 'acme'))).toEqual({
      status: 403,
      code: 'wrong_key_kind',
    });
  });
});

describe('assertOperator', () => {
  it('accepts operators only', () => {
    expect(() => assertOperator(operator)).not.toThrow();
    expect(() => assertOperator(adminOf('acme'))).toThrow(expect.objectContaining({ statusCode: 403, code: 'wrong_key_kind' }));
  });
});
