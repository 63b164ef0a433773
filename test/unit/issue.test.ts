import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { AppError, DependencyUnavailableError, UpstreamRefusedError } from '../../lib/core/errors';
import type { AssumeRoleSettings, IamStatement, TenantPolicyDocument } from '../../lib/core/model';
import type { Caller } from '../../lib/identity/authenticate';
import { type IssueDeps, type IssueRequest, issueCredentials, refreshAfterOf, resolvePartnerPolicy, sha256Hex } from '../../lib/vend/issue';
import {
  FAKE_SECRET_ACCESS_KEY,
  FAKE_SESSION_TOKEN,
  FakeDirectory,
  FakeLedger,
  FakeSts,
  fakeAccessKeyId,
  PARTNER_ID,
  partner,
  policyDocument,
  ROLE_ARN,
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

let directory: FakeDirectory;
let ledger: FakeLedger;
let sts: FakeSts;
let deps: IssueDeps;

beforeEach(() => {
  directory = new FakeDirectory();
  ledger = new FakeLedger();
  sts = new FakeSts(ISSUED_AT);
  deps = { directory, ledger, sts, now: () => ISSUED_AT, newId: () => ISSUANCE_ID };
});

function usePolicy(overrides: Partial<TenantPolicyDocument>) {
  directory.context.policy = tenantPolicy(policyDocument(overrides));
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
  it('asks STS for the tenant role with defaults, identity tags and SourceIdentity', async () => {
    await issue();
    expect(sts.federation).toEqual([]);
    expect(sts.assumeRoles).toStrictEqual([
      {
        roleArn: ROLE_ARN,
        roleSessionName: `${PARTNER_ID}.0123abcd-456`,
        durationSeconds: 3600,
        roleMaxSessionDuration: 7200,
        policy: PLAIN_POLICY,
        policyArns: [],
        externalId: undefined,
        sourceIdentity: PARTNER_ID,
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
      principalArn: `arn:aws:sts::123456789012:assumed-role/credvend-acme/${PARTNER_ID}.0123abcd-456`,
      principalId: `AROAEXAMPLEROLEID:${PARTNER_ID}.0123abcd-456`,
      sourceIdentity: PARTNER_ID,
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

  it('passes external id and managed policy ARNs, renders tenant tags, and never lets them replace the identity tags', async () => {
    usePolicy({
      modes: assumeRoleSettings({ externalId: 'acme-ext-1' }),
      managedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
      sessionTags: { project: '{{tenantId}}-{{sessionName}}', tenant: 'evil', partner: 'evil' },
    });
    await issue({ sessionName: 'nightly' });
    expect(sts.assumeRoles[0]).toMatchObject({
      roleSessionName: 'nightly',
      externalId: 'acme-ext-1',
      policyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
      tags: { project: 'acme-nightly', tenant: TENANT_ID, partner: PARTNER_ID },
      transitiveTagKeys: ['tenant', 'partner'],
    });
  });

  it('sends no tags when the role does not take them, but still a SourceIdentity', async () => {
    usePolicy({ modes: assumeRoleSettings({ sessionTags: false }), sessionTags: { project: 'x' } });
    const { record } = await issue();
    expect(sts.assumeRoles[0]).toMatchObject({ tags: {}, transitiveTagKeys: [], sourceIdentity: PARTNER_ID });
    expect(record.sourceIdentity).toBe(PARTNER_ID);
  });

  it('uses the requested duration and session name, up to the tenant maximum', async () => {
    const { record } = await issue({ durationSeconds: 7200, sessionName: 'build-42' });
    expect(sts.assumeRoles[0]).toMatchObject({ durationSeconds: 7200, roleSessionName: 'build-42' });
    expect(record).toMatchObject({ durationSeconds: 7200, expiresAt: '2026-03-04T07:06:07.000Z' });
  });

  it('renders the session name into the policy', async () => {
    usePolicy({
      statements: [{ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::b/{{tenantId}}/{{partnerId}}/{{sessionName}}/*' }],
    });
    await issue({ sessionName: 'job-7' });
    expect(JSON.parse(sts.onlyPolicy).Statement[0].Resource).toBe('arn:aws:s3:::b/acme/partner-one/job-7/*');
  });

  it('keeps only the first 512 characters of the user agent', async () => {
    const { record } = await issue({}, partnerCaller, 'u'.repeat(600));
    expect(record.userAgent).toBe('u'.repeat(512));
  });
});

describe('issueCredentials, federation', () => {
  it('asks STS for a federation token named after the partner, with the federation defaults', async () => {
    usePolicy({ managedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] });
    const { record } = await issue({ mode: 'federation' });
    expect(sts.assumeRoles).toEqual([]);
    expect(sts.federation).toStrictEqual([
      { name: PARTNER_ID, durationSeconds: 1800, policy: PLAIN_POLICY, policyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] },
    ]);
    expect(record).toEqual({
      issuanceId: ISSUANCE_ID,
      tenantId: TENANT_ID,
      partnerId: PARTNER_ID,
      keyId: KEY_ID,
      mode: 'federation',
      accessKeyId: fakeAccessKeyId(),
      principalArn: `arn:aws:sts::123456789012:federated-user/${PARTNER_ID}`,
      principalId: `123456789012:${PARTNER_ID}`,
      policyVersion: 4,
      policySha256: sha256Hex(PLAIN_POLICY),
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

  it("follows the tenant's default mode", async () => {
    usePolicy({ defaultMode: 'federation' });
    await issue({ sessionName: 'batch' });
    expect(sts.federation.map((r) => r.name)).toEqual(['batch']);
    expect(sts.assumeRoles).toEqual([]);
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
      message: `durationSeconds ${max + 1} exceeds the tenant's maximum of ${max} for ${mode}`,
      details: [{ path: '$.durationSeconds', message: `at most ${max}`, limit: 'TenantMaxDuration' }],
    });
    expectNothingIssued();
  });

  it('422 duration_not_allowed when the tenant default itself is over its maximum', async () => {
    usePolicy({ modes: assumeRoleSettings({ defaultDurationSeconds: 9000, maxDurationSeconds: 3600 }) });
    expect(await refusal({})).toMatchObject({ statusCode: 422, code: 'duration_not_allowed' });
    expectNothingIssued();
  });

  it('never sends STS a template with an unknown placeholder', async () => {
    usePolicy({ statements: [{ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::{{bucket}}/*' }] });
    await expect(issue()).rejects.toThrow('Unknown template placeholder {{bucket}}');
    expectNothingIssued();
  });
});

describe('issueCredentials STS limits (422 sts_limit_exceeded, STS not called)', () => {
  const bigStatements: IamStatement[] = [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${'b'.repeat(2100)}` }];
  const arns = (n: number) => Array.from({ length: n }, (_, i) => `arn:aws:iam::aws:policy/P${i}`);
  const manyTags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`t${i}`, 'v']));

  it.each<[string, () => void, IssueRequest, string]>([
    ['a 33-char federation name', () => undefined, { mode: 'federation', sessionName: 'n'.repeat(33) }, 'GetFederationToken Name'],
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
      () => usePolicy({ statements: [{ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::bucket/Ā' }] }),
      { mode: 'federation' },
      'Policy',
    ],
    ['11 managed policy ARNs (federation)', () => usePolicy({ managedPolicyArns: arns(11) }), { mode: 'federation' }, 'PolicyArns'],
    ['a 65-char role session name', () => undefined, { sessionName: 'n'.repeat(65) }, 'RoleSessionName'],
    ['a role session name with a quote', () => undefined, { sessionName: 'a"b' }, 'RoleSessionName'],
    ['an AssumeRole duration under 900', () => undefined, { durationSeconds: 600 }, 'AssumeRole DurationSeconds'],
    [
      'an AssumeRole duration over 43200',
      () => usePolicy({ modes: assumeRoleSettings({ maxDurationSeconds: 50_000, roleMaxSessionDuration: 50_000 }) }),
      { durationSeconds: 43_201 },
      'AssumeRole DurationSeconds',
    ],
    [
      "a duration over the role's MaxSessionDuration",
      () => usePolicy({ modes: assumeRoleSettings({ maxDurationSeconds: 7200, roleMaxSessionDuration: 3600 }) }),
      { durationSeconds: 3601 },
      'MaxSessionDuration',
    ],
    ['a 1-char external id', () => usePolicy({ modes: assumeRoleSettings({ externalId: 'x' }) }), {}, 'ExternalId'],
    ['an AssumeRole policy over 2048 characters', () => usePolicy({ statements: bigStatements }), {}, 'Policy'],
    ['11 managed policy ARNs (assume-role)', () => usePolicy({ managedPolicyArns: arns(11) }), {}, 'PolicyArns'],
    ['51 session tags (49 + tenant + partner)', () => usePolicy({ sessionTags: manyTags(49) }), {}, 'Tags'],
    ['a tag key over 128 characters', () => usePolicy({ sessionTags: { ['k'.repeat(129)]: 'v' } }), {}, 'Tags'],
    [
      'a rendered tag value over 256 characters',
      () => usePolicy({ sessionTags: { s: '{{sessionName}}'.repeat(5) } }),
      { sessionName: 'n'.repeat(60) },
      'Tags',
    ],
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

  it('SourceIdentity: a partner id STS would refuse as SourceIdentity is caught before STS', async () => {
    // Partner ids are 3-32 chars in practice (ID_PATTERN); a 1-char one shows the check is wired.
    const err = await refusal({}, { ...partnerCaller, partnerId: 'p' });
    expect(err.details.map((d) => d.limit)).toEqual(['SourceIdentity']);
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

describe('resolvePartnerPolicy', () => {
  it('answers the policy, the mode and its settings', async () => {
    await expect(resolvePartnerPolicy(directory, partnerCaller)).resolves.toEqual({
      policy: directory.context.policy,
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
