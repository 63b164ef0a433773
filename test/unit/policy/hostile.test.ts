// Property tests: hostile template values and scopes can never change what the session policy grants, and
// a request's sessionName never reaches the policy at all (it only names the session, after a fixed prefix).
// The expected rendering is built independently of render.ts, from the same template parts.
import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { AppError, ForbiddenError } from '../../../lib/core/errors';
import type { IamStatement, Mode } from '../../../lib/core/model';
import { type Placeholder, RenderedKeyCollisionError, renderStatements, type TemplateValues } from '../../../lib/policy/render';
import { assertScopeCovered, buildSessionPolicy, type Scope } from '../../../lib/policy/session';
import { type IssueRequest, issueCredentials } from '../../../lib/vend/issue';
import { federationName, roleSessionName } from '../../../lib/vend/principal-names';
import { bounded } from '../../support/property';
import {
  binding,
  FakeDirectory,
  FakeLedger,
  FakeSts,
  NO_MFA,
  PARTNER_ID,
  policyDocument,
  TENANT_ID,
  tenant,
  tenantPolicy,
} from '../issuance-fakes';

const RUNS = 1000;

type Part = string | { ph: Placeholder; spaced?: boolean };
type Join = (...parts: Part[]) => string;
const ph = (name: Placeholder, spaced = false): Part => ({ ph: name, spaced });

const asTemplate: Join = (...parts) => parts.map((p) => (typeof p === 'string' ? p : p.spaced ? `{{ ${p.ph} }}` : `{{${p.ph}}}`)).join('');
const withValues =
  (values: TemplateValues): Join =>
  (...parts) =>
    parts.map((p) => (typeof p === 'string' ? p : values[p.ph])).join('');

/** The tenant's statements, written once: as a template (asTemplate) or as their expected rendering (withValues). */
function tenantStatements(j: Join): IamStatement[] {
  return [
    {
      Sid: 'Objects',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject'],
      Resource: [
        j('arn:aws:s3:::data/', ph('tenantId'), '/', ph('partnerId'), '/', ph('partnerId', true), '/*'),
        j('arn:aws:s3:::home/${aws:username}/', ph('partnerId', true)),
      ],
      Condition: {
        StringEquals: {
          [j('aws:ResourceTag/', ph('partnerId'))]: [j(ph('partnerId')), j('${aws:PrincipalTag/team}')],
          [j('aws:PrincipalTag/', ph('tenantId'))]: j(ph('partnerId')),
        },
        Bool: { 'aws:SecureTransport': true },
        NumericLessThanEquals: { 's3:max-keys': 100 },
      },
    },
    {
      Effect: 'Allow',
      Action: 's3:*',
      Resource: '*',
      Condition: { StringLike: { 's3:prefix': [j(ph('partnerId'), '/*'), j('${aws:username}/${*}')] } },
    },
    { Sid: 'Own', Effect: 'Allow', Action: '*', Resource: j('arn:aws:s3:::', ph('tenantId'), '-*') },
    {
      Effect: 'Deny',
      NotAction: ['s3:*', 'sts:GetCallerIdentity'],
      NotResource: j('arn:aws:s3:::', ph('tenantId'), '-*/', ph('partnerId'), '{tenantId}{{tenant-id}}'),
    },
    { Sid: 'NoIam', Effect: 'Deny', Action: 'iam:*', Resource: '*' },
  ];
}

const TEMPLATE = tenantStatements(asTemplate);

/** Strings built to break out of JSON, templates and IAM variables, plus unicode and control characters. */
const NASTY = [
  '"',
  '"}',
  '"]}',
  "'",
  '\\',
  '\\"',
  '"},{"Effect":"Allow","Action":"*","Resource":"*"},{"x":"',
  '${aws:username}',
  '${',
  '}',
  '$',
  '{{tenantId}}',
  '{{ partnerId }}',
  '{{sessionName}}',
  '{{unknown}}',
  '{{}}',
  '{{',
  '}}',
  '*',
  '?',
  '$&',
  "$'",
  '$`',
  '$1',
  '$$',
  '\u0000',
  '\u0001',
  '\u001f',
  '\u007f',
  '\n',
  '\r',
  '\t',
  '\b',
  '\u2028',
  '\u2029',
  '\ud800',
  '\udfff',
  '😀',
  'é',
  'ÿ',
  'Ā',
  '\ufeff',
  '\u202e',
  '__proto__',
  'constructor',
  'Effect',
];
const nastyPiece = fc.oneof(fc.constantFrom(...NASTY), fc.string({ unit: 'binary', maxLength: 6 }));
const hostile = fc.oneof(
  { weight: 5, arbitrary: fc.array(nastyPiece, { minLength: 1, maxLength: 10 }).map((p) => p.join('')) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 80 }) },
  // Very long: repeated breakout attempts up to ~20k characters.
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...NASTY), fc.integer({ min: 100, max: 2000 })).map(([s, n]) => s.repeat(n)) },
);
/** Hostile values that sometimes fall inside the tenant's patterns, so the covered path is exercised too. */
const scopeEntry = fc.tuple(fc.constantFrom('', '', 's3:', `arn:aws:s3:::${TENANT_ID}-`), hostile).map(([a, b]) => a + b);
const hostileScope: fc.Arbitrary<Scope | undefined> = fc.option(
  fc.record({ actions: fc.array(scopeEntry, { maxLength: 4 }), resources: fc.array(scopeEntry, { maxLength: 4 }) }, { requiredKeys: [] }),
  { nil: undefined },
);

/** Template values with a hostile partner id: credvend validates ids, but rendering must not depend on it. */
const baseValues = (partnerId: string): TemplateValues => ({ tenantId: TENANT_ID, partnerId });

/**
 * (a) valid JSON: the tenant's rendered statements first and unchanged, then Deny statements only (the scope's);
 * (b)(c)(d) the rendered statements equal the independent rendering: same keys, arrays, Effects, and each value
 * inserted literally (never re-expanded), IAM ${…} variables untouched.
 */
function expectSafePolicy(policyText: string, values: TemplateValues, scope: Scope | undefined) {
  const policy = JSON.parse(policyText) as { Version: string; Statement: IamStatement[] };
  expect(Object.keys(policy)).toEqual(['Version', 'Statement']);
  expect(policy.Version).toBe('2012-10-17');
  const tenantPart = policy.Statement.slice(0, TEMPLATE.length);
  const added = policy.Statement.slice(TEMPLATE.length);

  expect(tenantPart).toStrictEqual(tenantStatements(withValues(values)));
  expect(tenantPart.map((s) => s.Effect)).toEqual(TEMPLATE.map((s) => s.Effect));
  expect(tenantPart.map((s) => Object.keys(s))).toEqual(TEMPLATE.map((s) => Object.keys(s)));
  // (c) + (d), spelled out on the leaves that hold the partner id and the IAM variables.
  const objects = tenantPart[0]!;
  expect((objects.Resource as string[])[1]).toBe(`arn:aws:s3:::home/\${aws:username}/${values.partnerId}`);
  expect(objects.Condition!.StringEquals![`aws:ResourceTag/${values.partnerId}`]).toEqual([values.partnerId, '${aws:PrincipalTag/team}']);

  const expectedAdded: IamStatement[] = [];
  if (scope?.actions?.length) expectedAdded.push({ Sid: 'CredvendScopeActions', Effect: 'Deny', NotAction: scope.actions, Resource: '*' });
  if (scope?.resources?.length)
    expectedAdded.push({ Sid: 'CredvendScopeResources', Effect: 'Deny', Action: '*', NotResource: scope.resources });
  expect(added).toStrictEqual(expectedAdded);
  for (const statement of added) expect(statement.Effect).toBe('Deny');
  // Whatever the scope said, the Allow statements are exactly the tenant's.
  expect(policy.Statement.filter((s) => s.Effect === 'Allow')).toStrictEqual(
    tenantStatements(withValues(values)).filter((s) => s.Effect === 'Allow'),
  );
}

describe('session policy from hostile values (render + assertScopeCovered + buildSessionPolicy)', () => {
  it('never grants more than the tenant policy, never lets a value out of its string', () => {
    let built = 0;
    let refused = 0;
    fc.assert(
      fc.property(hostile, hostileScope, (partnerId, scope) => {
        const values = baseValues(partnerId);
        const rendered = renderStatements(TEMPLATE, values);
        if (scope) {
          try {
            assertScopeCovered(rendered, scope);
          } catch (err) {
            expect(err).toBeInstanceOf(ForbiddenError);
            expect((err as ForbiddenError).code).toBe('scope_not_allowed');
            refused++;
            return;
          }
        }
        built++;
        expectSafePolicy(JSON.stringify(buildSessionPolicy(rendered, scope)), values, scope);
      }),
      { numRuns: RUNS, ...bounded() },
    );
    expect(built).toBeGreaterThan(RUNS / 4);
    expect(refused).toBeGreaterThan(0);
  });

  it('keeps placeholder-looking values literal', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(
          '{{tenantId}}',
          '{{ partnerId }}',
          '{{sessionName}}',
          '{{nope}}',
          '{{}}',
          '${aws:username}',
          '{{tenantId}}{{partnerId}}',
        ),
        fc.constantFrom('', 'x', '"}'),
        (placeholderLike, suffix) => {
          const partnerId = placeholderLike + suffix;
          const [objects] = renderStatements(TEMPLATE, baseValues(partnerId));
          expect((objects!.Resource as string[])[0]).toBe(`arn:aws:s3:::data/${TENANT_ID}/${partnerId}/${partnerId}/*`);
        },
      ),
      { numRuns: RUNS, ...bounded() },
    );
  });

  it('passes IAM ${…} variables in templates through untouched, whatever the values', () => {
    fc.assert(
      fc.property(hostile, (partnerId) => {
        const text = JSON.stringify(renderStatements(TEMPLATE, baseValues(partnerId)));
        const parsed = JSON.parse(text) as IamStatement[];
        expect(parsed[1]!.Condition!.StringLike!['s3:prefix']).toEqual([`${partnerId}/*`, '${aws:username}/${*}']);
      }),
      { numRuns: RUNS, ...bounded() },
    );
  });
});

describe('session policy from hostile values (issueCredentials, policy captured at the STS port)', () => {
  // Suffixes STS accepts after the fixed prefix (so the policy reaches the port) mixed with hostile ones (refused with 422 first).
  const stsValidName = fc.stringMatching(/^[\w+=,.@-]{1,5}$/);
  const sessionNameArb = fc.oneof(stsValidName, hostile, fc.constant(undefined));

  it('sends STS only tenant statements (rendered for the caller, whatever the session name) plus Deny, or refuses before STS', async () => {
    let sent = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(
        sessionNameArb,
        hostileScope,
        fc.constantFrom<Mode>('assume-role', 'federation'),
        async (sessionName, scope, mode) => {
          const directory = new FakeDirectory();
          directory.context.policy = tenantPolicy(policyDocument({ statements: TEMPLATE, sessionTags: { owner: '{{partnerId}}' } }));
          // A boundary that holds the template's Resource "*", so federation gets as far as STS too.
          directory.context.tenant = tenant({ binding: binding({ federation: { resourceBoundary: ['*'] } }) });
          const ledger = new FakeLedger();
          const sts = new FakeSts();
          const request: IssueRequest = { mode, ...(sessionName !== undefined && { sessionName }), ...(scope && { scope }) };
          const caller = { kind: 'partner' as const, keyId: 'pk-aaaaaaaaaaaaaaaa', tenantId: TENANT_ID, partnerId: PARTNER_ID };
          const deps = {
            directory,
            ledger,
            sts,
            now: () => new Date('2026-03-04T05:06:07.000Z'),
            newId: () => '0123abcd-4567-89ef-0123-456789abcdef',
            mfa: NO_MFA,
          };
          let outcome: Awaited<ReturnType<typeof issueCredentials>> | undefined;
          try {
            outcome = await issueCredentials(deps, { caller, requestId: 'r', sourceIp: '203.0.113.9', userAgent: 'ua' }, request);
          } catch (err) {
            expect(err).toBeInstanceOf(AppError);
            expect([403, 422]).toContain((err as AppError).statusCode);
            expect(['scope_not_allowed', 'sts_limit_exceeded']).toContain((err as AppError).code);
            expect(sts.calls).toBe(0);
            expect(ledger.records).toHaveLength(0);
            refused++;
            return;
          }
          sent++;
          const policyText = sts.onlyPolicy;
          const sent1 = mode === 'federation' ? sts.federation[0]! : sts.assumeRoles[0]!;
          const effectiveName = 'name' in sent1 ? sent1.name : sent1.roleSessionName;
          // The session name is a suffix after the caller's fixed prefix, and never part of the policy.
          expect(effectiveName).toBe(
            mode === 'federation'
              ? federationName(TENANT_ID, PARTNER_ID, sessionName)
              : roleSessionName(TENANT_ID, PARTNER_ID, sessionName ?? '0123abcd'),
          );
          expectSafePolicy(policyText, baseValues(PARTNER_ID), scope);
          expect(sent1.tags).toEqual({ owner: PARTNER_ID, tenant: TENANT_ID, partner: PARTNER_ID });
          expect(outcome.record.policySha256).toBe(createHash('sha256').update(policyText, 'utf8').digest('hex'));
          expect(ledger.records).toHaveLength(1);
        },
      ),
      { numRuns: RUNS, ...bounded() },
    );
    expect(sent).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });
});

describe('templated keys', () => {
  // A condition key that embeds {{partnerId}} next to a literal sibling: the tenant names its partners.
  const statements: IamStatement[] = [
    {
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: '*',
      Condition: { StringEquals: { 'aws:ResourceTag/team': '{{partnerId}}', 'aws:ResourceTag/{{partnerId}}': 'public' } },
    },
  ];

  function issueAs(partnerId: string, request: IssueRequest) {
    const directory = new FakeDirectory();
    directory.context.policy = tenantPolicy(policyDocument({ statements }));
    const sts = new FakeSts();
    const ledger = new FakeLedger();
    const caller = { kind: 'partner' as const, keyId: 'pk-aaaaaaaaaaaaaaaa', tenantId: TENANT_ID, partnerId };
    const deps = { directory, ledger, sts, now: () => new Date(), newId: () => '0123abcd-4567-89ef-0123-456789abcdef', mfa: NO_MFA };
    const ctx = { caller, requestId: 'r', sourceIp: '', userAgent: '' };
    return { sts, ledger, issued: issueCredentials(deps, ctx, request) };
  }

  it('a partner id that would make a rendered key swallow a sibling is refused before STS (422 policy_key_collision)', async () => {
    // "team" is a valid partner id, but renders both keys to "aws:ResourceTag/team": one condition would vanish.
    const { sts, ledger, issued } = issueAs('team', {});
    await expect(issued).rejects.toMatchObject({
      statusCode: 422,
      code: 'policy_key_collision',
      details: [{ path: '$.statements', message: 'Two policy keys render to the same name "aws:ResourceTag/team"' }],
    });
    expect(sts.calls).toBe(0);
    expect(ledger.records).toEqual([]);
  });

  it('a session name cannot cause a collision: it is never rendered', async () => {
    const { sts, issued } = issueAs(PARTNER_ID, { sessionName: 'team' });
    await issued;
    const sent = JSON.parse(sts.onlyPolicy) as { Statement: IamStatement[] };
    expect(sent.Statement[0]!.Condition!.StringEquals).toEqual({
      'aws:ResourceTag/team': PARTNER_ID,
      [`aws:ResourceTag/${PARTNER_ID}`]: 'public',
    });
  });

  it('never lets any value drop a key: either every key survives or the rendering is refused', async () => {
    const siblings = ['team', 'Team', 'team ', 'tea', 'teamx', '', 'aws:ResourceTag/team'];
    let collisions = 0;
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom(...siblings), hostile), (partnerId) => {
        let rendered: IamStatement[];
        try {
          rendered = renderStatements(statements, baseValues(partnerId));
        } catch (err) {
          expect(err).toBeInstanceOf(RenderedKeyCollisionError);
          expect(partnerId).toBe('team');
          collisions++;
          return;
        }
        expect(Object.keys(rendered[0]!.Condition!.StringEquals!)).toHaveLength(2);
      }),
      { numRuns: RUNS, ...bounded() },
    );
    expect(collisions).toBeGreaterThan(0);
  });
});
