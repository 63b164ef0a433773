// Issue #16 through the real HTTP stack (serverless-offline, dynalite, the local STS and IAM, which
// enforces the Deny credvend writes): credentials that worked are refused after their revocation, a
// new issuance for the same partner works, another partner's and another tenant's sessions on the same
// (shared) demo role are untouched. The attacker holds tenant A's admin key and tries to reach tenant B.
import { GetRolePolicyCommand, GetUserPolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { INLINE_POLICY_LIMITS, policySize, statementsOf, statementsSize, tenantShare } from '../../../lib/admin/revocation-policy';
import { partnerIdentity } from '../../../lib/vend/principal-names';
import { addTestPartner, call, closeTables, createTestTenant, roleOnlyBinding, stackInfo, type TestTenant } from '../../support/api';
import { control } from '../../support/control';
import { api } from '../admin/support';
import { iamVerdict } from '../local-sts/support';

type Issued = { issuanceId: string; credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string } };

let a: TestTenant;
let b: TestTenant;
let aSecond: { partnerId: string; partnerKey: string };

const roleOnly = { binding: roleOnlyBinding };

beforeAll(async () => {
  // Both tenants are bound to the stack's one demo role: a Deny for one must not reach the other.
  a = await createTestTenant(undefined, roleOnly);
  b = await createTestTenant(undefined, roleOnly);
  aSecond = await addTestPartner(a.tenantId);
});
afterAll(() => closeTables());

async function issue(partnerKey: string, mode: 'assume-role' | 'federation' = 'assume-role'): Promise<Issued> {
  const res = await call('POST', '/v1/credentials', { key: partnerKey, body: { mode } });
  if (res.status !== 201) throw new Error(`issue: ${res.status} ${res.text}`);
  return res.body as Issued;
}

/** Whether the emulator's IAM still honours the credentials. */
function probe(issued: Issued): Promise<string> {
  const { accessKeyId, secretAccessKey, sessionToken } = issued.credentials;
  return iamVerdict(stackInfo().stsUrl, { accessKeyId, secretAccessKey, sessionToken });
}

const revoke = (tenantId: string, key: string, body: unknown, headers: Record<string, string> = {}) =>
  api('POST', `/v1/tenants/${tenantId}/revocations`, { key, body, headers });

describe('POST /v1/tenants/{tenantId}/revocations', () => {
  it("refuses tenant A's admin everything of tenant B: the tenant, its partner id, its issuance id; nothing is written", async () => {
    const theirs = await issue(b.partnerKey);
    expect((await revoke(b.tenantId, a.adminKey, { partnerId: b.partnerId })).status).toBe(404);
    const partner = await revoke(a.tenantId, a.adminKey, { partnerId: b.partnerId });
    expect([partner.status, partner.body.error.code]).toEqual([404, 'not_found']);
    const issuance = await revoke(a.tenantId, a.adminKey, { issuanceId: theirs.issuanceId });
    expect([issuance.status, issuance.body.error.code]).toEqual([404, 'not_found']);
    for (const partnerId of ['*', `${a.partnerId}#x`, 'p-*']) {
      const bad = await revoke(a.tenantId, a.adminKey, { partnerId });
      expect([partnerId, bad.status, bad.body.error.code]).toEqual([partnerId, 400, 'invalid_request']);
    }
    const both = await revoke(a.tenantId, a.adminKey, { partnerId: a.partnerId, issuanceId: theirs.issuanceId });
    expect(both.status).toBe(400);
    const partnerKey = await revoke(a.tenantId, a.partnerKey, { partnerId: a.partnerId });
    expect([partnerKey.status, partnerKey.body.error.code]).toEqual([403, 'wrong_key_kind']);
    expect(await probe(theirs)).toBe('honoured');
    const listed = await api('GET', `/v1/tenants/${b.tenantId}/revocations`, { key: b.adminKey });
    expect(listed.body.items).toEqual([]);
  });

  it("revokes A's partner: its live credentials refused, A's other partner, B's partner on the same role and a new issuance honoured", async () => {
    const mine = await issue(a.partnerKey);
    const sibling = await issue(aSecond.partnerKey);
    const other = await issue(b.partnerKey);
    expect(await probe(mine)).toBe('honoured');

    const res = await revoke(a.tenantId, a.adminKey, { partnerId: a.partnerId }, { 'idempotency-key': `incident-${a.tenantId}` });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      created: true,
      revocation: { tenantId: a.tenantId, state: 'effective', target: { kind: 'partner', partnerId: a.partnerId } },
    });
    expect(await probe(mine)).toBe('AccessDenied');
    expect(await probe(sibling)).toBe('honoured');
    expect(await probe(other)).toBe('honoured');
    await new Promise((r) => setTimeout(r, 5));
    expect(await probe(await issue(a.partnerKey))).toBe('honoured');

    const again = await revoke(a.tenantId, a.adminKey, { partnerId: a.partnerId }, { 'idempotency-key': `incident-${a.tenantId}` });
    expect(again.body).toMatchObject({ created: false, revocation: { revocationId: res.body.revocation.revocationId } });
    const listed = await api('GET', `/v1/tenants/${a.tenantId}/revocations`, { key: a.adminKey });
    expect(listed.body.items.map((r: { revocationId: string }) => r.revocationId)).toEqual([res.body.revocation.revocationId]);
    // The ledger shows the revoked issuance as revoked, with who and when (checked against the OpenAPI document).
    const ledger = await api('GET', `/v1/tenants/${a.tenantId}/issuances?partnerId=${a.partnerId}`, { key: a.adminKey });
    const shown = ledger.body.items.find((i: { issuanceId: string }) => i.issuanceId === mine.issuanceId);
    expect(shown).toMatchObject({ status: 'revoked', revocation: { revocationId: res.body.revocation.revocationId, state: 'effective' } });
  });

  it('revokes one issuance by id: that credential refused, another of the same partner honoured', async () => {
    const first = await issue(aSecond.partnerKey);
    const second = await issue(aSecond.partnerKey);
    const res = await revoke(a.tenantId, a.adminKey, { issuanceId: first.issuanceId });
    expect([res.status, res.body.revocation?.state]).toEqual([201, 'effective']);
    expect(await probe(first)).toBe('AccessDenied');
    expect(await probe(second)).toBe('honoured');
  });

  it('disabling a partner with ?revokeSessions=true revokes its live sessions too', async () => {
    const t = await createTestTenant(undefined, roleOnly);
    const live = await issue(t.partnerKey);
    const res = await api('POST', `/v1/tenants/${t.tenantId}/partners/${t.partnerId}/disable?revokeSessions=true`, { key: t.adminKey });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'disabled', revocation: { state: 'effective' } });
    expect(await probe(live)).toBe('AccessDenied');
  });

  it("federation: revoking a partner refuses its federated credentials; the other partner's, another tenant's and new ones work", async () => {
    const t = await createTestTenant();
    const u = await createTestTenant();
    const sibling = await addTestPartner(t.tenantId);
    const mine = await issue(t.partnerKey, 'federation');
    const theirs = await issue(sibling.partnerKey, 'federation');
    const other = await issue(u.partnerKey, 'federation');
    expect(await probe(mine)).toBe('honoured');
    const res = await revoke(t.tenantId, t.adminKey, { partnerId: t.partnerId });
    expect(res.body.revocation).toMatchObject({ state: 'effective' });
    expect(res.body.revocation.entities).toContainEqual({ kind: 'user', userName: stackInfo().federationUser.userName, state: 'written' });
    expect(await probe(mine)).toBe('AccessDenied');
    expect(await probe(theirs)).toBe('honoured');
    expect(await probe(other)).toBe('honoured');
    await new Promise((r) => setTimeout(r, 5));
    expect(await probe(await issue(t.partnerKey, 'federation'))).toBe('honoured');
  });
});

describe("each tenant's share of the federation user, which every tenant shares", () => {
  /** What is on the stack's federation user now: credvend's revocation policy, read back from the local IAM. */
  async function federationPolicy(): Promise<string | undefined> {
    const { env, federationUser } = stackInfo();
    const iam = new IAMClient({
      region: env.AWS_REGION,
      endpoint: env.AWS_ENDPOINT_URL_IAM,
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '' },
    });
    try {
      const got = await iam.send(new GetUserPolicyCommand({ UserName: federationUser.userName, PolicyName: 'credvend-revocations' }));
      return decodeURIComponent(got.PolicyDocument ?? '');
    } catch (err) {
      if ((err as Error).name === 'NoSuchEntity') return undefined;
      throw err;
    } finally {
      iam.destroy();
    }
  }

  it("tenant A past its share: its revocation pending (tenant_share_full), never effective; tenant B's federation revocation effective", async () => {
    const t = await createTestTenant();
    const [second, third] = [await addTestPartner(t.tenantId), await addTestPartner(t.tenantId)];
    const u = await createTestTenant();
    // Other test files write to the same user at the same time: this test needs room for its three statements
    // (A's two, B's one; at most 330 characters each) beside theirs, said plainly when it is not there.
    const used = policySize((await federationPolicy()) ?? '{"Version":"2012-10-17","Statement":[]}');
    expect(INLINE_POLICY_LIMITS.user - used).toBeGreaterThanOrEqual(3 * 330);

    const overShare = await issue(third.partnerKey, 'federation');
    const theirs = await issue(u.partnerKey, 'federation');
    // A fills its share: two partner revocations, written on the role and the federation user.
    const first = await revoke(t.tenantId, t.adminKey, { partnerId: t.partnerId });
    const next = await revoke(t.tenantId, t.adminKey, { partnerId: second.partnerId });
    expect([first.body.revocation.state, next.body.revocation.state]).toEqual(['effective', 'effective']);
    // A third partner of A: past its share on the user. Written on the role, pending on the user, never effective.
    const over = await revoke(t.tenantId, t.adminKey, { partnerId: third.partnerId });
    expect([over.status, over.body.revocation.state]).toEqual([201, 'pending']);
    expect(over.body.revocation.entities).toContainEqual({
      kind: 'user',
      userName: stackInfo().federationUser.userName,
      state: 'pending',
      reason: 'tenant_share_full',
    });
    expect(await probe(overShare)).toBe('honoured');

    // B is not held up by A: its revocation is written on the user and refuses its federated session.
    const mine = await revoke(u.tenantId, u.adminKey, { partnerId: u.partnerId });
    expect(mine.body.revocation.state).toBe('effective');
    expect(mine.body.revocation.entities).toContainEqual({ kind: 'user', userName: stackInfo().federationUser.userName, state: 'written' });
    expect(await probe(theirs)).toBe('AccessDenied');

    // What the user holds: A's two statements (within its share), B's one.
    const statements = statementsOf(await federationPolicy());
    const ofTenant = (tenantId: string) =>
      statements.filter((s) => (s.Condition?.StringEquals as Record<string, string> | undefined)?.['aws:PrincipalTag/tenant'] === tenantId);
    expect(
      ofTenant(t.tenantId)
        .map((s) => s.Sid)
        .sort(),
    ).toEqual([first.body.revocation.revocationId, next.body.revocation.revocationId].sort());
    expect(statementsSize(ofTenant(t.tenantId))).toBeLessThanOrEqual(tenantShare('user', 0));
    expect(ofTenant(u.tenantId).map((s) => s.Sid)).toEqual([mine.body.revocation.revocationId]);
  });
});

describe("each tenant's share of a role bound to several tenants (the stack's demo role)", () => {
  async function rolePolicy(): Promise<string | undefined> {
    const { env, demoRoleArn } = stackInfo();
    const iam = new IAMClient({
      region: env.AWS_REGION,
      endpoint: env.AWS_ENDPOINT_URL_IAM,
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '' },
    });
    try {
      const got = await iam.send(
        new GetRolePolicyCommand({ RoleName: demoRoleArn.slice(demoRoleArn.lastIndexOf('/') + 1), PolicyName: 'credvend-revocations' }),
      );
      return decodeURIComponent(got.PolicyDocument ?? '');
    } catch (err) {
      if ((err as Error).name === 'NoSuchEntity' || (err as Error).name === 'NoSuchEntityException') return undefined;
      throw err;
    } finally {
      iam.destroy();
    }
  }

  it("tenant A's partner revocations stop at its third of the role (tenant_share_full, never effective); tenant B's is still written and refuses B's session", async () => {
    const t = await createTestTenant(undefined, roleOnly);
    const u = await createTestTenant(undefined, roleOnly);
    // Every test tenant is bound to the demo role, and other files write there too: this test needs A's share
    // (about 3,400 characters) and B's statement beside theirs, said plainly when it is not there.
    const used = policySize((await rolePolicy()) ?? '{"Version":"2012-10-17","Statement":[]}');
    expect(INLINE_POLICY_LIMITS.role - used).toBeGreaterThanOrEqual(tenantShare('role', 0) + 300);
    const theirs = await issue(u.partnerKey);

    // A revokes one partner after another (each its own statement, no compaction) until its share is used.
    const states: string[] = [];
    const aPartners: string[] = [];
    let over: { body: { revocation: { state: string; entities: unknown[] } } } | undefined;
    for (let i = 0; i < 25 && over === undefined; i++) {
      const partner = await addTestPartner(t.tenantId);
      aPartners.push(partner.partnerId);
      const res = await revoke(t.tenantId, t.adminKey, { partnerId: partner.partnerId });
      expect(res.status).toBe(201);
      states.push(res.body.revocation.state);
      if (res.body.revocation.state !== 'effective') over = res;
    }
    // About 16 statements of ~210 characters fit in a third of 10,240; then pending, never effective.
    expect(states.length).toBeGreaterThanOrEqual(12);
    expect(states.length).toBeLessThanOrEqual(20);
    expect(states.slice(0, -1).every((s) => s === 'effective')).toBe(true);
    expect(over?.body.revocation.state).toBe('pending');
    expect(over?.body.revocation.entities).toEqual([
      { kind: 'role', roleArn: stackInfo().demoRoleArn, state: 'pending', reason: 'tenant_share_full' },
    ]);

    // B is not held up by A: its revocation is written on the same role and refuses B's session.
    const mine = await revoke(u.tenantId, u.adminKey, { partnerId: u.partnerId });
    expect(mine.body.revocation.state).toBe('effective');
    expect(await probe(theirs)).toBe('AccessDenied');
    const onRole = statementsOf(await rolePolicy());
    const ofTenant = (tenantId: string, partners: string[]) =>
      onRole.filter((s) =>
        partners.some(
          (p) => (s.Condition?.StringEquals as Record<string, string> | undefined)?.['aws:SourceIdentity'] === partnerIdentity(tenantId, p),
        ),
      );
    expect(statementsSize(ofTenant(t.tenantId, aPartners))).toBeLessThanOrEqual(tenantShare('role', 0));
    expect(ofTenant(t.tenantId, aPartners)).toHaveLength(states.length - 1);
    expect(ofTenant(u.tenantId, [u.partnerId]).map((s) => s.Sid)).toEqual([mine.body.revocation.revocationId]);
  });
});

describe('the scheduled sweep of the revocations function', () => {
  /** What EventBridge does on the function's schedule: an Invoke with a scheduled event. */
  async function scheduledRun(): Promise<Record<string, number>> {
    const name = `credvend-${stackInfo().stage}-revocations`;
    const res = await fetch(`${stackInfo().lambdaUrl}/2015-03-31/functions/${name}/invocations`, {
      method: 'POST',
      body: JSON.stringify({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} }),
    });
    if (res.status !== 200) throw new Error(`invoke: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, number>;
  }

  it('a revocation left pending by an IAM refusal becomes effective on the next scheduled run, and its credentials are refused', async () => {
    const t = await createTestTenant();
    const live = await issue(t.partnerKey);
    await new Promise((r) => setTimeout(r, 5));
    // AccessDenied, which the SDK does not retry: exactly one failed PutRolePolicy, whatever its retry budget is.
    await control.stsFault({ action: 'PutRolePolicy', status: 403, code: 'AccessDenied', message: 'not now', times: 1 });
    // One issuance: a statement on the role only. The stack's federation user is shared by every test tenant and
    // holds only a few partner statements at once (README "Revoking credentials", Size).
    const res = await revoke(t.tenantId, t.adminKey, { issuanceId: live.issuanceId });
    expect([res.status, res.body.revocation.state]).toEqual([201, 'pending']);
    expect(res.body.revocation.entities).toContainEqual(expect.objectContaining({ state: 'pending', reason: 'iam_access_denied' }));
    expect(await probe(live)).toBe('honoured');

    const run = await scheduledRun();
    expect(run.tenants).toBeGreaterThanOrEqual(1);
    expect(run.settled).toBeGreaterThanOrEqual(1);
    const listed = await api('GET', `/v1/tenants/${t.tenantId}/revocations`, { key: t.adminKey });
    expect(listed.body.items.find((r: { revocationId: string }) => r.revocationId === res.body.revocation.revocationId)).toMatchObject({
      state: 'effective',
    });
    expect(await probe(live)).toBe('AccessDenied');
    expect(await probe(await issue(t.partnerKey))).toBe('honoured');
  });
});
