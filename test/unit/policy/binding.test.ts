// A tenant policy against its operator's binding (DESIGN.md "Trust model").
import { describe, expect, it } from '@jest/globals';
import type { IamStatement, TenantBinding, TenantPolicyDocument } from '../../../lib/core/model';
import { bindingProblems, CEILING_CODES, effectiveRateLimit, federationBoundaryProblems } from '../../../lib/policy/binding';
import { binding, policyDocument, ROLE_ARN, ROLE_NAME, TENANT_ID } from '../issuance-fakes';

type Problem = { path: string; code: string };
const problems = (doc: TenantPolicyDocument, b: TenantBinding = binding()): Problem[] =>
  bindingProblems(doc, b, TENANT_ID).map(({ path, code }) => ({ path, code }));

const ROLE = "$.modes['assume-role']";
const allow = (resource: string | string[]): IamStatement => ({ Effect: 'Allow', Action: 's3:GetObject', Resource: resource });
/** A federation-only document with these statements. */
const federationDoc = (statements: IamStatement[]): TenantPolicyDocument =>
  policyDocument({
    defaultMode: 'federation',
    modes: { federation: { defaultDurationSeconds: 900, maxDurationSeconds: 3600 } },
    statements,
  });

describe('bindingProblems', () => {
  it('finds nothing in a policy that stays within its binding', () => {
    expect(problems(policyDocument())).toEqual([]);
  });

  it('binding_not_configured without a binding', () => {
    expect(bindingProblems(policyDocument(), undefined, TENANT_ID)).toEqual([
      { path: '$', code: 'binding_not_configured', message: expect.any(String) },
    ]);
  });

  it('role_not_bound for a role name the binding does not have, naming the bound ones', () => {
    const doc = policyDocument({ modes: { 'assume-role': { role: 'admin', defaultDurationSeconds: 900, maxDurationSeconds: 3600 } } });
    const found = bindingProblems(doc, binding(), TENANT_ID);
    expect(found).toEqual([{ path: `${ROLE}.role`, code: 'role_not_bound', message: expect.stringContaining(ROLE_NAME) }]);
    expect(problems(doc, binding({ roles: {} }))).toEqual([{ path: `${ROLE}.role`, code: 'role_not_bound' }]);
  });

  it('role_not_bound for names every object has (constructor, __proto__): only own role names count', () => {
    for (const role of ['constructor', '__proto__', 'toString']) {
      const doc = policyDocument({ modes: { 'assume-role': { role, defaultDurationSeconds: 900, maxDurationSeconds: 3600 } } });
      expect(problems(doc)).toEqual([{ path: `${ROLE}.role`, code: 'role_not_bound' }]);
    }
  });

  it("exceeds_role_max_session_duration above the bound role's MaxSessionDuration, not at it", () => {
    const withRoleMax = (max: number) => binding({ roles: { [ROLE_NAME]: { roleArn: ROLE_ARN, maxSessionDuration: max } } });
    expect(problems(policyDocument(), withRoleMax(7199))).toEqual([
      { path: `${ROLE}.maxDurationSeconds`, code: 'exceeds_role_max_session_duration' },
    ]);
    expect(problems(policyDocument(), withRoleMax(7200))).toEqual([]);
  });

  it('federation_not_enabled for a federation mode the binding does not enable', () => {
    expect(problems(policyDocument(), binding({ federation: undefined }))).toEqual([
      { path: '$.modes.federation', code: 'federation_not_enabled' },
    ]);
    // Without a federation mode, the binding's federation settings do not matter.
    const assumeRoleOnly = policyDocument({ modes: { 'assume-role': policyDocument().modes['assume-role'] } });
    expect(problems(assumeRoleOnly, binding({ federation: undefined }))).toEqual([]);
  });

  it('outside_federation_boundary for an Allow resource no boundary pattern covers', () => {
    const doc = federationDoc([allow(['arn:aws:s3:::acme-data/acme/in/*', 'arn:aws:s3:::globex-data/*']), allow('*')]);
    expect(problems(doc)).toEqual([
      { path: '$.statements[0].Resource[1]', code: 'outside_federation_boundary' },
      { path: '$.statements[1].Resource', code: 'outside_federation_boundary' },
    ]);
  });

  it('outside_federation_boundary for NotResource in an Allow: it grants everything else', () => {
    const doc = federationDoc([{ Effect: 'Allow', Action: 's3:GetObject', NotResource: 'arn:aws:s3:::acme-data/acme/secret/*' }]);
    expect(problems(doc)).toEqual([{ path: '$.statements[0].NotResource', code: 'outside_federation_boundary' }]);
  });

  it('treats {{partnerId}} as any partner: bucket/{{partnerId}}/* is outside a boundary of bucket/p1/*', () => {
    const b = binding({ federation: { resourceBoundary: ['arn:aws:s3:::bucket/p1/*'] } });
    expect(problems(federationDoc([allow('arn:aws:s3:::bucket/{{partnerId}}/*')]), b)).toEqual([
      { path: '$.statements[0].Resource', code: 'outside_federation_boundary' },
    ]);
    // A boundary over every partner of the tenant holds it; {{tenantId}} renders as this tenant.
    const tenantWide = binding({ federation: { resourceBoundary: ['arn:aws:s3:::bucket/acme/*'] } });
    expect(problems(federationDoc([allow('arn:aws:s3:::bucket/{{tenantId}}/{{partnerId}}/*')]), tenantWide)).toEqual([]);
    expect(problems(federationDoc([allow('arn:aws:s3:::bucket/{{partnerId}}/*')]), tenantWide)).toEqual([
      { path: '$.statements[0].Resource', code: 'outside_federation_boundary' },
    ]);
  });

  it('renders {{tenantId}} as this tenant: another tenant cannot use the same template to reach acme', () => {
    const doc = federationDoc([allow('arn:aws:s3:::acme-data/{{tenantId}}/*')]);
    expect(bindingProblems(doc, binding(), 'acme')).toEqual([]);
    expect(bindingProblems(doc, binding(), 'globex').map((p) => p.code)).toEqual(['outside_federation_boundary']);
  });

  it('lets Deny statements reach outside the boundary: they only take away', () => {
    const doc = federationDoc([
      allow('arn:aws:s3:::acme-data/acme/*'),
      { Effect: 'Deny', Action: '*', Resource: '*' },
      { Effect: 'Deny', Action: 's3:DeleteObject', NotResource: 'arn:aws:s3:::elsewhere/*' },
    ]);
    expect(problems(doc)).toEqual([]);
  });

  it('unknown_placeholder for a statement federation cannot render for the check', () => {
    expect(problems(federationDoc([allow('arn:aws:s3:::acme-data/acme/{{sessionName}}/*')]))).toEqual([
      { path: '$.statements', code: 'unknown_placeholder' },
    ]);
  });

  it('managed_policy_outside_binding for each federation managed policy the binding does not list', () => {
    const readOnly = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
    const admin = 'arn:aws:iam::aws:policy/AdministratorAccess';
    const doc = { ...federationDoc([allow('arn:aws:s3:::acme-data/acme/*')]), managedPolicyArns: [readOnly, admin] };
    // No allowlist: none is allowed.
    expect(problems(doc)).toEqual([
      { path: '$.managedPolicyArns[0]', code: 'managed_policy_outside_binding' },
      { path: '$.managedPolicyArns[1]', code: 'managed_policy_outside_binding' },
    ]);
    const withList = (managedPolicyArns: string[]) =>
      binding({ federation: { resourceBoundary: ['arn:aws:s3:::acme-data/acme/*'], managedPolicyArns } });
    expect(problems(doc, withList([readOnly]))).toEqual([{ path: '$.managedPolicyArns[1]', code: 'managed_policy_outside_binding' }]);
    expect(problems(doc, withList([admin, readOnly]))).toEqual([]);
    // Exact ARNs only: no prefix, pattern or case-folding match.
    expect(problems(doc, withList(['arn:aws:iam::aws:policy/*', readOnly.toLowerCase(), `${admin}X`])).map((p) => p.path)).toEqual([
      '$.managedPolicyArns[0]',
      '$.managedPolicyArns[1]',
    ]);
  });

  it('managed policies are not checked against the federation allowlist for assume-role only, nor without federation enabled', () => {
    const assumeRoleOnly = policyDocument({
      modes: { 'assume-role': policyDocument().modes['assume-role'] },
      managedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'],
    });
    expect(problems(assumeRoleOnly)).toEqual([]);
    const both = policyDocument({ managedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] });
    // Federation not enabled: that alone is the problem.
    expect(problems(both, binding({ federation: undefined }))).toEqual([{ path: '$.modes.federation', code: 'federation_not_enabled' }]);
  });

  it("exceeds_binding_max_duration for each mode over the binding's ceiling", () => {
    const b = binding({ maxDurationSeconds: 3600 });
    // policyDocument: assume-role max 7200, federation max 43200.
    expect(problems(policyDocument(), b)).toEqual([
      { path: "$.modes['assume-role'].maxDurationSeconds", code: 'exceeds_binding_max_duration' },
      { path: '$.modes.federation.maxDurationSeconds', code: 'exceeds_binding_max_duration' },
    ]);
    expect(problems(policyDocument(), binding({ maxDurationSeconds: 43_200 }))).toEqual([]);
  });

  it("exceeds_binding_rate_limit for a rateLimit over the binding's ceiling, not at it", () => {
    const b = binding({ maxIssuancesPerMinute: 60 });
    expect(problems(policyDocument({ rateLimit: { perMinute: 61 } }), b)).toEqual([
      { path: '$.rateLimit.perMinute', code: 'exceeds_binding_rate_limit' },
    ]);
    expect(problems(policyDocument({ rateLimit: { perMinute: 60 } }), b)).toEqual([]);
    expect(problems(policyDocument(), b)).toEqual([]);
  });

  it('lists every problem at once', () => {
    const doc = policyDocument({
      modes: {
        'assume-role': { role: 'nope', defaultDurationSeconds: 900, maxDurationSeconds: 7200 },
        federation: { defaultDurationSeconds: 900, maxDurationSeconds: 7200 },
      },
      rateLimit: { perMinute: 100 },
    });
    const b = binding({ federation: undefined, maxDurationSeconds: 3600, maxIssuancesPerMinute: 10 });
    expect(problems(doc, b).map((p) => p.code)).toEqual([
      'role_not_bound',
      'federation_not_enabled',
      'exceeds_binding_max_duration',
      'exceeds_binding_max_duration',
      'exceeds_binding_rate_limit',
    ]);
  });
});

describe('CEILING_CODES', () => {
  it('are the ceilings issuance caps: duration and rate, nothing that widens what a session may do', () => {
    expect([...CEILING_CODES].sort()).toEqual(['exceeds_binding_max_duration', 'exceeds_binding_rate_limit']);
  });
});

describe('federationBoundaryProblems', () => {
  it('covers wildcards only with wildcards of the boundary', () => {
    const boundary = ['arn:aws:s3:::bucket/acme/*'];
    const doc = federationDoc([allow(['arn:aws:s3:::bucket/acme/a?c', 'arn:aws:s3:::bucket/acm?/x', 'arn:aws:s3:::bucket/*'])]);
    expect(federationBoundaryProblems(doc, 'acme', boundary).map((p) => p.path)).toEqual([
      '$.statements[0].Resource[1]',
      '$.statements[0].Resource[2]',
    ]);
  });

  it("is not thrown off by condition keys {{partnerId}} would merge with a literal '*' key (red team: was a 500 at PUT)", () => {
    const statement: IamStatement = {
      ...allow('arn:aws:s3:::bucket/acme/{{partnerId}}/*'),
      Condition: { StringLike: { 'aws:PrincipalTag/{{partnerId}}': 'a', 'aws:PrincipalTag/*': 'b' } },
    };
    expect(federationBoundaryProblems(federationDoc([statement]), 'acme', ['arn:aws:s3:::bucket/acme/*'])).toEqual([]);
    expect(federationBoundaryProblems(federationDoc([statement]), 'acme', ['arn:aws:s3:::bucket/acme/p1/*'])).toEqual([
      expect.objectContaining({ path: '$.statements[0].Resource', code: 'outside_federation_boundary' }),
    ]);
  });
});

describe('effectiveRateLimit', () => {
  it.each<[number | undefined, number | undefined, number | undefined]>([
    [undefined, undefined, undefined],
    [10, undefined, 10],
    [undefined, 50, 50],
    [10, 50, 10],
    [80, 50, 50],
  ])('policy %p, binding %p -> %p', (policy, ceiling, expected) => {
    const doc = policyDocument(policy === undefined ? {} : { rateLimit: { perMinute: policy } });
    expect(effectiveRateLimit(doc, binding(ceiling === undefined ? {} : { maxIssuancesPerMinute: ceiling }))).toBe(expected);
  });
});
