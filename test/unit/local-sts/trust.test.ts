// The local STS's trust-policy evaluator as pure functions: the grammar it accepts, principals,
// actions, Deny over Allow, and condition operators against the request context of an AssumeRole.
import { describe, expect, it } from '@jest/globals';
import { assumedRolePrincipal, federatedPrincipal, type Principal, userPrincipal } from '../../../local/sts/identity';
import { checkRole, RoleRegistry } from '../../../local/sts/roles';
import {
  type AssumeRoleFacts,
  assumeRoleContext,
  authorize,
  decide,
  parseTrustPolicy,
  requiredActions,
  type TrustPolicyDocument,
  TrustPolicyError,
  type TrustPolicyStatement,
} from '../../../local/sts/trust';

const ACCOUNT = '123456789012';
const OTHER_ACCOUNT = '210987654321';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/tenant-role`;
const FIRST_ROLE = `arn:aws:iam::${ACCOUNT}:role/team/first`;
const fn = userPrincipal(ACCOUNT, 'credvend-function');
const stranger = userPrincipal(ACCOUNT, 'stranger');
const foreigner = userPrincipal(OTHER_ACCOUNT, 'credvend-function');
const chained = assumedRolePrincipal(ACCOUNT, FIRST_ROLE, 'sess-1');
const otherSession = assumedRolePrincipal(ACCOUNT, FIRST_ROLE, 'sess-2');

const facts = (over: Partial<AssumeRoleFacts> = {}): AssumeRoleFacts => ({
  roleSessionName: 'partner-7.abc',
  tags: [],
  transitiveTagKeys: [],
  temporaryCredentials: false,
  ...over,
});

function policy(...statements: TrustPolicyStatement[]): TrustPolicyDocument {
  return { Version: '2012-10-17', Statement: statements };
}

function allow(principal: TrustPolicyStatement['Principal'], extra: Partial<TrustPolicyStatement> = {}): TrustPolicyStatement {
  return { Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole', ...extra };
}

/** The decision for sts:AssumeRole (or `action`) by `caller` with the request facts. */
function decision(doc: TrustPolicyDocument | string, caller: Principal, f: Partial<AssumeRoleFacts> = {}, action = 'sts:AssumeRole') {
  return decide(parseTrustPolicy(doc), caller, action, assumeRoleContext(caller, facts(f)));
}

/** Whether the whole AssumeRole request (every action it needs) is allowed. */
function allowed(doc: TrustPolicyDocument, caller: Principal, f: Partial<AssumeRoleFacts> = {}) {
  const full = facts(f);
  return authorize(parseTrustPolicy(doc), caller, requiredActions(full), assumeRoleContext(caller, full));
}

describe('parseTrustPolicy', () => {
  it('accepts a document and its JSON text, and both decide alike', () => {
    const doc = policy(allow({ AWS: fn.arn }));
    expect(decision(doc, fn)).toBe('allow');
    expect(decision(JSON.stringify(doc), fn)).toBe('allow');
    expect(decision(JSON.stringify(doc), stranger)).toBe('implicit-deny');
  });

  it.each([
    ['text that is not JSON', '{"Version":"2012-10-17",', /^role X: the trust policy is not valid JSON$/],
    ['a JSON array', '[]', /must be a JSON object with a Statement/],
    ['no Statement', { Version: '2012-10-17' }, /has no Statement/],
    ['an empty Statement list', { Version: '2012-10-17', Statement: [] }, /has no Statement/],
    ['an unknown Version', { Version: '2020-01-01', Statement: [allow('*')] }, /Version must be/],
    ['an unknown top-level element', { Version: '2012-10-17', Statement: [allow('*')], Extra: 1 }, /unknown policy element "Extra"/],
    ['Effect "Maybe"', policy({ ...allow('*'), Effect: 'Maybe' as 'Allow' }), /Statement\[0\]\.Effect must be "Allow" or "Deny"/],
    ['no Principal', { Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }] }, /Statement\[0\] has no Principal/],
    ['a Resource', policy({ ...allow('*'), Resource: '*' } as TrustPolicyStatement), /has no Resource/],
    [
      'NotPrincipal',
      { Statement: [{ Effect: 'Deny', NotPrincipal: { AWS: fn.arn }, Action: 'sts:AssumeRole' }] },
      /NotPrincipal is not supported/,
    ],
    ['neither Action nor NotAction', { Statement: [{ Effect: 'Allow', Principal: '*' }] }, /exactly one of Action and NotAction/],
    ['both Action and NotAction', policy(allow('*', { NotAction: 'sts:TagSession' })), /exactly one of Action and NotAction/],
    ['a non-STS action', policy(allow('*', { Action: 's3:GetObject' })), /"s3:GetObject" is not an STS action/],
    ['an empty Action list', policy(allow('*', { Action: [] })), /Action is an empty list/],
    ['a principal ARN with a wildcard', policy(allow({ AWS: `arn:aws:iam::${ACCOUNT}:user/*` })), /invalid principal/],
    ['a principal with a short account', policy(allow({ AWS: 'arn:aws:iam::1234:root' })), /invalid principal "arn:aws:iam::1234:root"/],
    ['a principal that is a policy ARN', policy(allow({ AWS: `arn:aws:iam::${ACCOUNT}:policy/p` })), /invalid principal/],
    ['an unknown principal type', policy(allow({ Bogus: 'x' } as TrustPolicyStatement['Principal'])), /unknown principal type "Bogus"/],
    ['an empty Principal object', policy(allow({})), /Principal must be "\*" or an object/],
    [
      'an unsupported operator',
      policy(allow('*', { Condition: { NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } } })),
      /unsupported condition operator "NumericLessThan"/,
    ],
    ['NullIfExists', policy(allow('*', { Condition: { NullIfExists: { 'sts:ExternalId': 'false' } } })), /Null takes no IfExists/],
    [
      'Null with a value other than true/false',
      policy(allow('*', { Condition: { Null: { 'sts:ExternalId': 'maybe' } } })),
      /takes "true" or "false"/,
    ],
    ['an empty condition value list', policy(allow('*', { Condition: { StringEquals: { 'sts:ExternalId': [] } } })), /is an empty list/],
    [
      'a condition value that is an object',
      policy(allow('*', { Condition: { StringEquals: { 'sts:ExternalId': {} as string } } })),
      /values must be strings/,
    ],
  ])('rejects %s with a TrustPolicyError naming the problem', (_, doc, message) => {
    let thrown: unknown;
    try {
      parseTrustPolicy(doc, 'role X');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(TrustPolicyError);
    expect((thrown as Error).message).toMatch(message);
    expect((thrown as Error).message.startsWith('role X: ')).toBe(true);
  });

  it('accepts Service and Federated principals, which never match an IAM caller', () => {
    const doc = policy(allow({ Service: 'lambda.amazonaws.com', Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/example.com` }));
    expect(decision(doc, fn)).toBe('implicit-deny');
  });
});

describe('principals', () => {
  it.each([
    ['a user ARN', fn.arn, [fn], [stranger, foreigner, chained]],
    ['an account id', ACCOUNT, [fn, stranger, chained], [foreigner]],
    ['an account root ARN', `arn:aws:iam::${ACCOUNT}:root`, [fn, stranger, chained], [foreigner]],
    ['a role ARN (its sessions: role chaining)', FIRST_ROLE, [chained, otherSession], [fn]],
    ['one assumed-role session ARN', chained.arn, [chained], [otherSession, fn]],
  ] as Array<[string, string, Principal[], Principal[]]>)('%s', (_, principal, trusted, untrusted) => {
    const doc = policy(allow({ AWS: principal }));
    expect(trusted.map((p) => decision(doc, p))).toEqual(trusted.map(() => 'allow'));
    expect(untrusted.map((p) => decision(doc, p))).toEqual(untrusted.map(() => 'implicit-deny'));
  });

  it('Principal "*" and {"AWS": "*"} trust anyone, a list trusts any of its members', () => {
    expect(decision(policy(allow('*')), foreigner)).toBe('allow');
    expect([fn, foreigner, chained].map((p) => decision(policy(allow({ AWS: '*' })), p))).toEqual(['allow', 'allow', 'allow']);
    const list = policy(allow({ AWS: [stranger.arn, fn.arn] }));
    expect([decision(list, fn), decision(list, stranger), decision(list, foreigner)]).toEqual(['allow', 'allow', 'implicit-deny']);
  });
});

describe('actions', () => {
  it.each([
    ['sts:AssumeRole', ['allow', 'implicit-deny', 'implicit-deny']],
    [
      ['sts:AssumeRole', 'sts:TagSession'],
      ['allow', 'allow', 'implicit-deny'],
    ],
    ['sts:*', ['allow', 'allow', 'allow']],
    ['*', ['allow', 'allow', 'allow']],
    ['STS:assume*', ['allow', 'implicit-deny', 'implicit-deny']],
    ['sts:?agSession', ['implicit-deny', 'allow', 'implicit-deny']],
  ] as Array<[string | string[], string[]]>)('Action %j decides AssumeRole, TagSession, SetSourceIdentity as %j', (action, expected) => {
    const doc = policy(allow({ AWS: fn.arn }, { Action: action }));
    expect(['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'].map((a) => decision(doc, fn, {}, a))).toEqual(expected);
  });

  it('NotAction allows every action but the ones it names', () => {
    const doc = policy({ Effect: 'Allow', Principal: { AWS: fn.arn }, NotAction: 'sts:TagSession' });
    expect(['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'].map((a) => decision(doc, fn, {}, a))).toEqual([
      'allow',
      'implicit-deny',
      'allow',
    ]);
  });

  it('requiredActions: sts:TagSession with Tags or TransitiveTagKeys, sts:SetSourceIdentity with a SourceIdentity', () => {
    expect(requiredActions(facts())).toEqual(['sts:AssumeRole']);
    expect(requiredActions(facts({ tags: [{ key: 'k', value: 'v' }] }))).toEqual(['sts:AssumeRole', 'sts:TagSession']);
    expect(requiredActions(facts({ transitiveTagKeys: ['k'] }))).toEqual(['sts:AssumeRole', 'sts:TagSession']);
    expect(requiredActions(facts({ sourceIdentity: 'p1' }))).toEqual(['sts:AssumeRole', 'sts:SetSourceIdentity']);
  });

  it('a request with tags needs sts:TagSession, one with a source identity sts:SetSourceIdentity; the refusal names the action', () => {
    const assumeOnly = policy(allow({ AWS: fn.arn }));
    expect(allowed(assumeOnly, fn)).toEqual({ allowed: true });
    expect(allowed(assumeOnly, fn, { tags: [{ key: 'tenant', value: 't1' }] })).toEqual({
      allowed: false,
      action: 'sts:TagSession',
      decision: 'implicit-deny',
    });
    expect(allowed(assumeOnly, fn, { sourceIdentity: 'p1' })).toEqual({
      allowed: false,
      action: 'sts:SetSourceIdentity',
      decision: 'implicit-deny',
    });
    expect(
      allowed(policy(allow({ AWS: fn.arn }, { Action: ['sts:AssumeRole', 'sts:TagSession'] })), fn, {
        tags: [{ key: 'tenant', value: 't1' }],
      }),
    ).toEqual({
      allowed: true,
    });
    expect(allowed(policy(allow({ AWS: stranger.arn })), fn)).toEqual({
      allowed: false,
      action: 'sts:AssumeRole',
      decision: 'implicit-deny',
    });
  });
});

describe('Deny and Allow', () => {
  it('an explicit Deny wins over any Allow', () => {
    const doc = policy(allow('*', { Action: 'sts:*' }), { Effect: 'Deny', Principal: { AWS: stranger.arn }, Action: 'sts:AssumeRole' });
    expect(decision(doc, fn)).toBe('allow');
    expect(decision(doc, stranger)).toBe('explicit-deny');
    expect(decision(doc, stranger, {}, 'sts:TagSession')).toBe('allow');
  });

  it('a Deny of sts:TagSession refuses tagged requests only', () => {
    const doc = policy(allow({ AWS: fn.arn }, { Action: 'sts:*' }), { Effect: 'Deny', Principal: '*', Action: 'sts:TagSession' });
    expect(allowed(doc, fn)).toEqual({ allowed: true });
    expect(allowed(doc, fn, { tags: [{ key: 'k', value: 'v' }] })).toEqual({
      allowed: false,
      action: 'sts:TagSession',
      decision: 'explicit-deny',
    });
  });

  it('a conditional Deny applies only when its condition holds', () => {
    const doc = policy(allow({ AWS: fn.arn }), {
      Effect: 'Deny',
      Principal: '*',
      Action: 'sts:AssumeRole',
      Condition: { StringLike: { 'sts:RoleSessionName': 'admin*' } },
    });
    expect(decision(doc, fn, { roleSessionName: 'partner-7' })).toBe('allow');
    expect(decision(doc, fn, { roleSessionName: 'admin-1' })).toBe('explicit-deny');
  });

  it('with no statement matching, the answer is the implicit deny', () => {
    expect(decision(policy({ Effect: 'Deny', Principal: { AWS: stranger.arn }, Action: 'sts:AssumeRole' }), fn)).toBe('implicit-deny');
  });
});

describe('conditions', () => {
  const withCondition = (condition: TrustPolicyStatement['Condition']) => policy(allow({ AWS: fn.arn }, { Condition: condition }));

  it('StringEquals sts:ExternalId: the right id passes; a wrong or missing one does not', () => {
    const doc = withCondition({ StringEquals: { 'sts:ExternalId': 'tenant-42' } });
    expect(decision(doc, fn, { externalId: 'tenant-42' })).toBe('allow');
    expect(decision(doc, fn, { externalId: 'tenant-43' })).toBe('implicit-deny');
    expect(decision(doc, fn)).toBe('implicit-deny');
  });

  it('rotation: with two external ids listed, either one passes and no third', () => {
    const doc = withCondition({ StringEquals: { 'sts:ExternalId': ['ext-old', 'ext-new'] } });
    expect(decision(doc, fn, { externalId: 'ext-old' })).toBe('allow');
    expect(decision(doc, fn, { externalId: 'ext-new' })).toBe('allow');
    expect(decision(doc, fn, { externalId: 'ext-older' })).toBe('implicit-deny');
    expect(decision(doc, fn)).toBe('implicit-deny');
  });

  it('condition keys are case-insensitive, StringEquals values case-sensitive, StringEqualsIgnoreCase not', () => {
    expect(decision(withCondition({ StringEquals: { 'STS:EXTERNALID': 'tenant-42' } }), fn, { externalId: 'tenant-42' })).toBe('allow');
    expect(decision(withCondition({ StringEquals: { 'sts:ExternalId': 'Tenant-42' } }), fn, { externalId: 'tenant-42' })).toBe(
      'implicit-deny',
    );
    expect(decision(withCondition({ StringEqualsIgnoreCase: { 'sts:ExternalId': 'Tenant-42' } }), fn, { externalId: 'tenant-42' })).toBe(
      'allow',
    );
  });

  it('StringNotEquals: holds when the value is none of the listed ones, and (as in IAM) when the key is absent', () => {
    const doc = withCondition({ StringNotEquals: { 'sts:SourceIdentity': ['root', 'admin'] } });
    expect(decision(doc, fn, { sourceIdentity: 'partner-7' })).toBe('allow');
    expect(decision(doc, fn, { sourceIdentity: 'admin' })).toBe('implicit-deny');
    expect(decision(doc, fn, { sourceIdentity: 'root' })).toBe('implicit-deny');
    expect(decision(doc, fn)).toBe('allow');
  });

  it('StringLike and StringNotLike take * and ? wildcards, case-sensitively', () => {
    const like = withCondition({ StringLike: { 'sts:RoleSessionName': ['partner-?.*'] } });
    expect(decision(like, fn, { roleSessionName: 'partner-7.abc' })).toBe('allow');
    expect(decision(like, fn, { roleSessionName: 'partner-77.abc' })).toBe('implicit-deny');
    expect(decision(like, fn, { roleSessionName: 'Partner-7.abc' })).toBe('implicit-deny');
    const notLike = withCondition({ StringNotLike: { 'sts:RoleSessionName': 'admin*' } });
    expect(decision(notLike, fn, { roleSessionName: 'partner-7' })).toBe('allow');
    expect(decision(notLike, fn, { roleSessionName: 'admin-7' })).toBe('implicit-deny');
  });

  it('...IfExists passes when the key is absent and checks it when present', () => {
    const doc = withCondition({ StringEqualsIfExists: { 'sts:SourceIdentity': 'partner-7' } });
    expect(decision(doc, fn)).toBe('allow');
    expect(decision(doc, fn, { sourceIdentity: 'partner-7' })).toBe('allow');
    expect(decision(doc, fn, { sourceIdentity: 'partner-8' })).toBe('implicit-deny');
  });

  it('Null tests presence: "false" requires the key, "true" its absence', () => {
    const present = withCondition({ Null: { 'sts:ExternalId': 'false' } });
    expect(decision(present, fn, { externalId: 'anything' })).toBe('allow');
    expect(decision(present, fn)).toBe('implicit-deny');
    const absent = withCondition({ Null: { 'sts:SourceIdentity': true } });
    expect(decision(absent, fn)).toBe('allow');
    expect(decision(absent, fn, { sourceIdentity: 'p1' })).toBe('implicit-deny');
  });

  it('Bool aws:MultiFactorAuthPresent: "false" for temporary credentials, absent for long-term keys', () => {
    const noMfa = withCondition({ Bool: { 'aws:MultiFactorAuthPresent': false } });
    expect(decision(noMfa, fn, { temporaryCredentials: true })).toBe('allow');
    expect(decision(noMfa, fn, { temporaryCredentials: false })).toBe('implicit-deny');
    expect(decision(withCondition({ BoolIfExists: { 'aws:MultiFactorAuthPresent': 'true' } }), fn)).toBe('allow');
    expect(decision(withCondition({ Bool: { 'aws:MultiFactorAuthPresent': 'true' } }), fn, { temporaryCredentials: true })).toBe(
      'implicit-deny',
    );
  });

  it("aws:PrincipalArn is a user's ARN, and a role session's role ARN (not the session's)", () => {
    const byUser = withCondition({ StringEquals: { 'aws:PrincipalArn': fn.arn } });
    expect(decision(byUser, fn)).toBe('allow');
    const anyone = (condition: TrustPolicyStatement['Condition']) => policy(allow('*', { Condition: condition }));
    expect(decision(anyone({ StringEquals: { 'aws:PrincipalArn': FIRST_ROLE } }), chained)).toBe('allow');
    expect(decision(anyone({ StringEquals: { 'aws:PrincipalArn': chained.arn } }), chained)).toBe('implicit-deny');
    expect(decision(anyone({ ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::*:role/team/*` } }), chained)).toBe('allow');
    expect(decision(anyone({ ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::*:role/team/*` } }), fn)).toBe('implicit-deny');
    expect(decision(anyone({ ArnNotLike: { 'aws:PrincipalArn': `arn:aws:iam::*:user/*` } }), fn)).toBe('implicit-deny');
  });

  it('aws:RequestTag/<key> matches a session tag value (tag key case-insensitive in the condition key)', () => {
    const doc = policy(
      allow(
        { AWS: fn.arn },
        { Action: ['sts:AssumeRole', 'sts:TagSession'], Condition: { StringEquals: { 'aws:RequestTag/TENANT': 't1' } } },
      ),
    );
    expect(allowed(doc, fn, { tags: [{ key: 'tenant', value: 't1' }] })).toEqual({ allowed: true });
    expect(allowed(doc, fn, { tags: [{ key: 'tenant', value: 't2' }] })).toMatchObject({ allowed: false, action: 'sts:AssumeRole' });
    expect(allowed(doc, fn)).toMatchObject({ allowed: false, action: 'sts:AssumeRole' });
  });

  it('aws:TagKeys with ForAllValues (every key listed; vacuous without tags) and ForAnyValue (one key listed)', () => {
    const forAll = withCondition({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['tenant', 'partner'] } });
    const tags = (...keys: string[]) => ({ tags: keys.map((key) => ({ key, value: 'v' })) });
    expect(decision(forAll, fn, tags('tenant', 'partner'))).toBe('allow');
    expect(decision(forAll, fn, tags('tenant', 'extra'))).toBe('implicit-deny');
    expect(decision(forAll, fn)).toBe('allow');
    const forAny = withCondition({ 'ForAnyValue:StringLike': { 'aws:TagKeys': 'ten*' } });
    expect(decision(forAny, fn, tags('partner', 'tenant'))).toBe('allow');
    expect(decision(forAny, fn, tags('partner'))).toBe('implicit-deny');
    expect(decision(forAny, fn)).toBe('implicit-deny');
  });

  it('every operator and every key of a statement must hold (AND); the values of one key are alternatives (OR)', () => {
    const doc = withCondition({
      StringEquals: { 'sts:ExternalId': ['e1', 'e2'], 'sts:SourceIdentity': 'p1' },
      StringLike: { 'sts:RoleSessionName': 'p1.*' },
    });
    expect(decision(doc, fn, { externalId: 'e2', sourceIdentity: 'p1', roleSessionName: 'p1.x' })).toBe('allow');
    expect(decision(doc, fn, { externalId: 'e2', sourceIdentity: 'p2', roleSessionName: 'p1.x' })).toBe('implicit-deny');
    expect(decision(doc, fn, { externalId: 'e2', sourceIdentity: 'p1', roleSessionName: 'p2.x' })).toBe('implicit-deny');
    expect(decision(doc, fn, { externalId: 'e3', sourceIdentity: 'p1', roleSessionName: 'p1.x' })).toBe('implicit-deny');
  });

  it('the request context of an AssumeRole names the caller and the request', () => {
    const context = assumeRoleContext(
      chained,
      facts({
        externalId: 'e1',
        sourceIdentity: 's1',
        tags: [{ key: 'Tenant', value: 't1' }],
        transitiveTagKeys: ['Tenant'],
        temporaryCredentials: true,
      }),
    );
    expect(Object.fromEntries(context)).toEqual({
      'aws:principalarn': [FIRST_ROLE],
      'aws:principalaccount': [ACCOUNT],
      'aws:principaltype': ['AssumedRole'],
      'aws:userid': [chained.userId],
      'aws:multifactorauthpresent': ['false'],
      'sts:rolesessionname': ['partner-7.abc'],
      'sts:externalid': ['e1'],
      'sts:sourceidentity': ['s1'],
      'aws:requesttag/tenant': ['t1'],
      'aws:tagkeys': ['Tenant'],
      'sts:transitivetagkeys': ['Tenant'],
    });
    expect(assumeRoleContext(federatedPrincipal(ACCOUNT, 'fed'), facts()).get('aws:principaltype')).toEqual(['FederatedUser']);
    expect(assumeRoleContext(fn, facts()).get('aws:username')).toEqual(['credvend-function']);
  });
});

describe('role registry', () => {
  const trustPolicy = policy(allow({ AWS: fn.arn }));

  it('checkRole keeps a copy of a valid role, the trust policy as given (document or text)', () => {
    const input = { arn: ROLE, maxSessionDuration: 3_600, trustPolicy: policy(allow({ AWS: fn.arn })) };
    const entry = checkRole(input, ACCOUNT);
    (input.trustPolicy.Statement as TrustPolicyStatement[])[0]!.Principal = '*';
    expect(entry.role).toEqual({ arn: ROLE, maxSessionDuration: 3_600, trustPolicy });
    expect(decide(entry.trust, stranger, 'sts:AssumeRole', new Map())).toBe('implicit-deny');
    expect(checkRole({ arn: ROLE, maxSessionDuration: 3_600, trustPolicy: JSON.stringify(trustPolicy) }, ACCOUNT).role.trustPolicy).toBe(
      JSON.stringify(trustPolicy),
    );
  });

  it.each([
    [
      'the old trustedPrincipals shape',
      { arn: ROLE, maxSessionDuration: 3_600, trustedPrincipals: [fn.arn] },
      /trustedPrincipals and externalId were replaced by trustPolicy/,
    ],
    ['no trust policy', { arn: ROLE, maxSessionDuration: 3_600 }, /trustPolicy is required/],
    [
      'a trust policy that is not JSON',
      { arn: ROLE, maxSessionDuration: 3_600, trustPolicy: '{nope' },
      /^local STS: role arn:aws:iam::123456789012:role\/tenant-role: the trust policy is not valid JSON$/,
    ],
    ['a user ARN as role ARN', { arn: fn.arn, maxSessionDuration: 3_600, trustPolicy }, /invalid role ARN/],
    [
      'a role of another account',
      { arn: `arn:aws:iam::${OTHER_ACCOUNT}:role/r`, maxSessionDuration: 3_600, trustPolicy },
      /not in the emulator's account 123456789012/,
    ],
    [
      'maxSessionDuration 3599',
      { arn: ROLE, maxSessionDuration: 3_599, trustPolicy },
      /maxSessionDuration must be an integer from 3600 to 43200/,
    ],
    ['maxSessionDuration 43201', { arn: ROLE, maxSessionDuration: 43_201, trustPolicy }, /maxSessionDuration must be an integer/],
    ['an unknown field', { arn: ROLE, maxSessionDuration: 3_600, trustPolicy, tags: {} }, /unknown field "tags"/],
  ])('checkRole refuses %s', (_, role, message) => {
    expect(() => checkRole(role, ACCOUNT)).toThrow(message);
  });

  it('put adds and replaces, an invalid put changes nothing, delete removes', () => {
    const registry = new RoleRegistry(ACCOUNT, [{ arn: ROLE, maxSessionDuration: 3_600, trustPolicy }]);
    expect(registry.get(ROLE)?.role.maxSessionDuration).toBe(3_600);
    registry.put({ arn: ROLE, maxSessionDuration: 7_200, trustPolicy: policy(allow({ AWS: stranger.arn })) });
    expect(registry.get(ROLE)?.role.maxSessionDuration).toBe(7_200);
    expect(decide(registry.get(ROLE)!.trust, stranger, 'sts:AssumeRole', new Map())).toBe('allow');
    expect(() => registry.put({ arn: ROLE, maxSessionDuration: 3_600, trustPolicy: '{' })).toThrow(/not valid JSON/);
    expect(registry.get(ROLE)?.role.maxSessionDuration).toBe(7_200);
    expect(registry.delete(ROLE)).toBe(true);
    expect(registry.get(ROLE)).toBeUndefined();
    expect(registry.delete(ROLE)).toBe(false);
  });

  it('refuses the same role listed twice at start', () => {
    const role = { arn: ROLE, maxSessionDuration: 3_600, trustPolicy };
    expect(() => new RoleRegistry(ACCOUNT, [role, role])).toThrow(/listed twice/);
  });
});
