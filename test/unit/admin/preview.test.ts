import { beforeEach, describe, expect, it } from '@jest/globals';
import { PREVIEW_ISSUANCE_ID, previewPolicy } from '../../../lib/admin/preview';
import type { PreviewBody } from '../../../lib/admin/schemas';
import type { AppError } from '../../../lib/core/errors';
import type { TenantPolicyDocument } from '../../../lib/core/model';
import { validatePolicyDocument } from '../../../lib/policy/validate';
import { issueCredentials } from '../../../lib/vend/issue';
import {
  binding,
  FakeDirectory,
  FakeLedger,
  FakeSts,
  FEDERATION_BOUNDARY,
  NO_MFA,
  partner,
  policyDocument,
  ROLE_ARN,
  tenant,
  tenantPolicy,
} from '../issuance-fakes';
import { adminOf, type FakeAdmin, fakeAdmin } from './fakes';

const TENANT = 'acme';
const PARTNER = 'partner-one';
const admin = adminOf(TENANT);

let f: FakeAdmin;
async function withPolicy(document: TenantPolicyDocument = policyDocument()) {
  f = fakeAdmin();
  await f.store.createTenant(tenant());
  await f.store.createPartner(partner());
  await f.store.putPolicy(TENANT, document, 0, '2026-01-01T00:00:00.000Z', 'test');
}

/** What issueCredentials sends to STS for the same document and request. */
async function issuedWith(document: TenantPolicyDocument, request: Omit<PreviewBody, 'partnerId' | 'policy'>) {
  const directory = new FakeDirectory();
  directory.context = { tenant: tenant(), partner: partner(), policy: tenantPolicy(document, 1) };
  const sts = new FakeSts();
  await issueCredentials(
    {
      directory,
      ledger: new FakeLedger(),
      sts,
      now: () => new Date('2026-03-04T05:06:07.000Z'),
      newId: () => PREVIEW_ISSUANCE_ID,
      mfa: NO_MFA,
    },
    {
      caller: { kind: 'partner', keyId: 'pk-aaaaaaaaaaaaaaaa', tenantId: TENANT, partnerId: PARTNER },
      requestId: 'r',
      sourceIp: '',
      userAgent: '',
    },
    request,
  );
  return sts;
}

const codes = (problems: { code: string }[]) => problems.map((p) => p.code);

describe('policy preview', () => {
  beforeEach(() => withPolicy());

  it('renders exactly what an assume-role issuance would send to STS, and writes nothing', async () => {
    const request = { scope: { actions: ['s3:GetObject'] } };
    const preview = await previewPolicy(f.deps, admin, TENANT, { partnerId: PARTNER, ...request });
    const sts = await issuedWith(policyDocument(), request);
    const sent = sts.assumeRoles[0]!;
    expect(preview.ok).toBe(true);
    expect(preview.problems).toEqual([]);
    expect(JSON.stringify(preview.renderedPolicy)).toBe(sent.policy);
    expect(preview.sessionName).toBe(sent.roleSessionName);
    expect(preview.roleArn).toBe(sent.roleArn);
    expect(preview.roleArn).toBe(ROLE_ARN);
    expect(preview.sourceIdentity).toBe(sent.sourceIdentity);
    expect(preview.sessionTags).toEqual(sent.tags);
    expect(preview.durationSeconds).toBe(sent.durationSeconds);
    expect(preview).toMatchObject({ source: 'current', policyVersion: 1, mode: 'assume-role' });
    expect(preview.size).toEqual({
      policy: sent.policy.length,
      managedPolicyArns: 0,
      total: sent.policy.length,
      limit: 2048,
      worstCase: expect.any(Number),
    });
    expect(f.store.keys.size).toBe(0);
    expect(f.store.versions).toHaveLength(1);
  });

  it('renders exactly what a federation issuance would send to STS', async () => {
    const request = { mode: 'federation' as const, durationSeconds: 900 };
    const preview = await previewPolicy(f.deps, admin, TENANT, { partnerId: PARTNER, ...request });
    const sent = (await issuedWith(policyDocument(), request)).federation[0]!;
    expect(JSON.stringify(preview.renderedPolicy)).toBe(sent.policy);
    // Federation sessions carry the tenant and partner tags too; no role, no SourceIdentity.
    expect(preview).toMatchObject({ sessionName: sent.name, sessionTags: sent.tags, durationSeconds: 900, ok: true });
    expect(preview.sessionTags).toEqual({ tenant: TENANT, partner: PARTNER });
    expect(preview).toMatchObject({ roleArn: null, sourceIdentity: null });
    // Without a scope, the worst case (longest placeholder values) bounds the actual size.
    expect(preview.size!.worstCase).toBeGreaterThan(preview.size!.total);
  });

  it('previews a draft instead of the current policy', async () => {
    const draft = policyDocument({ defaultMode: 'federation' });
    const preview = await previewPolicy(f.deps, admin, TENANT, { partnerId: PARTNER, policy: draft });
    expect(preview).toMatchObject({ source: 'draft', policyVersion: null, mode: 'federation', ok: true });
  });

  it("reports a draft's validation problems, as the validator states them", async () => {
    const draft = { ...policyDocument(), statements: [] };
    const expected = validatePolicyDocument(draft);
    expect(expected.ok).toBe(false);
    const preview = await previewPolicy(f.deps, admin, TENANT, { partnerId: PARTNER, policy: draft });
    expect(preview.problems).toEqual(expected.problems);
    expect(preview).toMatchObject({ renderedPolicy: null, size: null, ok: false });
  });

  it('lists every problem where issuance would stop at the first, and still renders', async () => {
    await f.store.setPartnerStatus(TENANT, PARTNER, 'disabled', '2026-01-02T00:00:00.000Z');
    const preview = await previewPolicy(f.deps, admin, TENANT, {
      partnerId: PARTNER,
      sessionName: 'x'.repeat(65),
      durationSeconds: 7201,
      scope: { actions: ['s3:DeleteBucket'], resources: ['arn:aws:s3:::acme-data/acme/partner-one/a'] },
    });
    expect(codes(preview.problems)).toEqual(['partner_disabled', 'duration_not_allowed', 'scope_not_allowed', 'sts_limit_exceeded']);
    expect(preview.problems[2]).toMatchObject({ path: '$.scope.actions[0]', action: 's3:DeleteBucket' });
    expect(preview.problems[3]).toMatchObject({ limit: 'RoleSessionName' });
    // Planned on at the tenant's maximum duration, with the scope's Deny statements still shown.
    expect(preview.durationSeconds).toBe(7200);
    expect(JSON.stringify(preview.renderedPolicy)).toContain('CredvendScopeActions');
    expect(preview.renderedPolicy).not.toBeNull();
    expect(preview.ok).toBe(false);
  });

  it('reports a policy over the STS size limit with its size', async () => {
    const big = policyDocument({
      statements: Array.from({ length: 30 }, (_, i) => ({
        Effect: 'Allow' as const,
        Action: 's3:GetObject',
        Resource: `arn:aws:s3:::bucket-${i}/{{tenantId}}/{{partnerId}}/*`,
      })),
    });
    f.store.policies.set(TENANT, { ...tenantPolicy(big, 7), tenantId: TENANT }); // stored before today's rules
    const preview = await previewPolicy(f.deps, admin, TENANT, { partnerId: PARTNER });
    expect(preview.size!.total).toBeGreaterThan(2048);
    expect(preview.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'policy_too_large' }),
        expect.objectContaining({ code: 'sts_limit_exceeded', limit: 'Policy', size: preview.size!.total }),
      ]),
    );
  });

  it('reports a partner id that would merge two condition keys, rendering nothing', async () => {
    const statements = [
      {
        Effect: 'Allow' as const,
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::acme-data',
        Condition: { StringEquals: { 's3:prefix/{{partnerId}}': 'x', [`s3:prefix/${PARTNER}`]: 'y' } },
      },
    ];
    const draft = policyDocument({ statements });
    const preview = await previewPolicy(f.deps, admin, TENANT, { partnerId: PARTNER, policy: draft });
    expect(codes(preview.problems)).toEqual(['policy_key_collision']);
    expect(preview).toMatchObject({ renderedPolicy: null, size: null, ok: false });
  });

  it('reports what a draft asks beyond the binding, for every mode, and renders nothing the binding refuses', async () => {
    const draft = policyDocument({
      modes: {
        'assume-role': { role: 'admin', defaultDurationSeconds: 900, maxDurationSeconds: 3600 },
        federation: { defaultDurationSeconds: 900, maxDurationSeconds: 3600 },
      },
      statements: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::globex-data/*' }],
      rateLimit: { perMinute: 100 },
    });
    await f.store.putBinding(TENANT, binding({ version: 2, maxIssuancesPerMinute: 10 }), 1);
    const preview = await previewPolicy(f.deps, admin, TENANT, { partnerId: PARTNER, policy: draft });
    expect(preview.problems.map((p) => [p.code, p.path])).toEqual([
      ['role_not_bound', "$.modes['assume-role'].role"],
      ['outside_federation_boundary', '$.statements[0].Resource'],
      ['exceeds_binding_rate_limit', '$.rateLimit.perMinute'],
    ]);
    expect(preview).toMatchObject({ mode: 'assume-role', renderedPolicy: null, roleArn: null, ok: false });
  });

  it('reports a federation managed policy the binding does not list, and renders nothing for federation', async () => {
    const draft = policyDocument({ defaultMode: 'federation', managedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] });
    const preview = await previewPolicy(f.deps, admin, TENANT, { partnerId: PARTNER, policy: draft });
    expect(preview.problems.map((p) => [p.code, p.path])).toEqual([['managed_policy_outside_binding', '$.managedPolicyArns[0]']]);
    expect(preview).toMatchObject({ mode: 'federation', renderedPolicy: null, ok: false });
    // Listed in the binding, the same draft previews clean, the ARN shown as sent.
    await f.store.putBinding(
      TENANT,
      binding({
        version: 2,
        federation: { resourceBoundary: [...FEDERATION_BOUNDARY], managedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] },
      }),
      1,
    );
    const allowed = await previewPolicy(f.deps, admin, TENANT, { partnerId: PARTNER, policy: draft });
    expect(allowed).toMatchObject({ ok: true, problems: [], managedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] });
    expect(allowed.renderedPolicy).not.toBeNull();
  });

  it('reports binding_not_configured for a tenant no operator has bound, rendering nothing', async () => {
    f.store.tenants.get(TENANT)!.binding = undefined;
    const preview = await previewPolicy(f.deps, admin, TENANT, { partnerId: PARTNER });
    expect(codes(preview.problems)).toEqual(['binding_not_configured']);
    expect(preview).toMatchObject({ renderedPolicy: null, sessionName: null, ok: false });
  });

  it('reports a stored policy that still uses the withdrawn {{sessionName}} placeholder', async () => {
    const old = policyDocument({
      statements: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::acme-data/{{tenantId}}/{{sessionName}}/*' }],
    });
    f.store.policies.set(TENANT, { ...tenantPolicy(old, 3), tenantId: TENANT }); // stored before the placeholder was withdrawn
    const preview = await previewPolicy(f.deps, admin, TENANT, { partnerId: PARTNER, sessionName: 'x' });
    expect(codes(preview.problems)).toContain('unknown_placeholder');
    expect(preview).toMatchObject({ renderedPolicy: null, ok: false });
  });

  it('reports a mode the policy does not configure', async () => {
    const { federation: _, ...modes } = policyDocument().modes;
    await withPolicy(policyDocument({ modes }));
    const preview = await previewPolicy(f.deps, admin, TENANT, { partnerId: PARTNER, mode: 'federation' });
    expect(codes(preview.problems)).toEqual(['mode_not_allowed']);
  });

  it("answers 404 for no policy, an unknown partner, or another tenant's", async () => {
    const refusal = async (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (e: AppError) => [e.statusCode, e.code],
      );
    expect(await refusal(previewPolicy(f.deps, admin, TENANT, { partnerId: 'nobody' }))).toEqual([404, 'not_found']);
    expect(await refusal(previewPolicy(f.deps, adminOf('globex'), TENANT, { partnerId: PARTNER }))).toEqual([404, 'not_found']);
    f.store.policies.delete(TENANT);
    expect(await refusal(previewPolicy(f.deps, admin, TENANT, { partnerId: PARTNER }))).toEqual([404, 'policy_not_configured']);
  });
});
