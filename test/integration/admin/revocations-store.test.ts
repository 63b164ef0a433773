// Revocations end to end below the HTTP layer: the domain over the real DynamoDB adapter (dynalite) and
// the real IAM adapter (the local IAM), with sessions issued by the local STS. Credentials that worked
// are refused after their revocation; another partner's and later ones work; concurrent revocations
// all reach the policy; an IAM fault leaves the revocation pending until a retry makes it effective.
import { GetRolePolicyCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { partnerRoleStatement, statementsOf } from '../../../lib/admin/revocation-policy';
import { revocationPolicyWriter } from '../../../lib/admin/revocation-writer';
import { createRevocation, listRevocations, retryPendingRevocations, sweepRevocations } from '../../../lib/admin/revocations';
import type { RevocationRecord } from '../../../lib/core/model';
import { DynamoRevocationStore } from '../../../lib/store/revocation-store';
import { IamInlinePolicies } from '../../../lib/sts/iam-inline-policy';
import { partnerIdentity, roleSessionName } from '../../../lib/vend/principal-names';
import { type LocalSts, startLocalSts } from '../../../local/sts/server';
import { adminOf, type FakeAdmin, fakeAdmin, seedTenant } from '../../unit/admin/fakes';
import { type Env, startEnv } from '../audit/fixtures';
import { type Creds, credsOf, iamVerdict, testUser, trustPolicyFor } from '../local-sts/support';

const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/credvend/acme`;
const fn = testUser('credvend-function');
let env: Env;
let sts: LocalSts;
let store: DynamoRevocationStore;
let fake: FakeAdmin;
let clockMs = 0;
let laterMs = 0;
let ids = 0;

beforeAll(async () => {
  env = await startEnv();
  sts = await startLocalSts({
    port: 0,
    users: [fn],
    roles: [{ arn: ROLE, maxSessionDuration: 7200, trustPolicy: trustPolicyFor(`arn:aws:iam::${ACCOUNT}:user/${fn.userName}`) }],
    quiet: true,
  });
  store = new DynamoRevocationStore(env.client, env.main);
});
afterAll(async () => {
  await sts?.close();
  await env?.close();
});

beforeEach(async () => {
  laterMs = 0;
  fake = fakeAdmin();
  await seedTenant(fake.store, 'acme', 'partner-one');
  await fake.store.createPartner({
    tenantId: 'acme',
    partnerId: 'partner-two',
    name: 'p2',
    status: 'enabled',
    createdAt: '2026-01-01T00:00:00.000Z',
  });
  // The tenant's binding without federation: only the role is written here.
  const tenant = fake.store.tenants.get('acme');
  if (tenant?.binding) delete tenant.binding.federation;
  const iam = new IAMClient({ endpoint: sts.url, region: 'us-east-1', credentials: fn, maxAttempts: 1 });
  fake.deps.now = () => new Date(Date.now() + clockMs);
  fake.deps.revocations = {
    store,
    // The emulator's clock: pruning decides on the same time the local STS issues and expires by (laterMs:
    // only the writer's clock moves on, as the emulator refuses signatures from hours before its own clock).
    writer: revocationPolicyWriter(store.policyDocuments(), new IamInlinePolicies(iam), () => new Date(Date.now() + clockMs + laterMs)),
    issuance: async () => undefined,
    newId: () => `rv${Date.now().toString(36)}${String(++ids).padStart(6, '0')}`,
  };
});

const client = (c: Creds) => new STSClient({ endpoint: sts.url, region: 'us-east-1', credentials: c, maxAttempts: 1 });
const probe = (c: Creds) => iamVerdict(sts.url, c);
const session = async (partnerId: string) =>
  credsOf(
    (
      await client(fn).send(
        new AssumeRoleCommand({
          RoleArn: ROLE,
          RoleSessionName: roleSessionName('acme', partnerId, 'abcd1234'),
          SourceIdentity: partnerIdentity('acme', partnerId),
          Tags: [
            { Key: 'tenant', Value: 'acme' },
            { Key: 'partner', Value: partnerId },
          ],
        }),
      )
    ).Credentials,
  );
/** Moves both clocks (the emulator's and credvend's) on together. */
const tick = (ms: number) => {
  sts.advanceClock(ms);
  clockMs += ms;
};
const rolePolicySids = async () => {
  const item = await store.getPolicy(`role#${ROLE}`);
  return (item?.statements ?? []).map((s) => s.Sid);
};

describe('revocations on DynamoDB and the local IAM', () => {
  it("a partner's live credentials are refused after its revocation; the other partner's and new ones work", async () => {
    const p1 = await session('partner-one');
    const p2 = await session('partner-two');
    expect(await probe(p1)).toBe('honoured');
    tick(2000);
    const out = await createRevocation(fake.deps, adminOf('acme'), 'acme', { partnerId: 'partner-one' }, 'incident-1');
    expect(out.revocation).toMatchObject({ state: 'effective', entities: [{ kind: 'role', roleArn: ROLE, state: 'written' }] });
    tick(2000);
    expect(await probe(p1)).toBe('AccessDenied');
    expect(await probe(p2)).toBe('honoured');
    expect(await probe(await session('partner-one'))).toBe('honoured');

    const again = await createRevocation(fake.deps, adminOf('acme'), 'acme', { partnerId: 'partner-one' }, 'incident-1');
    expect(again).toMatchObject({ created: false, revocation: { revocationId: out.revocation.revocationId } });
    const listed = await listRevocations(fake.deps, adminOf('acme'), 'acme', { limit: 50 });
    expect(listed.items.filter((r) => r.revocationId === out.revocation.revocationId)).toHaveLength(1);
  });

  it('an IAM fault (throttling) leaves it pending, never effective; a retry makes it effective', async () => {
    const p1 = await session('partner-one');
    tick(2000);
    sts.injectFault({ action: 'PutRolePolicy', status: 400, code: 'Throttling', message: 'Rate exceeded', times: 1 });
    const out = await createRevocation(fake.deps, adminOf('acme'), 'acme', { partnerId: 'partner-one' });
    expect(out.revocation.state).toBe('pending');
    expect(out.revocation.entities).toEqual([expect.objectContaining({ state: 'pending', reason: 'iam_throttled' })]);
    expect(JSON.stringify(out.revocation)).not.toContain('Rate exceeded');
    const rd = fake.deps.revocations;
    if (!rd) throw new Error('wired');
    const retried = await retryPendingRevocations(rd, 'acme', fake.deps.now, 100);
    expect(retried.map((r: RevocationRecord) => r.state)).toContain('effective');
    tick(2000);
    expect(await probe(p1)).toBe('AccessDenied');
  });

  it('five revocations at once all end up in the role policy (DynamoDB version check, IAM re-put)', async () => {
    const before = new Set(await rolePolicySids());
    tick(1000);
    const outs = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        createRevocation(fake.deps, adminOf('acme'), 'acme', { partnerId: i % 2 ? 'partner-one' : 'partner-two' }, `burst-${i}`),
      ),
    );
    expect(outs.map((o) => o.revocation.state)).toEqual(Array(5).fill('effective'));
    const sids = (await rolePolicySids()).filter((s) => s && !before.has(s));
    expect(sids.sort()).toEqual(outs.map((o) => o.revocation.revocationId).sort());
    // What IAM holds is what DynamoDB holds.
    const iam = new IAMClient({ endpoint: sts.url, region: 'us-east-1', credentials: fn, maxAttempts: 1 });
    const held = await iam.send(new GetRolePolicyCommand({ RoleName: 'acme', PolicyName: 'credvend-revocations' }));
    expect(statementsOf(decodeURIComponent(held.PolicyDocument ?? '')).map((s) => s.Sid)).toEqual(await rolePolicySids());
  });
});

describe("the statements' owners on DynamoDB (each tenant's share of the federation user)", () => {
  it('are stored beside the statements, under the same version check; an item written before them has none', async () => {
    const key = `user#owners-${ids++}`;
    const statement = { Sid: 'rvOne', Effect: 'Deny' as const, Action: '*', Resource: '*' };
    expect(await store.putPolicy(key, [statement], 0, { rvOne: 'acme' })).toBe(true);
    expect(await store.getPolicy(key)).toEqual({ statements: [statement], version: 1, owners: { rvOne: 'acme' }, expires: {} });
    // A stale version writes neither the statements nor the owners.
    expect(await store.putPolicy(key, [], 0, { rvOne: 'evil' })).toBe(false);
    expect((await store.getPolicy(key))?.owners).toEqual({ rvOne: 'acme' });
    const older = `user#older-${ids++}`;
    expect(await store.putPolicy(older, [statement], 0)).toBe(true);
    expect((await store.getPolicy(older))?.owners).toEqual({});
  });
});

describe('the scheduled sweep (revocations function, EventBridge)', () => {
  const iamCalls = (action: string) => sts.calls.filter((c) => c.service === 'iam' && c.action === action).length;

  it('an IAM failure midway (the copy written, PutRolePolicy failed) stays pending until the sweep makes it effective', async () => {
    const p1 = await session('partner-one');
    tick(2000);
    // DynamoDB's copy is written, then IAM fails: the revocation must not say effective.
    sts.injectFault({ action: 'PutRolePolicy', status: 500, code: 'ServiceFailure', message: 'internal', times: 1 });
    const out = await createRevocation(fake.deps, adminOf('acme'), 'acme', { partnerId: 'partner-one' });
    expect(out.revocation).toMatchObject({ state: 'pending', entities: [{ state: 'pending', reason: 'iam_failed' }] });
    expect(await rolePolicySids()).toContain(out.revocation.revocationId);
    tick(2000);
    expect(await probe(p1)).toBe('honoured');

    const swept = await sweepRevocations(fake.deps);
    expect(swept).toMatchObject({ tenants: 1, settled: swept.retried, pruneFailures: 0 });
    expect(swept.retried).toBeGreaterThanOrEqual(1);
    const listed = await listRevocations(fake.deps, adminOf('acme'), 'acme', { limit: 100 });
    const record = listed.items.find((r) => r.revocationId === out.revocation.revocationId);
    expect(record).toMatchObject({ state: 'effective', entities: [{ state: 'written' }] });
    expect(record?.effectiveAt).toBeDefined();
    tick(2000);
    expect(await probe(p1)).toBe('AccessDenied');
    // Nothing pending, nothing expired: a second sweep touches no IAM policy.
    sts.resetCalls();
    expect(await sweepRevocations(fake.deps)).toMatchObject({ retried: 0, statementsPruned: 0 });
    expect(iamCalls('PutRolePolicy') + iamCalls('DeleteRolePolicy')).toBe(0);
  });

  it('IAM throttling through the sweep too: still pending, never effective; the next sweep finishes it', async () => {
    tick(2000);
    sts.injectFault({ action: 'PutRolePolicy', status: 400, code: 'Throttling', message: 'Rate exceeded', times: 100 });
    const out = await createRevocation(fake.deps, adminOf('acme'), 'acme', { partnerId: 'partner-two' });
    expect(out.revocation.state).toBe('pending');
    const first = await sweepRevocations(fake.deps);
    expect(first.retried).toBeGreaterThanOrEqual(1);
    const still = (await listRevocations(fake.deps, adminOf('acme'), 'acme', { limit: 100 })).items.find(
      (r) => r.revocationId === out.revocation.revocationId,
    );
    expect(still).toMatchObject({ state: 'pending', entities: [{ state: 'pending', reason: 'iam_throttled' }] });
    expect(still?.effectiveAt).toBeUndefined();
    // The throttling is over: the next scheduled run finishes it.
    sts.clearFaults();
    const second = await sweepRevocations(fake.deps);
    expect(second.settled).toBeGreaterThanOrEqual(1);
    const done = (await listRevocations(fake.deps, adminOf('acme'), 'acme', { limit: 100 })).items.find(
      (r) => r.revocationId === out.revocation.revocationId,
    );
    expect(done?.state).toBe('effective');
  });

  it('prunes: once every credential a statement targets has expired, the sweep takes it out; the last one deletes the policy', async () => {
    tick(2000);
    const out = await createRevocation(fake.deps, adminOf('acme'), 'acme', { partnerId: 'partner-two' });
    expect(out.revocation.state).toBe('effective');
    expect((await rolePolicySids()).length).toBeGreaterThan(0);
    // 12 h (a role session's longest life) and a minute later, every statement here has outlived its targets.
    laterMs = 12 * 3_600_000 + 60_000;
    const swept = await sweepRevocations(fake.deps);
    expect(swept.entitiesPruned).toBe(1);
    expect(swept.statementsPruned).toBeGreaterThan(0);
    expect(await rolePolicySids()).toEqual([]);
    const iam = new IAMClient({ endpoint: sts.url, region: 'us-east-1', credentials: fn, maxAttempts: 1 });
    await expect(iam.send(new GetRolePolicyCommand({ RoleName: 'acme', PolicyName: 'credvend-revocations' }))).rejects.toMatchObject({
      name: 'NoSuchEntityException',
    });
  });

  it("keeps a statement's recorded expiry (a one-issuance statement's issuance expiresAt) and owner beside it in DynamoDB", async () => {
    const docs = store.policyDocuments();
    const key = `role#arn:aws:iam::${ACCOUNT}:role/credvend/expiry-${Date.now().toString(36)}`;
    const statement = partnerRoleStatement('rvExp1', 'acme', 'partner-one', new Date());
    expect(await docs.put(key, [statement], 0, { rvExp1: 'acme' }, { rvExp1: '2026-05-06T07:15:00.000Z' })).toBe(true);
    expect(await docs.get(key)).toMatchObject({ version: 1, owners: { rvExp1: 'acme' }, expires: { rvExp1: '2026-05-06T07:15:00.000Z' } });
  });

  it('the sweep puts the copy again when a stale write left IAM without a statement credvend recorded as written (F5)', async () => {
    tick(2000);
    const first = await createRevocation(fake.deps, adminOf('acme'), 'acme', { partnerId: 'partner-one' });
    const iam = new IAMClient({ endpoint: sts.url, region: 'us-east-1', credentials: fn, maxAttempts: 1 });
    const held = async () =>
      statementsOf(
        decodeURIComponent(
          (await iam.send(new GetRolePolicyCommand({ RoleName: 'acme', PolicyName: 'credvend-revocations' }))).PolicyDocument ?? '',
        ),
      ).map((s) => s.Sid);
    const stale = decodeURIComponent(
      (await iam.send(new GetRolePolicyCommand({ RoleName: 'acme', PolicyName: 'credvend-revocations' }))).PolicyDocument ?? '',
    );
    const second = await createRevocation(fake.deps, adminOf('acme'), 'acme', { partnerId: 'partner-two' });
    expect([first.revocation.state, second.revocation.state]).toEqual(['effective', 'effective']);
    // The first writer's document lands late (a PutRolePolicy that timed out at the client, then went through).
    await iam.send(new PutRolePolicyCommand({ RoleName: 'acme', PolicyName: 'credvend-revocations', PolicyDocument: stale }));
    expect(await held()).not.toContain(second.revocation.revocationId);
    const swept = await sweepRevocations(fake.deps);
    expect(swept).toMatchObject({ entitiesRepaired: 1, pruneFailures: 0 });
    expect(await held()).toContain(second.revocation.revocationId);
    expect(await sweepRevocations(fake.deps)).toMatchObject({ entitiesRepaired: 0 });
    iam.destroy();
  });
});
