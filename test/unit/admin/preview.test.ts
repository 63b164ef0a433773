import { beforeEach, describe, expect, it } from '@jest/globals';
import { PREVIEW_ISSUANCE_ID, previewPolicy } from '../../../lib/admin/preview';
import type { PreviewBody } from '../../../lib/admin/schemas';
import type { AppError } from '../../../lib/core/errors';
import type { TenantPolicyDocument } from '../../../lib/core/model';
import { validatePolicyDocument } from '../../../lib/policy/validate';
import { issueCredentials } from '../../../lib/vend/issue';
import { FakeDirectory, FakeLedger, FakeSts, partner, policyDocument, tenant, tenantPolicy } from '../issuance-fakes';
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
    { directory, ledger: new FakeLedger(), sts, now: () => new Date('2026-03-04T05:06:07.000Z'), newId: () => PREVIEW_ISSUANCE_ID },
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
    expect(preview).toMatchObject({ sessionName: sent.name, sessionTags: null, durationSeconds: 900, ok: true });
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

  it('reports a session name that would merge two condition keys, rendering nothing', async () => {
    const statements = [
      {
        Effect: 'Allow' as const,
        Action: 's3:GetObject',
        Resource: '*',
        Condition: { StringEquals: { 's3:prefix/{{sessionName}}': 'x', 's3:prefix/a1': 'y' } },
      },
    ];
    const draft = policyDocument({ statements });
    const preview = await previewPolicy(f.deps, admin, TENANT, { partnerId: PARTNER, sessionName: 'a1', policy: draft });
    expect(codes(preview.problems)).toEqual(['session_name_conflict']);
    expect(preview).toMatchObject({ renderedPolicy: null, size: null, ok: false });
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
