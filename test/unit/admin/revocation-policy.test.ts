// The Deny statements of a revocation: built only from credvend's own identifiers, tied to one tenant,
// merged into the one inline policy credvend owns within IAM's quotas. The last block puts them on the
// local IAM and checks what they refuse: the revoked partner's sessions, and nobody else's on a role
// two tenants share.
import { IAMClient, PutRolePolicyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetFederationTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  assertTenantScoped,
  compactStatements,
  INLINE_POLICY_LIMITS,
  issuancePrincipalId,
  issuanceStatement,
  mergeRevocationPolicy,
  partnerFederationStatement,
  partnerRoleStatement,
  policySize,
  statementsOf,
  statementsSize,
  tenantShare,
  UnscopedRevocationError,
} from '../../../lib/admin/revocation-policy';
import type { IamStatement } from '../../../lib/core/model';
import { federationName, partnerIdentity, roleSessionName } from '../../../lib/vend/principal-names';
import { type LocalSts, startLocalSts } from '../../../local/sts/server';
import { type Creds, credsOf, iamVerdict, testUser, trustPolicyFor } from '../../integration/local-sts/support';

const BEFORE = new Date('2026-12-01T10:00:00.000Z');

describe('revocation statements', () => {
  it("a partner's role sessions are selected by its derived source identity, before the cutoff", () => {
    expect(partnerRoleStatement('rv1', 'acme', 'app-one', BEFORE)).toEqual({
      Sid: 'rv1',
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: {
        DateLessThan: { 'aws:TokenIssueTime': '2026-12-01T10:00:00.000Z' },
        StringEquals: { 'aws:SourceIdentity': partnerIdentity('acme', 'app-one') },
      },
    });
  });

  it('federated sessions are selected by both identity tags, never the partner tag alone', () => {
    const st = partnerFederationStatement('rv1', 'acme', 'app-one', BEFORE);
    expect(st.Condition?.StringEquals).toEqual({ 'aws:PrincipalTag/tenant': 'acme', 'aws:PrincipalTag/partner': 'app-one' });
  });

  it.each([
    ['a # in the partner id', 'acme', 'app#x'],
    ['a wildcard partner id', 'acme', '*'],
    ['a glob in the partner id', 'acme', 'app-*'],
    ['a wildcard tenant id', '*', 'app-one'],
    ['an empty partner id', 'acme', ''],
  ])('refuses %s', (_, tenantId, partnerId) => {
    expect(() => partnerRoleStatement('rv1', tenantId, partnerId, BEFORE)).toThrow(UnscopedRevocationError);
    expect(() => partnerFederationStatement('rv1', tenantId, partnerId, BEFORE)).toThrow(UnscopedRevocationError);
  });

  it('refuses a statement id IAM would not take', () => {
    expect(() => partnerRoleStatement('rv-1', 'acme', 'app-one', BEFORE)).toThrow(UnscopedRevocationError);
  });

  const roleIssuance = {
    tenantId: 'acme',
    partnerId: 'app-one',
    mode: 'assume-role' as const,
    principalId: `AROAEXAMPLEROLEID:${roleSessionName('acme', 'app-one', 'abcd1234')}`,
    issuedAt: '2026-12-01T09:00:00.000Z',
  };

  it('one issuance: its principal id from the ledger, within its issue window', () => {
    expect(issuanceStatement('rv2', roleIssuance).Condition).toEqual({
      DateGreaterThanEquals: { 'aws:TokenIssueTime': '2026-12-01T08:59:00.000Z' },
      DateLessThan: { 'aws:TokenIssueTime': '2026-12-01T09:00:01.000Z' },
      StringEquals: { 'aws:userid': roleIssuance.principalId },
    });
    const fed = { ...roleIssuance, mode: 'federation' as const, principalId: `123456789012:${federationName('acme', 'app-one', 's1')}` };
    expect(issuancePrincipalId(fed)).toBe(fed.principalId);
  });

  it.each([
    ["another tenant's partner", `AROAEXAMPLEROLEID:${roleSessionName('other', 'app-one', 'abcd1234')}`],
    ["another partner's session", `AROAEXAMPLEROLEID:${roleSessionName('acme', 'app-two', 'abcd1234')}`],
    ['a wildcard', 'AROAEXAMPLEROLEID:*'],
    ['a glob after the partner identity', `AROAEXAMPLEROLEID:${partnerIdentity('acme', 'app-one')}.*`],
    ['a wildcard role id', `*:${roleSessionName('acme', 'app-one', 'x')}`],
    ['the bare partner identity', `AROAEXAMPLEROLEID:${partnerIdentity('acme', 'app-one')}.`],
  ])('refuses a ledger principal id naming %s', (_, principalId) => {
    expect(issuancePrincipalId({ ...roleIssuance, principalId })).toBeUndefined();
    expect(() => issuanceStatement('rv2', { ...roleIssuance, principalId })).toThrow(UnscopedRevocationError);
  });
});

describe('assertTenantScoped', () => {
  const ok = partnerRoleStatement('rv1', 'acme', 'app-one', BEFORE);

  it('accepts what the builders make for the tenant', () => {
    expect(() => assertTenantScoped(ok, 'acme', 'app-one')).not.toThrow();
    expect(() => assertTenantScoped(partnerFederationStatement('rv1', 'acme', 'app-one', BEFORE), 'acme', 'app-one')).not.toThrow();
    expect(() => assertTenantScoped(issuanceStatement('rv1', roleIssuanceFor('acme')), 'acme', 'app-one')).not.toThrow();
    expect(() => assertTenantScoped(issuanceStatement('rv1', fedIssuanceFor('acme')), 'acme', 'app-one')).not.toThrow();
  });

  function fedIssuanceFor(tenantId: string) {
    return {
      tenantId,
      partnerId: 'app-one',
      mode: 'federation' as const,
      principalId: `123456789012:${federationName(tenantId, 'app-one', 'x1')}`,
      issuedAt: BEFORE.toISOString(),
    };
  }

  // F6: the names carry a hash of tenant and partner; a prefix of the tenant id alone is not enough. Two tenants
  // whose ids share the first 16 (source identity) or 4 (federation name) characters, and another partner of acme.
  const LONG = 'acmecorporation1';
  const exactly: Array<[string, IamStatement, string, string]> = [
    [
      'a source identity of a tenant sharing its first 16 characters',
      partnerRoleStatement('rv1', `${LONG}b`, 'app-one', BEFORE),
      `${LONG}a`,
      'app-one',
    ],
    [
      'a federated principal id of a tenant sharing its first 4 characters',
      issuanceStatement('rv1', fedIssuanceFor('acmeco')),
      'acme',
      'app-one',
    ],
    [
      'a session name of a tenant sharing its first 16 characters',
      issuanceStatement('rv1', roleIssuanceFor(`${LONG}b`)),
      `${LONG}a`,
      'app-one',
    ],
    ["another partner's source identity", partnerRoleStatement('rv1', 'acme', 'app-two', BEFORE), 'acme', 'app-one'],
    ["another partner's tags", partnerFederationStatement('rv1', 'acme', 'app-two', BEFORE), 'acme', 'app-one'],
  ];
  it.each(exactly)('refuses %s: only the exact principal names of this tenant and partner', (_, statement, tenantId, partnerId) => {
    expect(() => assertTenantScoped(statement, tenantId, partnerId)).toThrow(UnscopedRevocationError);
  });

  function roleIssuanceFor(tenantId: string) {
    return {
      tenantId,
      partnerId: 'app-one',
      mode: 'assume-role' as const,
      principalId: `AROAEXAMPLEROLEID:${roleSessionName(tenantId, 'app-one', 'x1')}`,
      issuedAt: BEFORE.toISOString(),
    };
  }

  const bad: Array<[string, IamStatement]> = [
    ['a Deny on * for every session of a shared role', { Sid: 'x', Effect: 'Deny', Action: '*', Resource: '*' }],
    [
      "AWS's own revoke-sessions statement (every tenant on the role)",
      { Sid: 'x', Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': BEFORE.toISOString() } } },
    ],
    ['an Allow', { ...ok, Effect: 'Allow' }],
    ['no issue-time bound', { ...ok, Condition: { StringEquals: ok.Condition?.StringEquals ?? {} } }],
    ["another tenant's source identity", partnerRoleStatement('rv1', 'other', 'app-one', BEFORE)],
    ["another tenant's tags", partnerFederationStatement('rv1', 'other', 'app-one', BEFORE)],
    [
      'the partner tag alone (every tenant with that partner id)',
      {
        ...ok,
        Condition: { DateLessThan: { 'aws:TokenIssueTime': BEFORE.toISOString() }, StringEquals: { 'aws:PrincipalTag/partner': 'pa1' } },
      },
    ],
    [
      'a wildcard source identity',
      {
        ...ok,
        Condition: { DateLessThan: { 'aws:TokenIssueTime': BEFORE.toISOString() }, StringEquals: { 'aws:SourceIdentity': 'acme.*' } },
      },
    ],
    [
      'StringLike',
      {
        ...ok,
        Condition: { DateLessThan: { 'aws:TokenIssueTime': BEFORE.toISOString() }, StringLike: { 'aws:SourceIdentity': 'acme.x' } },
      },
    ],
    ["another tenant's issuance", issuanceStatement('rv1', roleIssuanceFor('other'))],
  ];
  it.each(bad)('refuses %s', (_, statement) => {
    expect(() => assertTenantScoped(statement, 'acme', 'app-one')).toThrow(UnscopedRevocationError);
  });
});

describe('mergeRevocationPolicy', () => {
  const a = partnerRoleStatement('rvA', 'acme', 'pa1', BEFORE);
  const b = partnerRoleStatement('rvB', 'acme', 'pa2', BEFORE);

  it('adds, replaces by Sid (a retry writes nothing twice), removes, and deletes the policy when empty', () => {
    const one = mergeRevocationPolicy(undefined, { add: [a] }, 'role', 0);
    if (!('text' in one) || !one.text) throw new Error('expected a policy');
    const two = mergeRevocationPolicy(one.text, { add: [b, a] }, 'role', 0);
    if (!('text' in two) || !two.text) throw new Error('expected a policy');
    expect(statementsOf(two.text).map((s) => s.Sid)).toEqual(['rvA', 'rvB']);
    const again = mergeRevocationPolicy(two.text, { add: [a] }, 'role', 0);
    expect(again).toEqual(two);
    const pruned = mergeRevocationPolicy(two.text, { remove: new Set(['rvA']) }, 'role', 0);
    expect('text' in pruned && statementsOf(pruned.text).map((s) => s.Sid)).toEqual(['rvB']);
    expect(mergeRevocationPolicy(two.text, { remove: new Set(['rvA', 'rvB']) }, 'role', 0)).toEqual({ text: undefined, size: 0 });
  });

  it('keeps only its own Deny statements from the current text (an Allow slipped in is dropped)', () => {
    const current = JSON.stringify({ Version: '2012-10-17', Statement: [a, { Sid: 'x', Effect: 'Allow', Action: '*', Resource: '*' }] });
    expect(statementsOf(current).map((s) => s.Sid)).toEqual(['rvA']);
    expect(statementsOf('not json')).toEqual([]);
  });

  it("refuses past IAM's quota, counting the entity's other inline policies", () => {
    const one = mergeRevocationPolicy(undefined, { add: [a] }, 'user', 0);
    if (!('text' in one) || !one.text) throw new Error('expected a policy');
    expect(one.size).toBe(policySize(one.text));
    expect(mergeRevocationPolicy(undefined, { add: [a] }, 'user', INLINE_POLICY_LIMITS.user - one.size)).toEqual(one);
    expect(mergeRevocationPolicy(undefined, { add: [a] }, 'user', INLINE_POLICY_LIMITS.user - one.size + 1)).toEqual({
      tooLarge: true,
      size: INLINE_POLICY_LIMITS.user + 1,
      limit: INLINE_POLICY_LIMITS.user,
    });
    const many = Array.from({ length: 60 }, (_, i) => partnerRoleStatement(`rv${i}`, 'acme', `p${i}x`, BEFORE));
    expect(mergeRevocationPolicy(undefined, { add: many }, 'role', 0)).toMatchObject({ tooLarge: true, limit: 10_240 });
  });
});

describe("IAM's quota per principal kind, and compaction", () => {
  const at = (minutes: number) => new Date(BEFORE.getTime() + minutes * 60_000);
  const fedIssuance = (partnerId: string, issuedAt: Date, suffix = 'x1') => ({
    tenantId: 'acme',
    partnerId,
    mode: 'federation' as const,
    principalId: `123456789012:${federationName('acme', partnerId, suffix)}`,
    issuedAt: issuedAt.toISOString(),
  });
  const roleIssuance = (partnerId: string, issuedAt: Date) => ({
    tenantId: 'acme',
    partnerId,
    mode: 'assume-role' as const,
    principalId: `AROAEXAMPLEROLEID:${roleSessionName('acme', partnerId, 'x1')}`,
    issuedAt: issuedAt.toISOString(),
  });
  const sidsOf = (r: ReturnType<typeof mergeRevocationPolicy>) => ('text' in r ? statementsOf(r.text).map((s) => s.Sid) : r);

  it('the federation user holds 2,048 characters, a role 10,240: the same statements fit a role, not the user', () => {
    const distinct = Array.from({ length: 12 }, (_, i) => partnerFederationStatement(`rv${i}`, 'acme', `partner${i}`, at(i)));
    const user = mergeRevocationPolicy(undefined, { add: distinct }, 'user', 0);
    expect(user).toMatchObject({ tooLarge: true, limit: 2_048 });
    const role = mergeRevocationPolicy(undefined, { add: distinct }, 'role', 0);
    expect('text' in role && role.size).toBeGreaterThan(2_048);
    expect(sidsOf(role)).toHaveLength(12);
  });

  it("past the quota a partner's earlier cutoffs give way to its latest (which refuses every session they do)", () => {
    const same = Array.from({ length: 12 }, (_, i) =>
      partnerFederationStatement(`rv${String(i).padStart(2, '0')}`, 'acme', 'app-one', at(i)),
    );
    const other = partnerFederationStatement('rvZ', 'acme', 'app-two', at(0));
    const merged = mergeRevocationPolicy(undefined, { add: [...same, other] }, 'user', 0);
    expect(sidsOf(merged)).toEqual(['rv11', 'rvZ']);
    expect('compacted' in merged && merged.compacted).toHaveLength(11);
    expect(merged.size).toBeLessThanOrEqual(2_048);
  });

  it('below the quota nothing is compacted: every revocation keeps its own statement', () => {
    const two = [partnerFederationStatement('rvA', 'acme', 'app-one', at(0)), partnerFederationStatement('rvB', 'acme', 'app-one', at(1))];
    const merged = mergeRevocationPolicy(undefined, { add: two }, 'user', 0);
    expect(sidsOf(merged)).toEqual(['rvA', 'rvB']);
    expect('compacted' in merged ? merged.compacted : undefined).toBeUndefined();
  });

  it("compaction drops only what another statement covers: an issuance before its partner's cutoff, nothing of others", () => {
    const covered = issuanceStatement('rvI1', fedIssuance('app-one', at(-10)));
    const after = issuanceStatement('rvI2', fedIssuance('app-one', at(30)));
    const otherPartner = issuanceStatement('rvI3', fedIssuance('app-two', at(-10)));
    // Same partner id in another tenant: another federation name, other tags.
    const otherTenant = partnerFederationStatement('rvT', 'globex', 'app-one', at(-20));
    const partner = partnerFederationStatement('rvP', 'acme', 'app-one', at(0));
    const statements = [covered, after, otherPartner, otherTenant, partner];
    const exact = compactStatements(statements);
    expect(exact.dropped).toEqual(['rvI1']);
    expect(exact.kept.map((s) => s.Sid)).toEqual(['rvI2', 'rvI3', 'rvT', 'rvP']);
    // On a role: the session name starts with the partner identity the role statement selects.
    const roleCovered = issuanceStatement('rvR1', roleIssuance('app-one', at(-10)));
    const roleOther = issuanceStatement('rvR2', roleIssuance('app-two', at(-10)));
    const rolePartner = partnerRoleStatement('rvRP', 'acme', 'app-one', at(0));
    expect(compactStatements([roleCovered, roleOther, rolePartner]).dropped).toEqual(['rvR1']);
  });

  it('still too large after compaction: refused (the writer leaves the revocation pending, policy_full)', () => {
    const distinct = Array.from({ length: 12 }, (_, i) => partnerFederationStatement(`rv${i}`, 'acme', `partner${i}`, at(i)));
    const one = mergeRevocationPolicy(undefined, { add: distinct.slice(0, 3) }, 'user', 0);
    if (!('text' in one)) throw new Error('expected a policy');
    expect(mergeRevocationPolicy(one.text, { add: distinct.slice(3) }, 'user', 0)).toMatchObject({ tooLarge: true, limit: 2_048 });
    // Other inline policies of the user count against the same 2,048.
    expect(mergeRevocationPolicy(undefined, { add: distinct.slice(0, 3) }, 'user', 2_048 - one.size + 1)).toMatchObject({ tooLarge: true });
  });
});

describe("each tenant's share of the federation user, which every tenant shares (issue 16)", () => {
  const at = (minutes: number) => new Date(BEFORE.getTime() + minutes * 60_000);
  // Sids as long as credvend's revocation ids (rv, 9 of time, 26 of base32: 37), padded with Z; sidsOf strips it.
  const sid = (tag: string) => tag.padEnd(37, 'Z');
  const fed = (tag: string, tenantId: string, partnerId: string, minutes = 0) =>
    partnerFederationStatement(sid(tag), tenantId, partnerId, at(minutes));
  const sidsOf = (r: ReturnType<typeof mergeRevocationPolicy>) =>
    'text' in r ? statementsOf(r.text).map((s) => s.Sid?.replace(/Z+$/, '')) : r;
  const textOf = (r: ReturnType<typeof mergeRevocationPolicy>): string => {
    if (!('text' in r) || r.text === undefined) throw new Error(`expected a policy, got ${JSON.stringify(r)}`);
    return r.text;
  };
  const share = (tenantId: string, owners: Record<string, string> = {}) => ({ tenantId, owners });
  // The longest ids there are (ID_PATTERN: 32 characters): the share must hold two statements of any tenant.
  const long = (c: string) => `${c}${'x'.repeat(30)}${c}`;

  it('a share is a third of the room for statements: two of the longest statements fit, a third does not', () => {
    expect(tenantShare('user', 0)).toBe(Math.floor((2_048 - policySize('{"Version":"2012-10-17","Statement":[]}')) / 3));
    const two = [fed('rv0', long('t'), long('p')), fed('rv1', long('t'), long('q'))];
    expect(statementsSize(two)).toBeLessThanOrEqual(tenantShare('user', 0));
    const third = fed('rv2', long('t'), long('r'));
    expect(statementsSize([...two, third])).toBeGreaterThan(tenantShare('user', 0));
    // The whole policy takes what the statements take plus its frame: what the share is counted in.
    expect(policySize(JSON.stringify({ Version: '2012-10-17', Statement: two }))).toBe(statementsSize(two) + 39);
  });

  it("past its share a tenant's revocation is refused (shareFull), not compacted into another tenant's room", () => {
    const mine = textOf(
      mergeRevocationPolicy(undefined, { add: [fed('rvA1', 'acme', 'pa1'), fed('rvA2', 'acme', 'pa2')] }, 'user', 0, share('acme')),
    );
    const third = mergeRevocationPolicy(mine, { add: [fed('rvA3', 'acme', 'pa3')] }, 'user', 0, share('acme'));
    expect(third).toMatchObject({ shareFull: true, share: tenantShare('user', 0) });
    // Without the share (before issue 16's fix) the same write was accepted: 3 statements of one tenant.
    expect(sidsOf(mergeRevocationPolicy(mine, { add: [fed('rvA3', 'acme', 'pa3')] }, 'user', 0))).toEqual(['rvA1', 'rvA2', 'rvA3']);
  });

  it("an attacker holding one tenant's admin key cannot starve another tenant: after its share, two other tenants still fit", () => {
    let text: string | undefined;
    let refused = 0;
    for (let i = 0; i < 10; i++) {
      const r = mergeRevocationPolicy(text, { add: [fed(`rvEvil${i}`, 'evil', `pa${i}`)] }, 'user', 0, share('evil'));
      if ('shareFull' in r) refused++;
      else text = textOf(r);
    }
    expect(refused).toBe(8);
    for (const tenant of ['acme', 'globex']) {
      for (const p of ['pa1', 'pa2']) {
        const r = mergeRevocationPolicy(text, { add: [fed(`rv${tenant}${p}`, tenant, p)] }, 'user', 0, share(tenant));
        text = textOf(r);
      }
    }
    expect(statementsOf(text).map((s) => s.Sid?.replace(/Z+$/, ''))).toEqual([
      'rvacmepa1',
      'rvacmepa2',
      'rvEvil0',
      'rvEvil1',
      'rvglobexpa1',
      'rvglobexpa2',
    ]);
  });

  it("its own older statements are compacted first: the partner's latest cutoff wins, another tenant's are left as they are", () => {
    // globex's two statements of one partner: compaction would drop its earlier one, but it is globex's, not acme's.
    const start = [
      fed('rvA1', 'acme', 'pa1', 0),
      fed('rvA2', 'acme', 'pa2', 0),
      fed('rvG1', 'globex', 'pa1', 0),
      fed('rvG2', 'globex', 'pa1', 5),
    ];
    const text = textOf(mergeRevocationPolicy(undefined, { add: start }, 'user', 0));
    const again = mergeRevocationPolicy(text, { add: [fed('rvA3', 'acme', 'pa1', 10)] }, 'user', 0, share('acme'));
    expect(sidsOf(again)).toEqual(['rvA2', 'rvA3', 'rvG1', 'rvG2']);
    expect('compacted' in again && again.compacted).toEqual([sid('rvA1')]);
  });

  it('a one-issuance statement counts for the tenant the writer recorded (owners): it names no tenant itself', () => {
    const issuance = issuanceStatement(sid('rvI1'), {
      tenantId: 'acme',
      partnerId: 'pa9',
      mode: 'federation',
      principalId: `123456789012:${federationName('acme', 'pa9', 'x1')}`,
      issuedAt: at(0).toISOString(),
    });
    const text = textOf(mergeRevocationPolicy(undefined, { add: [issuance, fed('rvA1', 'acme', 'pa1')] }, 'user', 0));
    const owners = { [sid('rvI1')]: 'acme', [sid('rvA2')]: 'acme' };
    expect(mergeRevocationPolicy(text, { add: [fed('rvA2', 'acme', 'pa2')] }, 'user', 0, share('acme', owners))).toMatchObject({
      shareFull: true,
    });
    // Recorded as another tenant's, it is not acme's: acme's second statement fits.
    expect(
      sidsOf(mergeRevocationPolicy(text, { add: [fed('rvA2', 'acme', 'pa2')] }, 'user', 0, share('acme', { [sid('rvI1')]: 'globex' }))),
    ).toEqual(['rvA1', 'rvA2', 'rvI1']);
  });

  it('a removal is never refused, even by a tenant over its share (a policy written before the share)', () => {
    const over = [fed('rvA1', 'acme', 'pa1'), fed('rvA2', 'acme', 'pa2'), fed('rvA3', 'acme', 'pa3')];
    const text = textOf(mergeRevocationPolicy(undefined, { add: over }, 'user', 0));
    expect(sidsOf(mergeRevocationPolicy(text, { remove: new Set([sid('rvA3')]) }, 'user', 0, share('acme')))).toEqual(['rvA1', 'rvA2']);
  });
});

describe('the statements against the local IAM', () => {
  const ACCOUNT = '123456789012';
  const fn = testUser('credvend-function');
  const fed = testUser('credvend-federation');
  const SHARED = `arn:aws:iam::${ACCOUNT}:role/shared`;
  let sts: LocalSts;
  beforeAll(async () => {
    sts = await startLocalSts({
      port: 0,
      users: [fn, fed],
      roles: [{ arn: SHARED, maxSessionDuration: 3600, trustPolicy: trustPolicyFor(`arn:aws:iam::${ACCOUNT}:user/${fn.userName}`) }],
      quiet: true,
    });
  });
  afterAll(async () => {
    await sts.close();
  });
  const client = (c: Creds) => new STSClient({ endpoint: sts.url, region: 'us-east-1', credentials: c, maxAttempts: 1 });
  const iam = () => new IAMClient({ endpoint: sts.url, region: 'us-east-1', credentials: fn, maxAttempts: 1 });
  const probe = (c: Creds) => iamVerdict(sts.url, c);
  /** A session as credvend names it for the tenant's partner. */
  const session = async (tenantId: string, partnerId: string) =>
    credsOf(
      (
        await client(fn).send(
          new AssumeRoleCommand({
            RoleArn: SHARED,
            RoleSessionName: roleSessionName(tenantId, partnerId, 'abcd1234'),
            SourceIdentity: partnerIdentity(tenantId, partnerId),
            Tags: [
              { Key: 'tenant', Value: tenantId },
              { Key: 'partner', Value: partnerId },
            ],
          }),
        )
      ).Credentials,
    );
  const federated = async (tenantId: string, partnerId: string) =>
    credsOf(
      (
        await client(fed).send(
          new GetFederationTokenCommand({
            Name: federationName(tenantId, partnerId),
            Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }),
            Tags: [
              { Key: 'tenant', Value: tenantId },
              { Key: 'partner', Value: partnerId },
            ],
          }),
        )
      ).Credentials,
    );

  it("revoking tenant a's partner p1 on a role shared with tenant b leaves b's p1, a's p2 and later sessions working", async () => {
    const aPa1 = await session('tenant-a', 'pa1');
    const bPa1 = await session('tenant-b', 'pa1');
    const aPa2 = await session('tenant-a', 'pa2');
    sts.advanceClock(2000);
    const before = new Date(Date.now() + 1000);
    sts.advanceClock(2000);
    const merged = mergeRevocationPolicy(undefined, { add: [partnerRoleStatement('rv1', 'tenant-a', 'pa1', before)] }, 'role', 0);
    if (!('text' in merged) || !merged.text) throw new Error('expected a policy');
    await iam().send(new PutRolePolicyCommand({ RoleName: 'shared', PolicyName: 'credvend-revocations', PolicyDocument: merged.text }));
    expect(await probe(aPa1)).toBe('AccessDenied');
    expect(await probe(bPa1)).toBe('honoured');
    expect(await probe(aPa2)).toBe('honoured');
    expect(await probe(await session('tenant-a', 'pa1'))).toBe('honoured');
  });

  it("on the shared federation user: tenant a's p1 federated sessions only", async () => {
    const aPa1 = await federated('tenant-a', 'pa1');
    const bPa1 = await federated('tenant-b', 'pa1');
    sts.advanceClock(6000);
    const merged = mergeRevocationPolicy(
      undefined,
      { add: [partnerFederationStatement('rv1', 'tenant-a', 'pa1', new Date(Date.now() + 5000))] },
      'user',
      0,
    );
    if (!('text' in merged) || !merged.text) throw new Error('expected a policy');
    await iam().send(new PutUserPolicyCommand({ UserName: fed.userName, PolicyName: 'credvend-revocations', PolicyDocument: merged.text }));
    expect(await probe(aPa1)).toBe('AccessDenied');
    expect(await probe(bPa1)).toBe('honoured');
  });
});
