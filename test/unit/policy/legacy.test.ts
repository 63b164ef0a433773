// Tenant policies stored before bindings are read in today's shape: the role becomes the binding's
// "default" role and the fields the operator now owns are gone, so they can never reach STS again.
import { describe, expect, it } from '@jest/globals';
import type { TenantPolicy, TenantPolicyDocument } from '../../../lib/core/model';
import { LEGACY_ROLE_NAME, legacyRoleOf, upgradePolicyDocument, upgradeStoredPolicy } from '../../../lib/policy/legacy';
import { validatePolicyDocument } from '../../../lib/policy/validate';
import { S3_STATEMENTS } from '../issuance-fakes';

/** A document as credvend stored it before bindings existed. */
function oldDocument(assumeRole: Record<string, unknown> = {}): TenantPolicyDocument {
  return {
    defaultMode: 'assume-role',
    modes: {
      'assume-role': {
        roleArn: 'arn:aws:iam::123456789012:role/demo-partner-access',
        externalId: 'acme-ext-1',
        roleMaxSessionDuration: 14_400,
        sessionTags: true,
        defaultDurationSeconds: 900,
        maxDurationSeconds: 3600,
        ...assumeRole,
      },
      federation: { defaultDurationSeconds: 900, maxDurationSeconds: 7200 },
    },
    statements: S3_STATEMENTS,
    sessionTags: { project: '{{tenantId}}' },
    rateLimit: { perMinute: 30 },
  } as never as TenantPolicyDocument;
}

describe('upgradePolicyDocument', () => {
  it("reads an old document as role 'default', with roleArn, externalId, roleMaxSessionDuration and sessionTags gone", () => {
    const upgraded = upgradePolicyDocument(oldDocument());
    expect(LEGACY_ROLE_NAME).toBe('default');
    expect(upgraded.modes['assume-role']).toStrictEqual({ defaultDurationSeconds: 900, maxDurationSeconds: 3600, role: 'default' });
    for (const field of ['roleArn', 'externalId', 'roleMaxSessionDuration', 'sessionTags']) {
      expect(upgraded.modes['assume-role']).not.toHaveProperty(field);
    }
    // Everything else as it was: the other mode, statements, the document's own session tags, the rate limit.
    expect(upgraded).toStrictEqual({ ...oldDocument(), modes: { ...oldDocument().modes, 'assume-role': upgraded.modes['assume-role'] } });
    expect(upgraded.sessionTags).toEqual({ project: '{{tenantId}}' });
  });

  it('gives a document that passes today’s validation', () => {
    const upgraded = upgradePolicyDocument(oldDocument());
    expect(validatePolicyDocument(oldDocument()).ok).toBe(false);
    expect(validatePolicyDocument(upgraded)).toEqual({ ok: true, document: upgraded, problems: [] });
  });

  it('drops the fields whatever they held (tags off, no external ID)', () => {
    const upgraded = upgradePolicyDocument(oldDocument({ sessionTags: false, externalId: undefined }));
    expect(upgraded.modes['assume-role']).toStrictEqual({ defaultDurationSeconds: 900, maxDurationSeconds: 3600, role: 'default' });
  });

  it('does not change the stored document it was given', () => {
    const doc = oldDocument();
    const before = structuredClone(doc);
    upgradePolicyDocument(doc);
    expect(doc).toEqual(before);
  });

  it('leaves documents of today, and documents without assume-role, as they are', () => {
    const today: TenantPolicyDocument = {
      ...oldDocument(),
      modes: { 'assume-role': { role: 'reader', defaultDurationSeconds: 900, maxDurationSeconds: 3600 } },
    };
    expect(upgradePolicyDocument(today)).toBe(today);
    const federationOnly: TenantPolicyDocument = {
      ...oldDocument(),
      defaultMode: 'federation',
      modes: { federation: { defaultDurationSeconds: 900, maxDurationSeconds: 7200 } },
    };
    expect(upgradePolicyDocument(federationOnly)).toBe(federationOnly);
  });
});

describe('legacyRoleOf', () => {
  it('gives what the migration binds as the default role', () => {
    expect(legacyRoleOf(oldDocument())).toEqual({
      roleArn: 'arn:aws:iam::123456789012:role/demo-partner-access',
      maxSessionDuration: 14_400,
      externalId: 'acme-ext-1',
    });
    expect(legacyRoleOf(oldDocument({ roleMaxSessionDuration: undefined, externalId: undefined }))).toEqual({
      roleArn: 'arn:aws:iam::123456789012:role/demo-partner-access',
      maxSessionDuration: 3600,
    });
  });

  it('is undefined for documents of today', () => {
    expect(legacyRoleOf(upgradePolicyDocument(oldDocument()))).toBeUndefined();
  });
});

describe('upgradeStoredPolicy', () => {
  it('upgrades the document of a stored policy, keeping its version, and passes undefined through', () => {
    const stored: TenantPolicy = { tenantId: 'acme', version: 7, document: oldDocument(), updatedAt: '2025-01-01T00:00:00.000Z' };
    const read = upgradeStoredPolicy(stored);
    expect(read).toMatchObject({ tenantId: 'acme', version: 7, updatedAt: '2025-01-01T00:00:00.000Z' });
    expect(read.document.modes['assume-role']).toStrictEqual({ defaultDurationSeconds: 900, maxDurationSeconds: 3600, role: 'default' });
    // What the old document named, kept aside for the migration to bind (never sent to STS).
    expect(read.legacyRole).toEqual(legacyRoleOf(oldDocument()));
    expect(upgradeStoredPolicy(undefined)).toBeUndefined();
    const today = upgradeStoredPolicy(stored);
    expect(upgradeStoredPolicy(today).document).toBe(today.document);
  });
});
