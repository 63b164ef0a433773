// GET /v1/whoami: what a partner key may ask for, within the tenant's policy and the operator's binding.
import { describe, expect, it } from '@jest/globals';
import type { ResolvedPolicy } from '../../../lib/vend/issue';
import { partnerIdentity } from '../../../lib/vend/principal-names';
import { whoami } from '../../../lib/vend/whoami';
import { binding, FEDERATION_BOUNDARY, PARTNER_ID, policyDocument, ROLE_ARN, ROLE_NAME, TENANT_ID, tenantPolicy } from '../issuance-fakes';

const caller = { kind: 'partner' as const, keyId: 'pk-aaaaaaaaaaaaaaaa', tenantId: TENANT_ID, partnerId: PARTNER_ID };

function resolved(b = binding(), doc = policyDocument()): ResolvedPolicy {
  const policy = tenantPolicy(doc);
  return { policy, binding: b, mode: 'assume-role', settings: policy.document.modes['assume-role']! };
}

describe('whoami', () => {
  it('answers tenant, partner, modes, bound role names, federation, and how sessions are named', () => {
    const out = whoami(caller, resolved());
    expect(out).toMatchObject({
      tenantId: TENANT_ID,
      partnerId: PARTNER_ID,
      keyId: caller.keyId,
      defaultMode: 'assume-role',
      policyVersion: 4,
      roles: [ROLE_NAME],
      federation: true,
      modes: [
        { mode: 'assume-role', defaultDurationSeconds: 3600, maxDurationSeconds: 7200 },
        { mode: 'federation', defaultDurationSeconds: 1800, maxDurationSeconds: 43_200 },
      ],
    });
    expect(out.principal.sourceIdentity).toBe(partnerIdentity(TENANT_ID, PARTNER_ID));
    expect(out.principal.sessionTags).toEqual({ tenant: TENANT_ID, partner: PARTNER_ID });
    // Nothing an operator keeps to itself: no role ARN, no external ID.
    const text = JSON.stringify(out);
    expect(text).not.toContain('arn:aws:iam');
    expect(text).not.toContain(binding().externalId);
  });

  it("never advertises a duration over the binding's ceiling, nor federation the binding does not enable", () => {
    // The policy allows assume-role up to 7200 (default 3600) and federation: the binding allows 3600 and no federation.
    const out = whoami(caller, resolved(binding({ maxDurationSeconds: 3600, federation: undefined })));
    expect(out.modes).toEqual([{ mode: 'assume-role', defaultDurationSeconds: 3600, maxDurationSeconds: 3600 }]);
    expect(out.federation).toBe(false);
  });

  it('caps every listed mode at a ceiling lowered since the PUT, defaults included', () => {
    const out = whoami(caller, resolved(binding({ maxDurationSeconds: 1200 })));
    expect(out.modes).toEqual([
      { mode: 'assume-role', defaultDurationSeconds: 1200, maxDurationSeconds: 1200 },
      { mode: 'federation', defaultDurationSeconds: 1200, maxDurationSeconds: 1200 },
    ]);
  });

  it('leaves defaults under the ceiling as they are', () => {
    const out = whoami(caller, resolved(binding({ maxDurationSeconds: 5400 })));
    expect(out.modes).toEqual([
      { mode: 'assume-role', defaultDurationSeconds: 3600, maxDurationSeconds: 5400 },
      { mode: 'federation', defaultDurationSeconds: 1800, maxDurationSeconds: 5400 },
    ]);
  });

  it('a rate limit over the binding ceiling is capped at issuance, so it hides no mode', () => {
    const out = whoami(caller, resolved(binding({ maxIssuancesPerMinute: 10 }), policyDocument({ rateLimit: { perMinute: 100 } })));
    expect(out.modes.map((m) => m.mode)).toEqual(['assume-role', 'federation']);
  });

  it('does not list assume-role when its role is not bound (any more), nor over the role MaxSessionDuration', () => {
    const unbound = whoami(caller, resolved(binding({ roles: { other: { roleArn: ROLE_ARN, maxSessionDuration: 7200 } } })));
    expect(unbound.modes).toEqual([{ mode: 'federation', defaultDurationSeconds: 1800, maxDurationSeconds: 43_200 }]);
    expect(unbound.roles).toEqual(['other']);
    const shorter = whoami(caller, resolved(binding({ roles: { [ROLE_NAME]: { roleArn: ROLE_ARN, maxSessionDuration: 3600 } } })));
    expect(shorter.modes.map((m) => m.mode)).toEqual(['federation']);
  });

  it('does not list federation when the policy leaves the binding: a resource outside the boundary or an unlisted managed policy', () => {
    const outside = whoami(caller, resolved(binding({ federation: { resourceBoundary: ['arn:aws:s3:::elsewhere/*'] } })));
    expect(outside.modes.map((m) => m.mode)).toEqual(['assume-role']);
    expect(outside.federation).toBe(true);
    const admin = policyDocument({ managedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] });
    expect(whoami(caller, resolved(binding(), admin)).modes.map((m) => m.mode)).toEqual(['assume-role']);
    const allowed = binding({
      federation: { resourceBoundary: [...FEDERATION_BOUNDARY], managedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] },
    });
    expect(whoami(caller, resolved(allowed, admin)).modes.map((m) => m.mode)).toEqual(['assume-role', 'federation']);
  });

  it('lists no mode when none is usable', () => {
    const out = whoami(caller, resolved(binding({ roles: {}, federation: undefined })));
    expect(out.modes).toEqual([]);
    expect(out.roles).toEqual([]);
  });
});
