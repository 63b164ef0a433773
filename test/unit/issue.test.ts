import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { AppError, DependencyUnavailableError, UpstreamRefusedError } from '../../lib/core/errors';
import type { AssumeRoleSettings, IamStatement, TenantPolicyDocument } from '../../lib/core/model';
import type { Caller } from '../../lib/identity/authenticate';
import { type IssueDeps, type IssueRequest, issueCredentials, refreshAfterOf, resolvePartnerPolicy, sha256Hex } from '../../lib/vend/issue';
import { federationName, partnerIdentity } from '../../lib/vend/principal-names';
import {
  binding,
  EXTERNAL_ID,
  FAKE_SECRET_ACCESS_KEY,
  FAKE_SESSION_TOKEN,
  FakeDirectory,
  FakeLedger,
  FakeSts,
  FEDERATION_BOUNDARY,
  fakeAccessKeyId,
  NO_MFA,
  PARTNER_ID,
  partner,
  policyDocument,
  ROLE_ARN,
  ROLE_NAME,
  TENANT_ID,
  tenant,
  tenantPolicy,
} from './issuance-fakes';

const ISSUED_AT = new Date('2026-03-04T05:06:07.000Z');
const ISSUANCE_ID = '0123abcd-4567-89ef-0123-456789abcdef';
const KEY_ID = 'pk-abcdefghijklmnop';
const partnerCaller: Caller = { kind: 'partner', keyId: KEY_ID, tenantId: TENANT_ID, partnerId: PARTNER_ID };

/** S3_STATEMENTS rendered for acme / partner-one. */
const RENDERED: IamStatement[] = [
  {
    Sid: 'TenantObjects',
    Effect: 'Allow',
    Action: ['s3:GetObject', 's3:PutObject'],
    Resource: 'arn:aws:s3:::acme-data/acme/partner-one/*',
  },
  { Sid: 'List', Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::acme-data' },
  { Sid: 'NoDelete', Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*' },
];
const PLAIN_POLICY = JSON.stringify({ Version: '2012-10-17', Statement: RENDERED });

/** SourceIdentity, and every RoleSessionName's fixed part: derived from tenant and partner, never from the request. */
const IDENTITY = partnerIdentity(TENANT_ID, PARTNER_ID);
/** The federation Name without a suffix. */
const FEDERATION_NAME = federationName(TENANT_ID, PARTNER_ID);
/** RoleSessionName without a sessionName: the issuance id's first 8 characters as the suffix. */
const DEFAULT_SESSION = `${IDENTITY}.0123abcd`;

let directory: FakeDirectory;
let ledger: FakeLedger;
let sts: FakeSts;
let deps: IssueDeps;

beforeEach(() => {
  directory = new FakeDirectory();
  ledger = new FakeLedger();
  sts = new FakeSts(ISSUED_AT);
  deps = { directory, ledger, sts, now: () => ISSUED_AT, newId: () => ISSUANCE_ID, mfa: NO_MFA };
});

function usePolicy(overrides: Partial<TenantPolicyDocument>) {
  directory.context.policy = tenantPolicy(policyDocument(overrides));
}

function useBinding(overrides: Parameters<typeof binding>[0]) {
  directory.context.tenant = tenant({ binding: binding(overrides) });
}

function assumeRoleSettings(overrides: Partial<AssumeRoleSettings>): TenantPolicyDocument['modes'] {
  return { ...policyDocument().modes, 'assume-role': { ...policyDocument().modes['assume-role']!, ...overrides } };
}

function issue(request: IssueRequest = {}, caller: Caller = partnerCaller, userAgent = 'credvend-client/1.0') {
  return issueCredentials(deps, { caller, requestId: 'req-1', sourceIp: '203.0.113.9', userAgent }, request);
}

async function refusal(request: IssueRequest, caller?: Caller): Promise<AppError> {
  const err = await issue(request, caller).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  // Nothing may be issued or recorded on any refusal that happens before STS.
  return err as AppError;
}

function expectNothingIssued() {
  expect(sts.calls).toBe(0);
  expect(ledger.records).toEqual([]);
}

describe('issueCredentials, assume-role', () => {
  it("asks STS for the binding's role with defaults, the binding's external ID, identity tags and SourceIdentity", async () => {
    await issue();
    expect(sts.federation).toEqual([]);
    expect(IDENTITY).toMatch(/^acme\.partner-one\.[a-z2-7]{16}$/);
    expect(sts.assumeRoles).toStrictEqual([
      {
        roleArn: ROLE_ARN,
        roleSessionName: DEFAULT_SESSION,
        durationSeconds: 3600,
        roleMaxSessionDuration: 7200,
        policy: PLAIN_POLICY,
        policyArns: [],
        externalId: EXTERNAL_ID,
        sourceIdentity: IDENTITY,
        tags: { tenant: TENANT_ID, partner: PARTNER_ID },
        transitiveTagKeys: ['tenant', 'partner'],
      },
    ]);
  });

  it('records exactly the facts of the issuance, and returns that record after it is written', async () => {
    const result = await issue();
    const expected = {
      issuanceId: ISSUANCE_ID,
      tenantId: TENANT_ID,
      partnerId: PARTNER_ID,
      keyId: KEY_ID,
      mode: 'assume-role',
      accessKeyId: fakeAccessKeyId(),
      principalArn: `arn:aws:sts::123456789012:assumed-role/acme/${DEFAULT_SESSION}`,
      principalId: `AROAEXAMPLEROLEID:${DEFAULT_SESSION}`,
      sourceIdentity: IDENTITY,
      policyVersion: 4,
      policySha256: createHash('sha256').update(PLAIN_POLICY).digest('hex'),
      durationSeconds: 3600,
      issuedAt: '2026-03-04T05:06:07.000Z',
      expiresAt: '2026-03-04T06:06:07.000Z',
      sourceIp: '203.0.113.9',
      userAgent: 'credvend-client/1.0',
      requestId: 'req-1',
      status: 'active',
    };
    expect(result.record).toEqual(expected);
    expect(result.record.scope).toBeUndefined();
    expect(ledger.records).toEqual([expected]);
    expect(result.credentials).toMatchObject({
      accessKeyId: fakeAccessKeyId(),
      secretAccessKey: FAKE_SECRET_ACCESS_KEY,
      sessionToken: FAKE_SESSION_TOKEN,
      expiration: new Date('2026-03-04T06:06:07.000Z'),
    });
    // 80% of a one-hour life.
    expect(result.refreshAfter).toEqual(new Date('2026-03-04T05:54:07.000Z'));
  });

  it.each(['assume-role', 'federation'] as const)('keeps every secret out of the %s record', async (mode) => {
    const { record } = await issue({ mode });
    const text = JSON.stringify(record);
    expect(text).not.toContain(FAKE_SECRET_ACCESS_KEY);
    expect(text).not.toContain(FAKE_SESSION_TOKEN);
    expect(JSON.stringify(ledger.records)).not.toContain(FAKE_SECRET_ACCESS_KEY);
    expect(JSON.stringify(ledger.records)).not.toContain(FAKE_SESSION_TOKEN);
  });

  it('passes managed policy ARNs, renders tenant tags, and never lets them replace the identity tags', async () => {
    usePolicy({
      managedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
      sessionTags: { project: '{{tenantId}}-{{partnerId}}', tenant: 'evil', partner: 'evil' },
    });
    await issue({ sessionName: 'nightly' });
    expect(sts.assumeRoles[0]).toMatchObject({
      roleSessionName: `${IDENTITY}.nightly`,
      externalId: EXTERNAL_ID,
      policyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
      tags: { project: 'acme-partner-one', tenant: TENANT_ID, partner: PARTNER_ID },
      transitiveTagKeys: ['tenant', 'partner'],
    });
  });

  it("ignores operator-owned fields a stored document still carries: the ARN and external ID are the binding's", async () => {
    // As if written before bindings and never upgraded: the tenant-chosen values must not reach STS.
    const stale = { roleArn: 'arn:aws:iam::999999999999:role/victim', externalId: 'victim-ext', roleMaxSessionDuration: 43_200 };
    usePolicy({ modes: assumeRoleSettings(stale as Partial<AssumeRoleSettings>), sessionTags: { project: 'x' } });
    const { record } = await issue();
    expect(sts.assumeRoles[0]).toMatchObject({
      roleArn: ROLE_ARN,
      externalId: EXTERNAL_ID,
      roleMaxSessionDuration: 7200,
      tags: { project: 'x', tenant: TENANT_ID, partner: PARTNER_ID },
      transitiveTagKeys: ['tenant', 'partner'],
      sourceIdentity: IDENTITY,
    });
    expect(record.sourceIdentity).toBe(IDENTITY);
  });

  it('uses the requested duration, up to the tenant maximum, and the session name as a suffix only', async () => {
    const { record } = await issue({ durationSeconds: 7200, sessionName: 'build-42' });
    expect(sts.assumeRoles[0]).toMatchObject({ durationSeconds: 7200, roleSessionName: `${IDENTITY}.build-42`, sourceIdentity: IDENTITY });
    expect(record).toMatchObject({ durationSeconds: 7200, expiresAt: '2026-03-04T07:06:07.000Z' });
  });

  it('refuses a stored policy that still uses the withdrawn {{sessionName}} placeholder (403, STS not called)', async () => {
    usePolicy({
      statements: [{ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::acme-data/{{tenantId}}/{{partnerId}}/{{sessionName}}/*' }],
    });
    const err = await refusal({ sessionName: 'job-7' });
    expect(err).toMatchObject({ statusCode: 403, code: 'policy_needs_update' });
    expect(err.details).toEqual([{ path: '$.statements', message: 'Unknown template placeholder {{sessionName}}' }]);
    // Federation is refused too (403, before STS), whichever check meets the placeholder first.
    const federation = await refusal({ mode: 'federation', sessionName: 'job-7' });
    expect(federation.statusCode).toBe(403);
    expect(JSON.stringify(federation.details)).toContain('{{sessionName}}');
    expectNothingIssued();
  });

  it('refuses {{sessionName}} in a stored tag value too, rendering nothing a caller typed', async () => {
    usePolicy({ sessionTags: { session: '{{sessionName}}' } });
    const err = await issue({ sessionName: 'job-7' }).then(
      () => undefined,
      (e: unknown) => e as AppError,
    );
    expect(err).toMatchObject({ statusCode: 403, code: 'policy_needs_update', details: [{ path: '$.sessionTags' }] });
    expectNothingIssued();
  });

  it('keeps only the first 512 characters of the user agent', async () => {
    const { record } = await issue({}, partnerCaller, 'u'.repeat(600));
    expect(record.userAgent).toBe('u'.repeat(512));
  });
});

describe('issueCredentials, federation', () => {
  it('asks STS for a federation token named after tenant and partner, with the federation defaults and identity tags', async () => {
    usePolicy({ managedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] });
    useBinding({
      federation: { resourceBoundary: [...FEDERATION_BOUNDARY], managedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] },
    });
    const { record } = await issue({ mode: 'federation' });
    expect(sts.assumeRoles).toEqual([]);
    expect(FEDERATION_NAME).toMatch(/^acme\.part\.[a-z2-7]{16}$/);
    expect(sts.federation).toStrictEqual([
      {
        name: FEDERATION_NAME,
        durationSeconds: 1800,
        policy: PLAIN_POLICY,
        policyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
        tags: { tenant: TENANT_ID, partner: PARTNER_ID },
      },
    ]);
    expect(record).toEqual({
      issuanceId: ISSUANCE_ID,
      tenantId: TENANT_ID,
      partnerId: PARTNER_ID,
      keyId: KEY_ID,
      mode: 'federation',
      accessKeyId: fakeAccessKeyId(),
      principalArn: `arn:aws:sts::123456789012:federated-user/${FEDERATION_NAME}`,
      principalId: `123456789012:${FEDERATION_NAME}`,
      policyVersion: 4,
      // The inline policy and the managed policy ARNs, one a line.
      policySha256: sha256Hex(`${PLAIN_POLICY}\narn:aws:iam::aws:policy/ReadOnlyAccess`),
      durationSeconds: 1800,
      issuedAt: '2026-03-04T05:06:07.000Z',
      expiresAt: '2026-03-04T05:36:07.000Z',
      sourceIp: '203.0.113.9',
      userAgent: 'credvend-client/1.0',
      requestId: 'req-1',
      status: 'active',
    });
    expect(record.sourceIdentity).toBeUndefined();
    expect(ledger.records).toHaveLength(1);
  });

  it("follows the tenant's default mode, the session name a suffix of the derived Name", async () => {
    usePolicy({ defaultMode: 'federation' });
    await issue({ sessionName: 'batch' });
    expect(sts.federation.map((r) => r.name)).toEqual([`${FEDERATION_NAME}-batch`]);
    expect(sts.assumeRoles).toEqual([]);
  });

  it('tags federation sessions with tenant and partner; tenant tags cannot replace them', async () => {
    usePolicy({ sessionTags: { project: '{{tenantId}}', tenant: 'globex', partner: 'victim' } });
    await issue({ mode: 'federation' });
    expect(sts.federation[0]!.tags).toEqual({ project: TENANT_ID, tenant: TENANT_ID, partner: PARTNER_ID });
  });

  it("a token's claim tags join the session's; they replace a policy tag of their key, never tenant or partner", async () => {
    // (Tenant policies may not use oidc: keys; one stored before that rule still loses to the token's.)
    usePolicy({ sessionTags: { project: 'p', 'OIDC:Repository': 'from-policy' } });
    const caller: Caller = { ...partnerCaller, claimTags: { 'oidc:repository': 'acme/app', tenant: 'globex', partner: 'victim' } };
    await issue({}, caller);
    expect(sts.assumeRoles[0]!.tags).toEqual({ project: 'p', 'oidc:repository': 'acme/app', tenant: TENANT_ID, partner: PARTNER_ID });
    expect(sts.assumeRoles[0]!.transitiveTagKeys).toEqual(['tenant', 'partner']);
    // Never in the ledger: the record keeps who the token named (webIdentity), not its claims.
    expect(JSON.stringify(ledger.records)).not.toContain('acme/app');
  });
});

describe('issueCredentials, scope', () => {
  it('narrows the policy with Deny statements and records the scope', async () => {
    const scope = { actions: ['s3:GetObject'], resources: ['arn:aws:s3:::acme-data/acme/partner-one/in/*'] };
    const { record } = await issue({ scope });
    const sent = JSON.parse(sts.onlyPolicy);
    expect(sent).toEqual({
      Version: '2012-10-17',
      Statement: [
        ...RENDERED,
        { Sid: 'CredvendScopeActions', Effect: 'Deny', NotAction: ['s3:GetObject'], Resource: '*' },
        { Sid: 'CredvendScopeResources', Effect: 'Deny', Action: '*', NotResource: ['arn:aws:s3:::acme-data/acme/partner-one/in/*'] },
      ],
    });
    expect(record.scope).toEqual(scope);
    expect(record.policySha256).toBe(sha256Hex(sts.onlyPolicy));
  });

  it('records a one-sided scope with an empty other side, and an empty scope as none', async () => {
    expect((await issue({ scope: { actions: ['s3:ListBucket'] } })).record.scope).toEqual({ actions: ['s3:ListBucket'], resources: [] });
    expect((await issue({ scope: { resources: ['arn:aws:s3:::acme-data'] } })).record.scope).toEqual({
      actions: [],
      resources: ['arn:aws:s3:::acme-data'],
    });
    expect((await issue({ scope: {} })).record.scope).toBeUndefined();
    expect((await issue({ scope: { actions: [], resources: [] } })).record.scope).toBeUndefined();
    expect(sts.assumeRoles.slice(2).map((r) => r.policy)).toEqual([PLAIN_POLICY, PLAIN_POLICY]);
  });

  it('403 scope_not_allowed naming what the tenant policy does not cover; STS is not called', async () => {
    const err = await refusal({ scope: { actions: ['s3:GetObject', 's3:DeleteObject'], resources: ['arn:aws:s3:::acme-data/other/*'] } });
    expect(err).toMatchObject({ statusCode: 403, code: 'scope_not_allowed' });
    expect(err.details.map((d) => [d.path, d.action, d.resource])).toEqual([
      ['$.scope.actions[0]', 's3:GetObject', 'arn:aws:s3:::acme-data/other/*'],
      ['$.scope.actions[1]', 's3:DeleteObject', 'arn:aws:s3:::acme-data/other/*'],
    ]);
    expectNothingIssued();
  });

  it("does not let another partner's prefix through: the scope is checked against the rendered policy", async () => {
    const err = await refusal({ scope: { resources: ['arn:aws:s3:::acme-data/acme/partner-two/*'] } });
    expect(err.code).toBe('scope_not_allowed');
    expectNothingIssued();
  });
});

describe('issueCredentials refusals before STS', () => {
  it.each<[string, () => void, number, string]>([
    ['tenant disabled', () => (directory.context.tenant = tenant({ status: 'disabled' })), 403, 'tenant_disabled'],
    ['partner disabled', () => (directory.context.partner = partner({ status: 'disabled' })), 403, 'partner_disabled'],
    ['no policy', () => (directory.context.policy = undefined), 403, 'policy_not_configured'],
    ['tenant gone', () => (directory.context.tenant = undefined), 401, 'invalid_key'],
    ['partner gone', () => (directory.context.partner = undefined), 401, 'invalid_key'],
  ])('%s -> %i %s', async (_, arrange, status, code) => {
    arrange();
    const err = await refusal({});
    expect(err).toMatchObject({ statusCode: status, code });
    expect(directory.contextRequests).toEqual([[TENANT_ID, PARTNER_ID]]);
    expectNothingIssued();
  });

  it('403 mode_not_allowed for a mode the tenant did not enable (requested or default)', async () => {
    usePolicy({ modes: { 'assume-role': policyDocument().modes['assume-role'] } });
    const err = await refusal({ mode: 'federation' });
    expect(err).toMatchObject({ statusCode: 403, code: 'mode_not_allowed', message: 'The tenant does not allow federation credentials' });
    usePolicy({ defaultMode: 'assume-role', modes: { federation: policyDocument().modes.federation } });
    expect(await refusal({})).toMatchObject({ statusCode: 403, code: 'mode_not_allowed' });
    expectNothingIssued();
  });

  it.each<[string, Caller]>([
    ['an admin key', { kind: 'admin', keyId: 'ak-abcdefghijklmnop', tenantId: TENANT_ID }],
    ['an operator key', { kind: 'operator', keyId: 'ok-abcdefghijklmnop' }],
    ['a partner caller without partner id', { kind: 'partner', keyId: KEY_ID, tenantId: TENANT_ID }],
    ['a partner caller without tenant id', { kind: 'partner', keyId: KEY_ID, partnerId: PARTNER_ID }],
  ])('403 wrong_key_kind for %s, before any lookup', async (_, caller) => {
    expect(await refusal({}, caller)).toMatchObject({ statusCode: 403, code: 'wrong_key_kind' });
    expect(directory.calls.getPartnerContext).toBe(0);
    expectNothingIssued();
  });

  it.each(['assume-role', 'federation'] as const)('422 duration_not_allowed over the tenant maximum (%s)', async (mode) => {
    const max = mode === 'federation' ? 43_200 : 7200;
    const err = await refusal({ mode, durationSeconds: max + 1 });
    expect(err).toMatchObject({
      statusCode: 422,
      code: 'duration_not_allowed',
      message: `durationSeconds ${max + 1} exceeds the maximum of ${max} for ${mode}`,
      details: [{ path: '$.durationSeconds', message: `at most ${max}`, limit: 'TenantMaxDuration' }],
    });
    expectNothingIssued();
  });

  it('caps a stored default that is over the maximum at the maximum', async () => {
    usePolicy({ modes: assumeRoleSettings({ defaultDurationSeconds: 9000, maxDurationSeconds: 3600 }) });
    const { record } = await issue();
    expect(sts.assumeRoles[0]!.durationSeconds).toBe(3600);
    expect(record.durationSeconds).toBe(3600);
  });

  it('never sends STS a template with an unknown placeholder (403 policy_needs_update: the policy must be updated)', async () => {
    usePolicy({ statements: [{ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::{{bucket}}/*' }] });
    const err = await refusal({});
    expect(err).toMatchObject({ statusCode: 403, code: 'policy_needs_update' });
    expect(err.details).toEqual([{ path: '$.statements', message: 'Unknown template placeholder {{bucket}}' }]);
    expectNothingIssued();
  });
});

describe('issueCredentials STS limits (422 sts_limit_exceeded, STS not called)', () => {
  // Inside the federation boundary, so the STS limit is what refuses them.
  const bigStatements: IamStatement[] = [
    { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::acme-data/acme/${'b'.repeat(2100)}` },
  ];
  const arns = (n: number) => Array.from({ length: n }, (_, i) => `arn:aws:iam::aws:policy/P${i}`);
  const manyTags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`t${i}`, 'v']));

  it.each<[string, () => void, IssueRequest, string]>([
    ['a 33-char federation name', () => undefined, { mode: 'federation', sessionName: 'n'.repeat(33) }, 'GetFederationToken Name'],
    // The derived Name is 26 characters and a dash: 5 more fit in 32.
    ['a 6-char federation suffix', () => undefined, { mode: 'federation', sessionName: 'n'.repeat(6) }, 'GetFederationToken Name'],
    ['a federation name with a space', () => undefined, { mode: 'federation', sessionName: 'a b' }, 'GetFederationToken Name'],
    [
      'a federation duration under 900',
      () => undefined,
      { mode: 'federation', durationSeconds: 899 },
      'GetFederationToken DurationSeconds',
    ],
    [
      'a federation duration over 129600',
      () => usePolicy({ modes: { federation: { defaultDurationSeconds: 900, maxDurationSeconds: 200_000 } } }),
      { mode: 'federation', durationSeconds: 129_601 },
      'GetFederationToken DurationSeconds',
    ],
    ['a federation policy over 2048 characters', () => usePolicy({ statements: bigStatements }), { mode: 'federation' }, 'Policy'],
    [
      'a federation policy character above \\xFF',
      () => usePolicy({ statements: [{ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::acme-data/acme/Ā' }] }),
      { mode: 'federation' },
      'Policy',
    ],
    [
      '11 managed policy ARNs (federation, all of them allowed by the binding)',
      () => {
        usePolicy({ managedPolicyArns: arns(11) });
        useBinding({ federation: { resourceBoundary: [...FEDERATION_BOUNDARY], managedPolicyArns: arns(11) } });
      },
      { mode: 'federation' },
      'PolicyArns',
    ],
    ['a 65-char role session name', () => undefined, { sessionName: 'n'.repeat(65) }, 'RoleSessionName'],
    // For acme/partner-one the derived part is 33 characters and a dot: 30 more fit in 64.
    ['a 31-char role session suffix', () => undefined, { sessionName: 'n'.repeat(31) }, 'RoleSessionName'],
    ['a role session name with a quote', () => undefined, { sessionName: 'a"b' }, 'RoleSessionName'],
    ['an AssumeRole duration under 900', () => undefined, { durationSeconds: 600 }, 'AssumeRole DurationSeconds'],
    [
      'an AssumeRole duration over 43200',
      () => {
        usePolicy({ modes: assumeRoleSettings({ maxDurationSeconds: 50_000 }) });
        useBinding({ roles: { [ROLE_NAME]: { roleArn: ROLE_ARN, maxSessionDuration: 50_000 } } });
      },
      { durationSeconds: 43_201 },
      'AssumeRole DurationSeconds',
    ],
    ["a 1-char external id (the binding's)", () => useBinding({ externalId: 'x' }), {}, 'ExternalId'],
    ['an AssumeRole policy over 2048 characters', () => usePolicy({ statements: bigStatements }), {}, 'Policy'],
    ['11 managed policy ARNs (assume-role)', () => usePolicy({ managedPolicyArns: arns(11) }), {}, 'PolicyArns'],
    ['51 session tags (49 + tenant + partner)', () => usePolicy({ sessionTags: manyTags(49) }), {}, 'Tags'],
    ['51 federation session tags', () => usePolicy({ sessionTags: manyTags(49) }), { mode: 'federation' }, 'Tags'],
    ['a federation tag value STS does not allow', () => usePolicy({ sessionTags: { s: 'a"b' } }), { mode: 'federation' }, 'Tags'],
    ['a tag key over 128 characters', () => usePolicy({ sessionTags: { ['k'.repeat(129)]: 'v' } }), {}, 'Tags'],
    ['a rendered tag value over 256 characters', () => usePolicy({ sessionTags: { s: '{{partnerId}}'.repeat(24) } }), {}, 'Tags'],
  ])('%s', async (_, arrange, request, limit) => {
    arrange();
    const err = await refusal(request);
    expect(err).toMatchObject({ statusCode: 422, code: 'sts_limit_exceeded' });
    expect(err.details.map((d) => d.limit)).toEqual([limit]);
    expect(err.message).toBe(`The request breaks an STS limit: ${limit}`);
    expectNothingIssued();
  });

  it('50 session tags in all are fine', async () => {
    usePolicy({ sessionTags: manyTags(48) });
    await issue();
    expect(Object.keys(sts.assumeRoles[0]!.tags)).toHaveLength(50);
  });

  it('SourceIdentity: a partner id STS would refuse in the derived names is caught before STS', async () => {
    // Partner ids match ID_PATTERN in practice; one with a slash shows the checks are wired.
    const err = await refusal({}, { ...partnerCaller, partnerId: 'p/x' });
    expect(err.details.map((d) => d.limit)).toEqual(['RoleSessionName', 'SourceIdentity']);
    expectNothingIssued();
  });
});

describe('issueCredentials after STS', () => {
  it('lets an STS error through and records nothing', async () => {
    sts.failWith = new UpstreamRefusedError('sts_access_denied', 'STS denied the request (check the role trust policy)');
    await expect(issue()).rejects.toBe(sts.failWith);
    expect(sts.calls).toBe(1);
    expect(ledger.records).toEqual([]);
  });

  it('fails closed: a ledger failure propagates as 503 audit_write_failed and no credentials are returned', async () => {
    ledger.failWith = new DependencyUnavailableError(
      'audit_write_failed',
      'The issuance could not be recorded; no credentials were issued',
      {
        retryAfterSeconds: 1,
      },
    );
    let result: unknown;
    let thrown: unknown;
    try {
      result = await issue();
    } catch (err) {
      thrown = err;
    }
    expect(result).toBeUndefined();
    expect(thrown).toBe(ledger.failWith);
    expect(thrown).toMatchObject({ statusCode: 503, code: 'audit_write_failed' });
    expect(JSON.stringify(thrown)).not.toContain(FAKE_SECRET_ACCESS_KEY);
    expect(sts.calls).toBe(1);
  });
});

describe('issueCredentials within the operator\'s binding (DESIGN.md "Trust model")', () => {
  /** 403 policy_outside_binding, with the binding problems' codes as details, and nothing issued. */
  async function outsideBinding(request: IssueRequest): Promise<string[]> {
    const err = await refusal(request);
    expect(err).toMatchObject({ statusCode: 403, code: 'policy_outside_binding' });
    expectNothingIssued();
    return err.details.map((d) => d.code as string);
  }

  it('403 binding_not_configured for a tenant no operator has bound, before STS', async () => {
    directory.context.tenant = tenant({ binding: undefined });
    for (const mode of ['assume-role', 'federation'] as const) {
      expect(await refusal({ mode })).toMatchObject({ statusCode: 403, code: 'binding_not_configured' });
    }
    expectNothingIssued();
  });

  it('a policy naming a role the binding lacks gets 403 policy_outside_binding, and STS is never called', async () => {
    usePolicy({ modes: assumeRoleSettings({ role: 'admin' }) });
    expect(await outsideBinding({})).toEqual(['role_not_bound']);
  });

  it("cannot reach a role through the object prototype: only the binding's own role names count", async () => {
    for (const role of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      usePolicy({ modes: assumeRoleSettings({ role }) });
      expect(await outsideBinding({})).toEqual(['role_not_bound']);
    }
  });

  it('refuses a role bound once and unbound since: the binding is checked at every issuance', async () => {
    useBinding({ roles: { other: { roleArn: 'arn:aws:iam::123456789012:role/credvend/other', maxSessionDuration: 3600 } } });
    expect(await outsideBinding({})).toEqual(['role_not_bound']);
  });

  it("refuses a policy maximum over the bound role's MaxSessionDuration (lowered since the PUT)", async () => {
    useBinding({ roles: { [ROLE_NAME]: { roleArn: ROLE_ARN, maxSessionDuration: 3600 } } });
    expect(await outsideBinding({ durationSeconds: 900 })).toEqual(['exceeds_role_max_session_duration']);
  });

  it('federation: 403 when the binding does not enable it, or a granted resource leaves the boundary', async () => {
    useBinding({ federation: undefined });
    expect(await outsideBinding({ mode: 'federation' })).toEqual(['federation_not_enabled']);
    useBinding({ federation: { resourceBoundary: ['arn:aws:s3:::acme-data/acme/partner-one/*'] } });
    // The bucket listing is outside, and {{partnerId}} stands for any partner, so the object prefix is too.
    expect(await outsideBinding({ mode: 'federation' })).toEqual(['outside_federation_boundary', 'outside_federation_boundary']);
  });

  it('the federation boundary does not constrain assume-role, whose role the tenant owns', async () => {
    useBinding({ federation: { resourceBoundary: ['arn:aws:s3:::elsewhere/*'] } });
    await issue();
    expect(sts.assumeRoles).toHaveLength(1);
  });

  it("always sends the binding's current external ID, never the next one of a rotation", async () => {
    useBinding({ externalId: 'cv-currentcurrentcurrentcurrentcurr', nextExternalId: 'cv-nextnextnextnextnextnextnextnext' });
    await issue();
    expect(sts.assumeRoles[0]!.externalId).toBe('cv-currentcurrentcurrentcurrentcurr');
  });

  it('caps a stored policy at a duration ceiling lowered since the PUT: issued, never above the ceiling (assume-role)', async () => {
    // The policy allows 7200 (default 3600); the binding now allows 1800.
    useBinding({ maxDurationSeconds: 1800 });
    const { record } = await issue();
    expect(sts.assumeRoles.map((r) => r.durationSeconds)).toEqual([1800]);
    expect(record.durationSeconds).toBe(1800);
    await issue({ durationSeconds: 900 });
    expect(sts.assumeRoles.map((r) => r.durationSeconds)).toEqual([1800, 900]);
    const err = await refusal({ durationSeconds: 1801 });
    expect(err).toMatchObject({
      statusCode: 422,
      code: 'duration_not_allowed',
      message: 'durationSeconds 1801 exceeds the maximum of 1800 for assume-role',
      details: [{ path: '$.durationSeconds', message: 'at most 1800', limit: 'TenantMaxDuration' }],
    });
    expect(sts.calls).toBe(2);
    expect(ledger.records).toHaveLength(2);
  });

  it('caps federation at a lowered duration ceiling too', async () => {
    // The policy allows 43200 (default 1800); the binding now allows 1200.
    useBinding({ maxDurationSeconds: 1200 });
    await issue({ mode: 'federation' });
    expect(sts.federation.map((r) => r.durationSeconds)).toEqual([1200]);
    expect(await refusal({ mode: 'federation', durationSeconds: 1201 })).toMatchObject({ statusCode: 422, code: 'duration_not_allowed' });
    expect(sts.calls).toBe(1);
  });

  it('a ceiling above the default leaves the default alone', async () => {
    useBinding({ maxDurationSeconds: 5400 });
    await issue();
    expect(sts.assumeRoles.map((r) => r.durationSeconds)).toEqual([3600]);
  });

  it('federation: a managed policy the binding does not list is refused (403) before STS', async () => {
    // Before the allowlist, AdministratorAccess escaped the resource boundary of a federated session.
    usePolicy({ managedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] });
    expect(await outsideBinding({ mode: 'federation' })).toEqual(['managed_policy_outside_binding']);
    useBinding({
      federation: { resourceBoundary: [...FEDERATION_BOUNDARY], managedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] },
    });
    const err = await refusal({ mode: 'federation' });
    expect(err).toMatchObject({
      statusCode: 403,
      code: 'policy_outside_binding',
      details: [{ path: '$.managedPolicyArns[0]', code: 'managed_policy_outside_binding' }],
    });
    expectNothingIssued();
  });

  it('federation: refuses the policy if any one of its managed policies is unlisted', async () => {
    usePolicy({ managedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess', 'arn:aws:iam::aws:policy/AdministratorAccess'] });
    useBinding({
      federation: { resourceBoundary: [...FEDERATION_BOUNDARY], managedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] },
    });
    const err = await refusal({ mode: 'federation' });
    expect(err.details).toEqual([expect.objectContaining({ path: '$.managedPolicyArns[1]', code: 'managed_policy_outside_binding' })]);
    expectNothingIssued();
  });

  it('federation: a managed policy the binding lists is sent, and recorded in the policy hash', async () => {
    const arns = ['arn:aws:iam::aws:policy/ReadOnlyAccess', 'arn:aws:iam::123456789012:policy/credvend/acme-extra'];
    usePolicy({ managedPolicyArns: arns });
    useBinding({ federation: { resourceBoundary: [...FEDERATION_BOUNDARY], managedPolicyArns: [...arns].reverse() } });
    const { record } = await issue({ mode: 'federation' });
    expect(sts.federation.map((r) => r.policyArns)).toEqual([arns]);
    expect(record.policySha256).toBe(createHash('sha256').update(`${PLAIN_POLICY}\n${arns[0]}\n${arns[1]}`).digest('hex'));
  });

  it("assume-role: managed policies are not bound by the federation allowlist (the tenant's role bounds them)", async () => {
    usePolicy({ managedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] });
    await issue();
    expect(sts.assumeRoles.map((r) => r.policyArns)).toEqual([['arn:aws:iam::aws:policy/AdministratorAccess']]);
  });

  it("with the policy at the binding's ceiling, a request above it is 422 duration_not_allowed (both modes)", async () => {
    useBinding({ maxDurationSeconds: 3600 });
    usePolicy({
      modes: {
        ...assumeRoleSettings({ defaultDurationSeconds: 900, maxDurationSeconds: 3600 }),
        federation: { defaultDurationSeconds: 900, maxDurationSeconds: 3600 },
      },
    });
    const federation = await refusal({ mode: 'federation', durationSeconds: 3601 });
    expect(federation).toMatchObject({ statusCode: 422, code: 'duration_not_allowed' });
    const err = await refusal({ durationSeconds: 3601 });
    expect(err).toMatchObject({
      statusCode: 422,
      code: 'duration_not_allowed',
      details: [{ limit: 'TenantMaxDuration', message: 'at most 3600' }],
    });
    expectNothingIssued();
    await issue({ durationSeconds: 3600 });
    expect(sts.assumeRoles[0]!.durationSeconds).toBe(3600);
  });

  it.each<[string, IssueRequest]>([
    ['assume-role', {}],
    ['federation', { mode: 'federation' }],
  ])('a partner cannot change the fixed part of its session name (%s)', async (_, base) => {
    const attempts = ['x', '.x', '-x', 'globex.partner-one.aaaaaaaaaaaaaaaa', 'acme.other.aaaa', '..', '@a', '=', 'a,b'].filter(
      (n) => n.length <= (base.mode === 'federation' ? 5 : 12),
    );
    expect(attempts.length).toBeGreaterThanOrEqual(6);
    for (const sessionName of attempts) await issue({ ...base, sessionName });
    const names = base.mode === 'federation' ? sts.federation.map((r) => r.name) : sts.assumeRoles.map((r) => r.roleSessionName);
    const prefix = base.mode === 'federation' ? `${FEDERATION_NAME}-` : `${IDENTITY}.`;
    expect(names).toEqual(attempts.map((n) => prefix + n));
    expect(sts.assumeRoles.map((r) => r.sourceIdentity)).toEqual(base.mode === 'federation' ? [] : attempts.map(() => IDENTITY));
    // Nor what the policy grants: every issuance got the same session policy.
    expect(new Set([...sts.assumeRoles, ...sts.federation].map((r) => r.policy))).toEqual(new Set([PLAIN_POLICY]));
  });

  it("two tenants' partners with the same id get different principals", async () => {
    await issue();
    directory.context = {
      tenant: tenant({ tenantId: 'globex', binding: binding() }),
      partner: partner({ tenantId: 'globex' }),
      policy: { ...tenantPolicy(), tenantId: 'globex' },
    };
    await issue({}, { ...partnerCaller, tenantId: 'globex' });
    const [acme, globex] = sts.assumeRoles;
    expect(acme!.roleSessionName).not.toBe(globex!.roleSessionName);
    expect(acme!.sourceIdentity).not.toBe(globex!.sourceIdentity);
    expect(globex!.tags).toEqual({ tenant: 'globex', partner: PARTNER_ID });
  });
});

describe('resolvePartnerPolicy', () => {
  it('answers the policy, the mode and its settings', async () => {
    await expect(resolvePartnerPolicy(directory, partnerCaller)).resolves.toEqual({
      policy: directory.context.policy,
      binding: binding(),
      mode: 'assume-role',
      settings: policyDocument().modes['assume-role'],
    });
    await expect(resolvePartnerPolicy(directory, partnerCaller, 'federation')).resolves.toMatchObject({
      mode: 'federation',
      settings: { defaultDurationSeconds: 1800, maxDurationSeconds: 43_200 },
    });
  });
});

describe('refreshAfterOf', () => {
  const at = new Date('2026-01-01T00:00:00.000Z');
  it.each<[number, string]>([
    [3600, '2026-01-01T00:48:00.000Z'],
    [900, '2026-01-01T00:12:00.000Z'],
    [240, '2026-01-01T00:03:00.000Z'],
    [120, '2026-01-01T00:01:00.000Z'],
  ])('a %is life refreshes at %s (80%, and at least a minute early)', (seconds, expected) => {
    expect(refreshAfterOf(at, new Date(at.getTime() + seconds * 1000)).toISOString()).toBe(expected);
  });
});

describe('sha256Hex', () => {
  it('is hex SHA-256 of UTF-8', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
