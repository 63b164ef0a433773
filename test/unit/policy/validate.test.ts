import { describe, expect, it } from '@jest/globals';
import type * as z from 'zod/mini';
import type { TenantPolicyDocument } from '../../../lib/core/model';
import { TenantPolicyDocumentSchema, validatePolicyDocument, worstCaseSessionPolicyLength } from '../../../lib/policy/validate';
import { DEMO_ROLE } from '../../../local/seed';
import { validPolicyFixture } from '../../fixtures/policies';

// Compile-time: the schema's type is usable wherever the model's document is expected.
const schemaTypeFitsModel = (doc: z.infer<typeof TenantPolicyDocumentSchema>): TenantPolicyDocument => doc;
void schemaTypeFitsModel;

/** Tests build deliberately broken documents, so the mutable copy is untyped. */
type Loose = any;

function variant(change: (doc: Loose) => void): unknown {
  const doc: Loose = validPolicyFixture();
  change(doc);
  return doc;
}

function problemsOf(input: unknown): { path: string; code: string }[] {
  const result = validatePolicyDocument(input);
  return result.ok ? [] : result.problems.map(({ path, code }) => ({ path, code }));
}

const ARN_OF = (path: string) => `arn:aws:s3:::demo-bucket/${path}`;
const ROLE = "$.modes['assume-role']";

/** A document with every feature in use, all valid. */
function fullPolicy(): TenantPolicyDocument {
  return {
    defaultMode: 'federation',
    modes: {
      'assume-role': { role: 'team-app-2', defaultDurationSeconds: 900, maxDurationSeconds: 43_200 },
      federation: { defaultDurationSeconds: 3600, maxDurationSeconds: 129_600 },
    },
    statements: [
      {
        Sid: 'TenantObjects1',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:Put*', 's3:List?ucket'],
        Resource: [ARN_OF('{{tenantId}}/{{partnerId}}/*'), ARN_OF('{{ partnerId }}/${aws:username}/*')],
        Condition: {
          StringLike: { 's3:prefix': ['{{tenantId}}/*', '${aws:userid}/*'] },
          'ForAnyValue:StringEquals': { 'aws:TagKeys': ['team', 'project'] },
          'ForAllValues:StringLikeIfExists': { 'aws:PrincipalTag/{{tenantId}}': 'é-*' },
          Bool: { 'aws:SecureTransport': true },
          NumericLessThan: { 's3:max-keys': 1000 },
          DateGreaterThan: { 'aws:CurrentTime': '2026-01-01T00:00:00Z' },
          IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '192.0.2.0/24'] },
          ArnLike: { 'aws:SourceArn': 'arn:aws:lambda:*:123456789012:function:{{partnerId}}-*' },
          Null: { 'aws:TokenIssueTime': 'false' },
        },
      },
      { Effect: 'Deny', NotAction: 's3:*', NotResource: ['arn:aws:s3:::demo-bucket', ARN_OF('*')] },
      { Effect: 'Allow', Action: '*', Resource: 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders-{{tenantId}}' },
      { Effect: 'Allow', Action: 'execute-api:Invoke', Resource: 'arn:aws-cn:execute-api:*:*:abc123/*/GET/*' },
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' },
    ],
    managedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess', 'arn:aws:iam::123456789012:policy/team/partner-boundary'],
    sessionTags: { project: 'demo', Owner: '{{tenantId}}:{{partnerId}}', 'cost-center': '', Kostenstelle: 'Büro 7 Ü' },
    rateLimit: { perMinute: 100_000 },
  };
}

describe('validatePolicyDocument: valid documents', () => {
  it('accepts the shared fixture, which is the documented demo policy', () => {
    const fixture = validPolicyFixture();
    // The role by its name in the binding: the ARN, its MaxSessionDuration and the external ID are the operator's.
    expect(fixture.modes['assume-role']).toEqual({ role: DEMO_ROLE, defaultDurationSeconds: 900, maxDurationSeconds: 3600 });
    expect(fixture.modes.federation).toEqual({ defaultDurationSeconds: 900, maxDurationSeconds: 7200 });
    expect(validatePolicyDocument(fixture)).toEqual({ ok: true, document: fixture, problems: [] });
  });

  it('accepts a document using both modes, templates, IAM variables, conditions, tags and managed policies', () => {
    const doc = fullPolicy();
    expect(validatePolicyDocument(doc)).toEqual({ ok: true, document: doc, problems: [] });
  });

  it('is the same schema other code can parse with', () => {
    expect(TenantPolicyDocumentSchema.safeParse(fullPolicy()).success).toBe(true);
    expect(TenantPolicyDocumentSchema.safeParse(variant((d) => (d.statements = []))).success).toBe(false);
  });
});

describe('rule 1: structure', () => {
  it('rejects unknown fields at every level', () => {
    const doc = variant((d) => {
      d.owner = 'me';
      d.statements[0].Principal = '*';
      d.modes.federation.name = 'x';
    });
    expect(problemsOf(doc)).toEqual([
      { path: '$.modes.federation.name', code: 'unknown_field' },
      { path: '$.statements[0].Principal', code: 'unknown_field' },
      { path: '$.owner', code: 'unknown_field' },
    ]);
  });

  it('names missing required fields', () => {
    expect(problemsOf(variant((d) => delete d.statements[1].Effect))).toEqual([{ path: '$.statements[1].Effect', code: 'missing_field' }]);
    expect(problemsOf(variant((d) => delete d.modes['assume-role'].role))).toEqual([{ path: `${ROLE}.role`, code: 'missing_field' }]);
  });

  it('rejects values of the wrong type', () => {
    expect(problemsOf(variant((d) => (d.modes.federation.maxDurationSeconds = '7200')))).toEqual([
      { path: '$.modes.federation.maxDurationSeconds', code: 'invalid_type' },
    ]);
    expect(problemsOf(variant((d) => (d.modes['assume-role'].role = 7)))).toEqual([{ path: `${ROLE}.role`, code: 'invalid_type' }]);
    expect(problemsOf(null)).toEqual([{ path: '$', code: 'invalid_type' }]);
    expect(problemsOf([])).toEqual([{ path: '$', code: 'invalid_type' }]);
  });

  it('rejects an unknown defaultMode', () => {
    expect(problemsOf(variant((d) => (d.defaultMode = 'web-identity')))).toEqual([{ path: '$.defaultMode', code: 'invalid_value' }]);
  });
});

describe('rule 2: IAM statement grammar', () => {
  it('needs Effect Allow or Deny', () => {
    expect(problemsOf(variant((d) => (d.statements[0].Effect = 'allow')))).toEqual([
      { path: '$.statements[0].Effect', code: 'invalid_value' },
    ]);
  });

  it('needs exactly one of Action and NotAction', () => {
    expect(problemsOf(variant((d) => delete d.statements[0].Action))).toEqual([{ path: '$.statements[0]', code: 'missing_action' }]);
    expect(problemsOf(variant((d) => (d.statements[0].NotAction = 's3:DeleteObject')))).toEqual([
      { path: '$.statements[0]', code: 'action_and_not_action' },
    ]);
  });

  it('needs exactly one of Resource and NotResource', () => {
    expect(problemsOf(variant((d) => delete d.statements[1].Resource))).toEqual([{ path: '$.statements[1]', code: 'missing_resource' }]);
    expect(problemsOf(variant((d) => (d.statements[1].NotResource = '*')))).toEqual([
      { path: '$.statements[1]', code: 'resource_and_not_resource' },
    ]);
  });

  it('takes a string or a non-empty array of strings', () => {
    expect(problemsOf(variant((d) => (d.statements[0].Action = [])))).toEqual([{ path: '$.statements[0].Action', code: 'empty_list' }]);
    expect(problemsOf(variant((d) => (d.statements[0].Resource = 42)))).toEqual([
      { path: '$.statements[0].Resource', code: 'invalid_type' },
    ]);
    expect(problemsOf(variant((d) => (d.statements[0].Action = ['s3:GetObject', 7])))).toEqual([
      { path: '$.statements[0].Action[1]', code: 'invalid_type' },
    ]);
  });

  it('allows only letters and digits in Sid, each Sid once', () => {
    expect(problemsOf(variant((d) => (d.statements[0].Sid = 'Partner-Objects')))).toEqual([
      { path: '$.statements[0].Sid', code: 'invalid_sid' },
    ]);
    expect(problemsOf(variant((d) => (d.statements[1].Sid = 'PartnerObjects')))).toEqual([
      { path: '$.statements[1].Sid', code: 'duplicate_sid' },
    ]);
  });

  it('needs Condition as { Operator: { key: value | values } }', () => {
    expect(problemsOf(variant((d) => (d.statements[1].Condition.StringLike = 's3:prefix')))).toEqual([
      { path: '$.statements[1].Condition.StringLike', code: 'invalid_type' },
    ]);
    expect(problemsOf(variant((d) => (d.statements[1].Condition.StringLike['s3:prefix'] = { a: 'b' })))).toEqual([
      { path: "$.statements[1].Condition.StringLike['s3:prefix']", code: 'invalid_type' },
    ]);
    expect(problemsOf(variant((d) => (d.statements[1].Condition.StringLike['s3:prefix'] = [])))).toEqual([
      { path: "$.statements[1].Condition.StringLike['s3:prefix']", code: 'empty_list' },
    ]);
  });

  it.each([
    ['StringLikes', '.StringLikes'],
    ['stringLike', '.stringLike'],
    ['StringLikeIfExist', '.StringLikeIfExist'],
    ['NullIfExists', '.NullIfExists'],
    ['ForSomeValues:StringLike', "['ForSomeValues:StringLike']"],
    ['ForAnyValue:', "['ForAnyValue:']"],
  ])('rejects the unknown condition operator %s', (operator, pathSuffix) => {
    const doc = variant((d) => {
      d.statements[1].Condition = { [operator]: { 's3:prefix': 'a/*' } };
    });
    expect(problemsOf(doc)).toEqual([{ path: `$.statements[1].Condition${pathSuffix}`, code: 'unknown_condition_operator' }]);
  });

  it('needs at least one statement', () => {
    expect(problemsOf(variant((d) => (d.statements = [])))).toEqual([{ path: '$.statements', code: 'no_statements' }]);
  });
});

describe('rule 3: action syntax', () => {
  it.each(['s3', 's3:', ':GetObject', 'S3:GetObject', 's3:Get-Object', 's3:Get Object', 's3:*:x', '**', 's3_x:Get'])(
    'rejects the action %j',
    (action) => {
      expect(problemsOf(variant((d) => (d.statements[0].Action = ['s3:GetObject', action])))).toEqual([
        { path: '$.statements[0].Action[1]', code: 'invalid_action' },
      ]);
    },
  );

  it('rejects an invalid action under NotAction too', () => {
    const doc = variant((d) => {
      delete d.statements[0].Action;
      d.statements[0].NotAction = 'iam';
    });
    expect(problemsOf(doc)).toEqual([{ path: '$.statements[0].NotAction', code: 'invalid_action' }]);
  });
});

describe('rule 4: resource ARN syntax', () => {
  it.each([
    'demo-bucket/*',
    'arn:aws:s3:::',
    'arn:aws:s3',
    'arn:aws-eu:s3:::b',
    'arn:aws:S3:::b',
    'arn::s3:::b',
    'arn:aws:ec2:us-east-1:12345678901x:instance/*',
    'arn:aws:ec2:US-EAST-1:123456789012:instance/*',
    'arn:{{partnerId}}:s3:::b',
  ])('rejects the resource %j', (resource) => {
    expect(problemsOf(variant((d) => (d.statements[0].Resource = [ARN_OF('*'), resource])))).toEqual([
      { path: '$.statements[0].Resource[1]', code: 'invalid_arn' },
    ]);
  });

  it('accepts wildcards, empty region/account, placeholders and IAM variables', () => {
    const resources = [
      '*',
      'arn:aws:ec2:*:*:instance/*',
      'arn:aws:ec2:us-east-?:1234567890??:volume/*',
      'arn:aws:sqs:${aws:RequestedRegion}:${aws:PrincipalAccount}:queue-{{tenantId}}',
      'arn:aws:iam::aws:policy/ReadOnlyAccess',
      'arn:aws:s3:::b/${aws:username}/{{ partnerId }}/*',
    ];
    expect(problemsOf(variant((d) => (d.statements[0].Resource = resources)))).toEqual([]);
  });

  it('rejects an invalid NotResource', () => {
    const doc = variant((d) => {
      d.statements[0].Effect = 'Deny';
      delete d.statements[0].Resource;
      d.statements[0].NotResource = 'demo-bucket';
    });
    expect(problemsOf(doc)).toEqual([{ path: '$.statements[0].NotResource', code: 'invalid_arn' }]);
  });
});

describe('rule 5: template placeholders', () => {
  it('rejects an unknown placeholder anywhere in the statements', () => {
    const doc = variant((d) => {
      d.statements[0].Resource = ARN_OF('{{tenant}}/*');
      d.statements[1].Condition.StringLike['s3:prefix'] = ['{{tenantId}}/{{userName}}/*'];
      d.statements[1].Condition.StringLike['aws:PrincipalTag/{{team}}'] = 'x';
    });
    expect(problemsOf(doc)).toEqual([
      { path: '$.statements[0].Resource', code: 'unknown_placeholder' },
      { path: "$.statements[1].Condition.StringLike['s3:prefix'][0]", code: 'unknown_placeholder' },
      { path: "$.statements[1].Condition.StringLike['aws:PrincipalTag/{{team}}']", code: 'unknown_placeholder' },
    ]);
  });

  // {{sessionName}} was a placeholder once: nothing a caller types may be rendered into a policy.
  it('rejects the withdrawn {{sessionName}} placeholder in statements, condition keys and tag values', () => {
    const doc = variant((d) => {
      d.statements[0].Resource = ARN_OF('{{tenantId}}/{{sessionName}}/*');
      d.statements[1].Condition.StringLike['aws:PrincipalTag/{{ sessionName }}'] = 'x';
      d.sessionTags = { session: '{{sessionName}}' };
    });
    expect(problemsOf(doc)).toEqual([
      { path: '$.statements[0].Resource', code: 'unknown_placeholder' },
      { path: "$.statements[1].Condition.StringLike['aws:PrincipalTag/{{ sessionName }}']", code: 'unknown_placeholder' },
      { path: '$.sessionTags.session', code: 'unknown_placeholder' },
    ]);
    const result = validatePolicyDocument(variant((d) => (d.statements[0].Resource = ARN_OF('{{sessionName}}/*'))));
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([expect.objectContaining({ message: expect.stringContaining('{{sessionName}}') })]);
  });

  it('rejects an unknown placeholder in a session tag value', () => {
    expect(problemsOf(variant((d) => (d.sessionTags = { team: '{{team}}' })))).toEqual([
      { path: '$.sessionTags.team', code: 'unknown_placeholder' },
    ]);
  });

  it.each([ARN_OF('{{tenantId}/*'), ARN_OF('{tenantId}}/*'), ARN_OF('{{tenant-id}}/*'), ARN_OF('{{{{tenantId}}}}')])(
    'rejects the malformed placeholder in %j',
    (resource) => {
      expect(problemsOf(variant((d) => (d.statements[0].Resource = resource)))).toEqual([
        { path: '$.statements[0].Resource', code: 'malformed_placeholder' },
      ]);
    },
  );

  it('rejects a lone brace pair in a tag value', () => {
    expect(problemsOf(variant((d) => (d.sessionTags = { team: 'a{{b' })))).toEqual([
      { path: '$.sessionTags.team', code: 'malformed_placeholder' },
      // The braces stay in the rendered value, where STS does not allow them either.
      { path: '$.sessionTags.team', code: 'invalid_tag_value' },
    ]);
  });
});

describe('rule 6: policy characters', () => {
  it('rejects characters outside \\t \\n \\r \\x20-\\xFF in statements, keys included', () => {
    const doc = variant((d) => {
      d.statements[0].Resource = ARN_OF('caf\u0113/*');
      d.statements[1].Condition.StringLike['s3:prefix'] = 'a\u0000b';
      d.statements[1].Condition.StringLike['s3:\u2028'] = 'a';
    });
    expect(problemsOf(doc)).toEqual([
      { path: '$.statements[0].Resource', code: 'invalid_characters' },
      { path: "$.statements[1].Condition.StringLike['s3:prefix']", code: 'invalid_characters' },
      { path: "$.statements[1].Condition.StringLike['s3:\u2028']", code: 'invalid_characters' },
    ]);
  });

  it('accepts tab, newline and Latin-1 characters', () => {
    expect(problemsOf(variant((d) => (d.statements[1].Condition.StringLike['s3:prefix'] = 'caf\u00e9\t\n\r\u00ff/*')))).toEqual([]);
  });
});

describe('rule 7: modes and durations', () => {
  it('needs at least one mode', () => {
    expect(problemsOf(variant((d) => (d.modes = {})))).toEqual([
      { path: '$.modes', code: 'no_modes' },
      { path: '$.defaultMode', code: 'default_mode_not_configured' },
    ]);
  });

  it('needs the default mode configured', () => {
    expect(problemsOf(variant((d) => delete d.modes['assume-role']))).toEqual([
      { path: '$.defaultMode', code: 'default_mode_not_configured' },
    ]);
  });

  it('keeps federation durations within 900-129600', () => {
    const doc = variant((d) => (d.modes.federation = { defaultDurationSeconds: 899, maxDurationSeconds: 129_601 }));
    expect(problemsOf(doc)).toEqual([
      { path: '$.modes.federation.defaultDurationSeconds', code: 'duration_out_of_range' },
      { path: '$.modes.federation.maxDurationSeconds', code: 'duration_out_of_range' },
    ]);
    const edges = variant((d) => (d.modes.federation = { defaultDurationSeconds: 900, maxDurationSeconds: 129_600 }));
    expect(problemsOf(edges)).toEqual([]);
  });

  it('keeps assume-role durations within 900-43200', () => {
    const doc = variant((d) => {
      d.modes['assume-role'].defaultDurationSeconds = 899;
      d.modes['assume-role'].maxDurationSeconds = 43_201;
    });
    expect(problemsOf(doc)).toEqual([
      { path: `${ROLE}.defaultDurationSeconds`, code: 'duration_out_of_range' },
      { path: `${ROLE}.maxDurationSeconds`, code: 'duration_out_of_range' },
    ]);
  });

  it("leaves the role's MaxSessionDuration to the binding (bindingProblems), so any maximum up to 43200 is valid here", () => {
    expect(problemsOf(variant((d) => (d.modes['assume-role'].maxDurationSeconds = 43_200)))).toEqual([]);
  });

  it('keeps the default duration at most the maximum', () => {
    expect(problemsOf(variant((d) => (d.modes.federation.defaultDurationSeconds = 7201)))).toEqual([
      { path: '$.modes.federation.defaultDurationSeconds', code: 'default_exceeds_max' },
    ]);
    expect(problemsOf(variant((d) => (d.modes.federation.defaultDurationSeconds = 7200)))).toEqual([]);
  });

  it('takes whole seconds only', () => {
    expect(problemsOf(variant((d) => (d.modes['assume-role'].defaultDurationSeconds = 900.5)))).toEqual([
      { path: `${ROLE}.defaultDurationSeconds`, code: 'not_integer' },
    ]);
  });
});

describe('rule 8: the role by name; what the binding owns', () => {
  it.each([
    'arn:aws:iam::123456789012:role/demo',
    'Demo',
    'de',
    'r'.repeat(33),
    '-demo',
    'demo-',
    'demo_role',
    'demo.role',
    '{{tenantId}}',
    '',
  ])('rejects the role name %j', (role) => {
    expect(problemsOf(variant((d) => (d.modes['assume-role'].role = role)))).toEqual([{ path: `${ROLE}.role`, code: 'invalid_role_name' }]);
  });

  it.each(['abc', 'r'.repeat(32), 'team-app-2', '0default'])('accepts the role name %j', (role) => {
    expect(problemsOf(variant((d) => (d.modes['assume-role'].role = role)))).toEqual([]);
  });

  it.each<[string, unknown]>([
    ['roleArn', 'arn:aws:iam::123456789012:role/credvend/other-tenant'],
    ['externalId', 'cv-abcdefghijklmnopqrstuvwxyz234567'],
    ['roleMaxSessionDuration', 43_200],
    ['sessionTags', false],
  ])('refuses %s under assume-role as owned_by_operator, naming the field', (field, value) => {
    const result = validatePolicyDocument(variant((d) => (d.modes['assume-role'][field] = value)));
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([{ path: `${ROLE}.${field}`, code: 'owned_by_operator', message: expect.stringContaining(field) }]);
    expect(result.problems[0]!.message).toMatch(/binding/);
  });

  it('refuses a pre-binding assume-role section (ARN instead of a role name) field by field', () => {
    const old = variant((d) => {
      d.modes['assume-role'] = {
        roleArn: 'arn:aws:iam::123456789012:role/demo',
        externalId: 'ext-1',
        roleMaxSessionDuration: 14_400,
        defaultDurationSeconds: 900,
        maxDurationSeconds: 3600,
      };
    });
    expect(problemsOf(old)).toEqual([
      { path: `${ROLE}.role`, code: 'missing_field' },
      { path: `${ROLE}.roleArn`, code: 'owned_by_operator' },
      { path: `${ROLE}.externalId`, code: 'owned_by_operator' },
      { path: `${ROLE}.roleMaxSessionDuration`, code: 'owned_by_operator' },
    ]);
  });
});

describe('rule 9: managed policy ARNs', () => {
  it('allows at most 10', () => {
    const arns = Array.from({ length: 11 }, (_, i) => `arn:aws:iam::123456789012:policy/p${i}`);
    expect(problemsOf(variant((d) => (d.managedPolicyArns = arns)))).toEqual([
      { path: '$.managedPolicyArns', code: 'too_many_managed_policies' },
    ]);
    expect(problemsOf(variant((d) => (d.managedPolicyArns = arns.slice(0, 10))))).toEqual([]);
  });

  it.each([
    'arn:aws:iam::aws:role/ReadOnlyAccess',
    'arn:aws:iam::1234:policy/p',
    'arn:aws:s3:::policy/p',
    'arn:aws:iam::aws:policy/',
    'ReadOnlyAccess',
  ])('rejects the managed policy ARN %j', (arn) => {
    expect(problemsOf(variant((d) => (d.managedPolicyArns = ['arn:aws:iam::aws:policy/ReadOnlyAccess', arn])))).toEqual([
      { path: '$.managedPolicyArns[1]', code: 'invalid_managed_policy_arn' },
    ]);
  });
});

describe('rule 10: session tags', () => {
  const tags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`tag${i}`, 'v']));

  it('allows at most 47, three of the 50 being reserved (tenant, partner and, since issue 19, mfa)', () => {
    expect(problemsOf(variant((d) => (d.sessionTags = tags(48))))).toEqual([{ path: '$.sessionTags', code: 'too_many_session_tags' }]);
    expect(problemsOf(variant((d) => (d.sessionTags = tags(47))))).toEqual([]);
  });

  it('reserves mfa, whatever the case: only a checked MFA code sets it (issue 19)', () => {
    expect(problemsOf(variant((d) => (d.sessionTags = { mfa: 'true', MFA: 'true', mfas: 'ok' })))).toEqual([
      { path: '$.sessionTags.mfa', code: 'reserved_tag_key' },
      { path: '$.sessionTags.MFA', code: 'reserved_tag_key' },
      { path: '$.sessionTags.MFA', code: 'duplicate_tag_key' },
    ]);
  });

  it('reserves tenant, partner and the aws: prefix, whatever the case', () => {
    expect(problemsOf(variant((d) => (d.sessionTags = { Tenant: 'a', PARTNER: 'b', 'AWS:team': 'c', tenants: 'ok' })))).toEqual([
      { path: '$.sessionTags.Tenant', code: 'reserved_tag_key' },
      { path: '$.sessionTags.PARTNER', code: 'reserved_tag_key' },
      { path: "$.sessionTags['AWS:team']", code: 'reserved_tag_key' },
    ]);
  });

  it("reserves the oidc: prefix for the claims of partners' tokens (issue 17)", () => {
    expect(problemsOf(variant((d) => (d.sessionTags = { 'OIDC:repository': 'a', oidcx: 'ok' })))).toEqual([
      { path: "$.sessionTags['OIDC:repository']", code: 'reserved_tag_key' },
    ]);
  });

  it('checks key length and characters', () => {
    const doc = variant((d) => (d.sessionTags = { ['k'.repeat(129)]: 'a', 'cost#center': 'b', '': 'c', ['k'.repeat(128)]: 'ok' }));
    expect(problemsOf(doc)).toEqual([
      { path: `$.sessionTags.${'k'.repeat(129)}`, code: 'invalid_tag_key' },
      { path: "$.sessionTags['cost#center']", code: 'invalid_tag_key' },
      { path: "$.sessionTags['']", code: 'invalid_tag_key' },
    ]);
  });

  it('measures values at their worst-case rendering', () => {
    // 13 + 224 characters as written; {{partnerId}} renders to up to 32, so 256 and 257 at worst.
    expect(problemsOf(variant((d) => (d.sessionTags = { s: `{{partnerId}}${'v'.repeat(224)}` })))).toEqual([]);
    expect(problemsOf(variant((d) => (d.sessionTags = { s: `{{partnerId}}${'v'.repeat(225)}` })))).toEqual([
      { path: '$.sessionTags.s', code: 'tag_value_too_long' },
    ]);
  });

  it('measures values in UTF-16 code units, as STS does (F4: an astral letter is two)', () => {
    expect(problemsOf(variant((d) => (d.sessionTags = { s: '\u{1D518}'.repeat(128) })))).toEqual([]);
    expect(problemsOf(variant((d) => (d.sessionTags = { s: '\u{1D518}'.repeat(129) })))).toEqual([
      { path: '$.sessionTags.s', code: 'tag_value_too_long' },
    ]);
  });

  it('rejects keys that differ only in case', () => {
    expect(problemsOf(variant((d) => (d.sessionTags = { Team: 'a', team: 'b' })))).toEqual([
      { path: '$.sessionTags.team', code: 'duplicate_tag_key' },
    ]);
  });

  it("refuses keys that would pass for credvend's own tags to a reader: spaces, look-alikes, non-ASCII", () => {
    // "t\u0435nant" has a Cyrillic e; "tenant\u00a0" a no-break space. None folds to a reserved key.
    const keys = ['tenant ', ' tenant', 't\u0435nant', 'tenant\u00a0', 'cost center', 'Kostenstelle\u00dc'];
    const doc = variant((d) => (d.sessionTags = Object.fromEntries(keys.map((k) => [k, 'x']))));
    const problems = problemsOf(doc);
    expect(problems).toHaveLength(keys.length);
    expect(problems.map((p) => p.code)).toEqual(keys.map(() => 'invalid_tag_key'));
    expect(problems.map((p) => p.path)).toEqual(keys.map((k) => `$.sessionTags['${k}']`));
    // The same keys in plain ASCII are accepted.
    expect(problemsOf(variant((d) => (d.sessionTags = { 'cost-center': 'x', Kostenstelle: 'x', '_.:/=+-@': 'x' })))).toEqual([]);
  });

  it('are allowed with federation only: every session carries tags, whatever the mode', () => {
    const federationOnly = variant((d) => {
      d.defaultMode = 'federation';
      delete d.modes['assume-role'];
      d.sessionTags = { team: 'a' };
    });
    expect(validatePolicyDocument(federationOnly)).toEqual({ ok: true, document: federationOnly, problems: [] });
  });

  it("whether a role takes tags is no longer the tenant's to say", () => {
    const tagsOff = variant((d) => {
      d.modes['assume-role'].sessionTags = false;
      d.sessionTags = { team: 'a' };
    });
    expect(problemsOf(tagsOff)).toEqual([{ path: `${ROLE}.sessionTags`, code: 'owned_by_operator' }]);
  });
});

describe('rule 11: rate limit', () => {
  it.each([
    [0, 'rate_limit_out_of_range'],
    [100_001, 'rate_limit_out_of_range'],
    [1.5, 'not_integer'],
    ['60', 'invalid_type'],
  ])('rejects perMinute %j', (perMinute, code) => {
    expect(problemsOf(variant((d) => (d.rateLimit = { perMinute })))).toEqual([{ path: '$.rateLimit.perMinute', code }]);
  });

  it('accepts 1 and 100000', () => {
    expect(problemsOf(variant((d) => (d.rateLimit = { perMinute: 1 })))).toEqual([]);
    expect(problemsOf(variant((d) => (d.rateLimit = { perMinute: 100_000 })))).toEqual([]);
  });
});

describe('rule 13: MFA requirement (issue 19)', () => {
  it('takes modes and bound role names', () => {
    expect(problemsOf(variant((d) => (d.mfa = { modes: ['federation'] })))).toEqual([]);
    expect(problemsOf(variant((d) => (d.mfa = { roles: ['demo', 'admin-role'] })))).toEqual([]);
    expect(problemsOf(variant((d) => (d.mfa = { modes: ['assume-role', 'federation'], roles: ['demo'] })))).toEqual([]);
  });

  it('refuses an empty requirement, unknown modes, malformed role names, repeats and unknown fields', () => {
    expect(problemsOf(variant((d) => (d.mfa = {})))).toEqual([{ path: '$.mfa', code: 'mfa_requirement_empty' }]);
    expect(problemsOf(variant((d) => (d.mfa = { modes: [], roles: [] })))).toEqual([{ path: '$.mfa', code: 'mfa_requirement_empty' }]);
    expect(problemsOf(variant((d) => (d.mfa = { modes: ['session-token'] })))).toEqual([
      { path: '$.mfa.modes[0]', code: expect.any(String) as unknown as string },
    ]);
    expect(problemsOf(variant((d) => (d.mfa = { roles: ['Admin Role'] })))).toEqual([
      { path: '$.mfa.roles[0]', code: 'invalid_role_name' },
    ]);
    expect(problemsOf(variant((d) => (d.mfa = { roles: ['demo', 'demo'] })))).toEqual([{ path: '$.mfa.roles', code: 'duplicate_entry' }]);
    expect(problemsOf(variant((d) => (d.mfa = { modes: ['federation'], always: true })))).toEqual([
      { path: '$.mfa.always', code: expect.any(String) as unknown as string },
    ]);
  });
});

describe('rule 12: worst-case session policy size', () => {
  const MAX = { tenantId: 'x'.repeat(32), partnerId: 'x'.repeat(32) };

  it('renders every placeholder at its longest, counts IAM variables as written, and adds the managed ARNs', () => {
    const doc = validPolicyFixture();
    doc.statements[0]!.Resource = 'arn:aws:s3:::demo-bucket/{{tenantId}}/{{partnerId}}/${aws:username}/{{ partnerId }}';
    doc.managedPolicyArns = ['arn:aws:iam::aws:policy/ReadOnlyAccess'];
    const expected =
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'PartnerObjects',
            Effect: 'Allow',
            Action: ['s3:GetObject', 's3:PutObject'],
            Resource: `arn:aws:s3:::demo-bucket/${MAX.tenantId}/${MAX.partnerId}/\${aws:username}/${MAX.partnerId}`,
          },
          {
            Sid: 'PartnerListing',
            Effect: 'Allow',
            Action: 's3:ListBucket',
            Resource: 'arn:aws:s3:::demo-bucket',
            Condition: { StringLike: { 's3:prefix': `${MAX.tenantId}/${MAX.partnerId}/*` } },
          },
        ],
      }).length + 'arn:aws:iam::aws:policy/ReadOnlyAccess'.length;
    expect(worstCaseSessionPolicyLength(doc)).toBe(expected);
  });

  /** A document whose worst case is exactly `target` characters: padding goes into a Sid, one character each. */
  function policyOfWorstCase(target: number): TenantPolicyDocument {
    const doc = validPolicyFixture();
    doc.statements.push({ Sid: '', Effect: 'Allow', Action: 's3:GetObject', Resource: Array(10).fill(ARN_OF('{{partnerId}}/*')) });
    const base = worstCaseSessionPolicyLength(doc);
    doc.statements[2]!.Sid = 'P'.repeat(target - base);
    return doc;
  }

  it('accepts a document at exactly 2048 characters at worst and rejects one at 2049', () => {
    const atLimit = policyOfWorstCase(2048);
    expect(worstCaseSessionPolicyLength(atLimit)).toBe(2048);
    expect(problemsOf(atLimit)).toEqual([]);

    const over = policyOfWorstCase(2049);
    // As written it is far below the limit: only the worst-case rendering breaks it.
    expect(JSON.stringify({ Version: '2012-10-17', Statement: over.statements }).length).toBeLessThan(2048);
    const result = validatePolicyDocument(over);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([{ path: '$.statements', code: 'policy_too_large', message: expect.stringContaining('2049') }]);
  });

  it('counts managed policy ARNs against the limit', () => {
    const doc = policyOfWorstCase(2048 - 'arn:aws:iam::aws:policy/ReadOnlyAccess'.length + 1);
    expect(problemsOf(doc)).toEqual([]);
    doc.managedPolicyArns = ['arn:aws:iam::aws:policy/ReadOnlyAccess'];
    expect(problemsOf(doc)).toEqual([{ path: '$.statements', code: 'policy_too_large' }]);
  });
});

describe('reporting', () => {
  it('reports every problem of a document at once', () => {
    const doc = variant((d) => {
      d.defaultMode = 'federation';
      delete d.modes.federation;
      d.modes['assume-role'].maxDurationSeconds = 50_000;
      d.modes['assume-role'].externalId = 'x';
      d.modes['assume-role'].role = 'Nope';
      d.statements[0].Effect = 'Permit';
      d.statements[0].Action = ['s3:GetObject', 'GetObject'];
      d.statements[0].Resource = ARN_OF('{{tenant}}/*');
      d.statements[1].NotAction = 's3:*';
      d.statements[1].Condition = { StringLikes: { 's3:prefix': 'a' } };
      d.statements.push({ Effect: 'Allow', Action: '*' });
      d.managedPolicyArns = ['nope'];
      d.sessionTags = { partner: 'x' };
      d.rateLimit = { perMinute: 0, burst: 5 };
      d.comment = 'hi';
    });
    expect(problemsOf(doc)).toEqual([
      { path: `${ROLE}.maxDurationSeconds`, code: 'duration_out_of_range' },
      { path: `${ROLE}.role`, code: 'invalid_role_name' },
      { path: `${ROLE}.externalId`, code: 'owned_by_operator' },
      { path: '$.statements[0].Effect', code: 'invalid_value' },
      { path: '$.statements[0].Action[1]', code: 'invalid_action' },
      { path: '$.statements[0].Resource', code: 'unknown_placeholder' },
      { path: '$.statements[1].Condition.StringLikes', code: 'unknown_condition_operator' },
      { path: '$.statements[1]', code: 'action_and_not_action' },
      { path: '$.statements[2]', code: 'missing_resource' },
      { path: '$.managedPolicyArns[0]', code: 'invalid_managed_policy_arn' },
      { path: '$.sessionTags.partner', code: 'reserved_tag_key' },
      { path: '$.rateLimit.perMinute', code: 'rate_limit_out_of_range' },
      { path: '$.rateLimit.burst', code: 'unknown_field' },
      { path: '$.comment', code: 'unknown_field' },
      { path: '$.defaultMode', code: 'default_mode_not_configured' },
    ]);
  });

  it('gives every problem a message', () => {
    const result = validatePolicyDocument(variant((d) => (d.statements = [{ Effect: 'Allow', Action: 's3', extra: 1 }])));
    expect(result.ok).toBe(false);
    // invalid_action, unknown_field, missing_resource: the loop below must have something to check.
    expect(result.problems).toHaveLength(3);
    for (const problem of result.problems) expect(problem.message).toMatch(/\w{3}/);
  });
});
