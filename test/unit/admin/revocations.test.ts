// Revocations in the admin domain over in-memory ports: who may revoke what, where the Deny goes,
// and that a failed or impossible write is never reported as effective. The attacker holds tenant
// acme's admin key and tries to reach tenant globex's role, partner and issuances.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { queryIssuances, withRevocation } from '../../../lib/admin/issuances';
import type { Page, PageRequest, RevocationDeps, RevocationStore } from '../../../lib/admin/ports';
import { mergeRevocationPolicy, RevocationWriteError, statementsOf } from '../../../lib/admin/revocation-policy';
import { createRevocation, listRevocations, retryPendingRevocations, sweepRevocations } from '../../../lib/admin/revocations';
import type { IamStatement, IssuanceRecord, RevocationEntity, RevocationRecord } from '../../../lib/core/model';
import { partnerIdentity, roleSessionName } from '../../../lib/vend/principal-names';
import { adminOf, type FakeAdmin, fakeAdmin, NOW, operator, partnerOf, seededBinding, seedTenant } from './fakes';

class FakeRevocationStore implements RevocationStore {
  readonly records = new Map<string, RevocationRecord>();
  async create(record: RevocationRecord) {
    const existing = [...this.records.values()].find((r) => r.tenantId === record.tenantId && r.idempotencyKey === record.idempotencyKey);
    if (existing) return { created: false as const, existing: structuredClone(existing) };
    this.records.set(record.revocationId, structuredClone(record));
    return { created: true as const };
  }
  async get(tenantId: string, id: string) {
    const r = this.records.get(id);
    return r?.tenantId === tenantId ? structuredClone(r) : undefined;
  }
  async list(tenantId: string, page: PageRequest): Promise<Page<RevocationRecord>> {
    return { items: [...this.records.values()].filter((r) => r.tenantId === tenantId).slice(0, page.limit), nextCursor: undefined };
  }
  async update(record: RevocationRecord, expectedVersion: number) {
    if (this.records.get(record.revocationId)?.version !== expectedVersion) return false;
    this.records.set(record.revocationId, structuredClone(record));
    return true;
  }
}

/** The inline policies credvend wrote, by entity; `failures` makes the next writes throw. */
class FakeWriter {
  readonly policies = new Map<string, string>();
  readonly writes: string[] = [];
  /** Every add and prune in call order ('add <entity> <tenant> <sid>', 'prune <entity>'), and each add's options. */
  readonly log: string[] = [];
  readonly options: { key: string; shared?: boolean; expiresAt?: string }[] = [];
  inFlight = 0;
  maxInFlight = 0;
  failures: RevocationWriteError[] = [];
  async add(entity: RevocationEntity, statements: IamStatement[], tenantId?: string, opts: { shared?: boolean; expiresAt?: string } = {}) {
    const key = entity.kind === 'role' ? entity.roleArn : `user/${entity.userName}`;
    this.writes.push(key);
    this.log.push(`add ${key} ${tenantId} ${statements.map((s) => s.Sid).join(',')}`);
    this.options.push({ key, ...opts });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((r) => setTimeout(r, 1));
    this.inFlight--;
    const failure = this.failures.shift();
    if (failure) throw failure;
    const merged = mergeRevocationPolicy(this.policies.get(key), { add: statements }, entity.kind, 0);
    if (!('text' in merged) || merged.text === undefined) throw new RevocationWriteError('policy_full');
    this.policies.set(key, merged.text);
  }
  readonly pruned: string[] = [];
  /** Entities whose IAM policy differs from the copy (verify rewrites them); every entity verified. */
  readonly differs = new Set<string>();
  readonly verified: string[] = [];
  async verify(entity: RevocationEntity) {
    const key = entity.kind === 'role' ? entity.roleArn : `user/${entity.userName}`;
    this.verified.push(key);
    return this.differs.delete(key);
  }
  async prune(entity: RevocationEntity) {
    this.log.push(`prune ${entity.kind === 'role' ? entity.roleArn : `user/${entity.userName}`}`);
    this.pruned.push(entity.kind === 'role' ? entity.roleArn : `user/${entity.userName}`);
    return 0;
  }
}

const ACME_ROLE = 'arn:aws:iam::123456789012:role/credvend/acme';
const GLOBEX_ROLE = 'arn:aws:iam::123456789012:role/credvend/globex';
let fake: FakeAdmin;
let store: FakeRevocationStore;
let writer: FakeWriter;
let issuances: IssuanceRecord[];
let ids = 0;

function issuance(tenantId: string, partnerId: string, over: Partial<IssuanceRecord> = {}): IssuanceRecord {
  const issuanceId = `0000000${ids++}-0000-4000-8000-000000000000`.slice(-36);
  return {
    issuanceId,
    tenantId,
    partnerId,
    keyId: 'pk-aaaaaaaaaaaaaaaa',
    mode: 'assume-role',
    accessKeyId: 'ASIAEXAMPLE',
    principalArn: `arn:aws:sts::123456789012:assumed-role/${tenantId}/${roleSessionName(tenantId, partnerId, issuanceId.slice(0, 8))}`,
    principalId: `AROAEXAMPLE:${roleSessionName(tenantId, partnerId, issuanceId.slice(0, 8))}`,
    policyVersion: 1,
    policySha256: 'x',
    durationSeconds: 3600,
    issuedAt: '2026-05-06T07:00:00.000Z',
    expiresAt: '2026-05-06T08:00:00.000Z',
    sourceIp: '192.0.2.1',
    userAgent: 'test',
    requestId: 'r',
    status: 'active',
    ...over,
  };
}

beforeEach(async () => {
  fake = fakeAdmin();
  store = new FakeRevocationStore();
  writer = new FakeWriter();
  issuances = [];
  await seedTenant(fake.store, 'acme', 'partner-one');
  await seedTenant(fake.store, 'globex', 'partner-two');
  let n = 0;
  const rd: RevocationDeps = {
    store,
    writer,
    issuance: async (tenantId, id) => issuances.find((i) => i.tenantId === tenantId && i.issuanceId === id),
    federationUser: 'credvend-federation',
    newId: () => `rv${String(++n).padStart(4, '0')}`,
  };
  fake.deps.revocations = rd;
});

const code = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: { code?: string }) => e.code,
  );

describe('who may revoke what', () => {
  it("tenant acme's admin cannot revoke in tenant globex: 404, nothing recorded, nothing written", async () => {
    expect(await code(createRevocation(fake.deps, adminOf('acme'), 'globex', { partnerId: 'partner-two' }))).toBe('not_found');
    expect(store.records.size).toBe(0);
    expect(writer.writes).toEqual([]);
  });

  it("another tenant's partner id in the admin's own tenant is an unknown partner", async () => {
    expect(await code(createRevocation(fake.deps, adminOf('acme'), 'acme', { partnerId: 'partner-two' }))).toBe('not_found');
    expect(writer.writes).toEqual([]);
  });

  it.each(['partner#one', '*', 'partner-*', 'PARTNER-ONE', 'partner-one#TENANT#globex'])(
    'partner id %j is never looked up or written',
    async (p) => {
      expect(await code(createRevocation(fake.deps, adminOf('acme'), 'acme', { partnerId: p }))).toBe('not_found');
      expect(writer.writes).toEqual([]);
    },
  );

  it("another tenant's issuance id answers 404, like a made-up one", async () => {
    const theirs = issuance('globex', 'partner-two');
    issuances.push(theirs);
    expect(await code(createRevocation(fake.deps, adminOf('acme'), 'acme', { issuanceId: theirs.issuanceId }))).toBe('not_found');
    expect(await code(createRevocation(fake.deps, adminOf('acme'), 'acme', { issuanceId: '../globex' }))).toBe('not_found');
    expect(writer.writes).toEqual([]);
  });

  it('a partner key is refused; an operator may revoke in any tenant', async () => {
    expect(await code(createRevocation(fake.deps, partnerOf('acme', 'partner-one'), 'acme', { partnerId: 'partner-one' }))).toBe(
      'wrong_key_kind',
    );
    const out = await createRevocation(fake.deps, operator, 'globex', { partnerId: 'partner-two' });
    expect(out.revocation.state).toBe('effective');
    expect(out.revocation.createdBy).toBe(operator.keyId);
  });

  it('a cutoff in the future is refused (it would also refuse credentials not yet issued)', async () => {
    const later = new Date(NOW.getTime() + 60_000).toISOString();
    expect(await code(createRevocation(fake.deps, adminOf('acme'), 'acme', { partnerId: 'partner-one', before: later }))).toBe(
      'invalid_request',
    );
    expect(await code(createRevocation(fake.deps, adminOf('acme'), 'acme', { partnerId: 'partner-one', before: 'soon' }))).toBe(
      'invalid_request',
    );
  });

  it('where revocations are not wired, the route is unknown', async () => {
    delete fake.deps.revocations;
    expect(await code(createRevocation(fake.deps, adminOf('acme'), 'acme', { partnerId: 'partner-one' }))).toBe('route_not_found');
  });
});

describe('where the Deny goes', () => {
  it("a partner revocation: acme's own bound role and the federation user, with acme's partner identity; globex untouched", async () => {
    const out = await createRevocation(fake.deps, adminOf('acme'), 'acme', { partnerId: 'partner-one' });
    expect(out).toMatchObject({ created: true, revocation: { state: 'effective', effectiveAt: NOW.toISOString() } });
    expect(out.revocation.entities).toEqual([
      { kind: 'role', roleArn: ACME_ROLE, state: 'written' },
      { kind: 'user', userName: 'credvend-federation', state: 'written' },
    ]);
    expect([...writer.policies.keys()]).toEqual([ACME_ROLE, 'user/credvend-federation']);
    expect(writer.policies.has(GLOBEX_ROLE)).toBe(false);
    const [role] = statementsOf(writer.policies.get(ACME_ROLE));
    expect(role?.Condition).toEqual({
      DateLessThan: { 'aws:TokenIssueTime': NOW.toISOString() },
      StringEquals: { 'aws:SourceIdentity': partnerIdentity('acme', 'partner-one') },
    });
    const [user] = statementsOf(writer.policies.get('user/credvend-federation'));
    expect(user?.Condition?.StringEquals).toEqual({ 'aws:PrincipalTag/tenant': 'acme', 'aws:PrincipalTag/partner': 'partner-one' });
  });

  it("one issuance: the ledger's principal id, on the role it was issued for", async () => {
    const mine = issuance('acme', 'partner-one');
    issuances.push(mine);
    const out = await createRevocation(fake.deps, adminOf('acme'), 'acme', { issuanceId: mine.issuanceId });
    expect(out.revocation).toMatchObject({
      state: 'effective',
      target: { kind: 'issuance', issuanceId: mine.issuanceId, partnerId: 'partner-one' },
      targetsExpireAt: mine.expiresAt,
    });
    expect(statementsOf(writer.policies.get(ACME_ROLE))[0]?.Condition?.StringEquals).toEqual({ 'aws:userid': mine.principalId });
  });

  it('an issuance whose role is no longer bound is recorded only, said so, and nothing is written', async () => {
    const mine = issuance('acme', 'partner-one', {
      principalArn: `arn:aws:sts::123456789012:assumed-role/globex/${roleSessionName('acme', 'partner-one', 'x1')}`,
    });
    issuances.push(mine);
    const out = await createRevocation(fake.deps, adminOf('acme'), 'acme', { issuanceId: mine.issuanceId });
    expect(out.revocation.state).toBe('recorded-only');
    expect(out.revocation.entities).toEqual([expect.objectContaining({ state: 'not-modifiable', reason: 'role_not_bound' })]);
    expect(writer.writes).toEqual([]);
  });

  it('a bound role in another account is not modifiable: partial, never effective', async () => {
    const tenant = fake.store.tenants.get('acme');
    if (!tenant?.binding) throw new Error('seeded');
    tenant.binding.roles.other = { roleArn: 'arn:aws:iam::999999999999:role/credvend/acme', maxSessionDuration: 3600 };
    const out = await createRevocation(fake.deps, adminOf('acme'), 'acme', { partnerId: 'partner-one' });
    expect(out.revocation.state).toBe('partial');
    expect(out.revocation.entities).toContainEqual({
      kind: 'role',
      roleArn: 'arn:aws:iam::999999999999:role/credvend/acme',
      state: 'not-modifiable',
      reason: 'outside_credvend_account',
    });
    expect(writer.writes).not.toContain('arn:aws:iam::999999999999:role/credvend/acme');
  });
});

describe('across accounts', () => {
  it('a tenant whose only bound role is in another account: recorded-only, said per entity, nothing written, never effective', async () => {
    const tenant = fake.store.tenants.get('acme');
    if (!tenant?.binding) throw new Error('seeded');
    tenant.binding.roles = { main: { roleArn: 'arn:aws:iam::999999999999:role/credvend/acme', maxSessionDuration: 3600 } };
    delete tenant.binding.federation;
    const out = await createRevocation(fake.deps, adminOf('acme'), 'acme', { partnerId: 'partner-one' });
    expect(out.revocation.state).toBe('recorded-only');
    expect(out.revocation.effectiveAt).toBeUndefined();
    expect(out.revocation.entities).toEqual([
      {
        kind: 'role',
        roleArn: 'arn:aws:iam::999999999999:role/credvend/acme',
        state: 'not-modifiable',
        reason: 'outside_credvend_account',
      },
    ]);
    expect(writer.writes).toEqual([]);
    // Nothing to retry: the sweep leaves it as it is and never touches the other account's role.
    const swept = await sweepRevocations(fake.deps);
    expect(swept.retried).toBe(0);
    expect(writer.pruned).not.toContain('arn:aws:iam::999999999999:role/credvend/acme');
    expect((await listRevocations(fake.deps, adminOf('acme'), 'acme', { limit: 10 })).items[0]?.state).toBe('recorded-only');
  });
});

describe('the scheduled sweep', () => {
  it("retries every tenant's pending revocations and prunes each modifiable role and the federation user once", async () => {
    writer.failures = [new RevocationWriteError('iam_throttled')];
    const a = await createRevocation(fake.deps, adminOf('acme'), 'acme', { partnerId: 'partner-one' });
    writer.failures = [new RevocationWriteError('iam_failed')];
    const g = await createRevocation(fake.deps, adminOf('globex'), 'globex', { partnerId: 'partner-two' });
    expect([a.revocation.state, g.revocation.state]).toEqual(['pending', 'pending']);
    const swept = await sweepRevocations(fake.deps, 1);
    expect(swept).toMatchObject({ tenants: 2, retried: 2, settled: 2, pruneFailures: 0 });
    const states = await Promise.all(
      (['acme', 'globex'] as const).map(async (t) => (await listRevocations(fake.deps, adminOf(t), t, { limit: 10 })).items[0]?.state),
    );
    expect(states).toEqual(['effective', 'effective']);
    expect(writer.pruned.sort()).toEqual([ACME_ROLE, GLOBEX_ROLE, 'user/credvend-federation'].sort());
  });

  it("verifies each entity with nothing to prune against credvend's copy and counts the ones it put again (F5)", async () => {
    writer.differs.add(GLOBEX_ROLE);
    const swept = await sweepRevocations(fake.deps);
    expect(swept).toMatchObject({ entitiesRepaired: 1, pruneFailures: 0 });
    expect(writer.verified.sort()).toEqual([ACME_ROLE, GLOBEX_ROLE, 'user/credvend-federation'].sort());
  });
});

describe('failures, retries and idempotency', () => {
  it('a failed IAM write leaves it pending with a code; the same request again makes it effective, once', async () => {
    writer.failures = [new RevocationWriteError('iam_throttled')];
    const first = await createRevocation(fake.deps, adminOf('acme'), 'acme', { partnerId: 'partner-one' }, 'incident-42');
    expect(first.revocation.state).toBe('pending');
    expect(first.revocation.entities).toContainEqual(expect.objectContaining({ state: 'pending', reason: 'iam_throttled' }));
    expect(first.revocation.effectiveAt).toBeUndefined();
    const again = await createRevocation(fake.deps, adminOf('acme'), 'acme', { partnerId: 'partner-one' }, 'incident-42');
    expect(again.created).toBe(false);
    expect(again.revocation.revocationId).toBe(first.revocation.revocationId);
    expect(again.revocation.state).toBe('effective');
    expect(store.records.size).toBe(1);
    expect(statementsOf(writer.policies.get(ACME_ROLE))).toHaveLength(1);
  });

  it('retryPendingRevocations finishes pending ones; an unexpected error is recorded as iam_failed, not effective', async () => {
    const boom = new Error('socket hang up') as unknown as RevocationWriteError;
    writer.add = async () => {
      throw boom;
    };
    const first = await createRevocation(fake.deps, adminOf('acme'), 'acme', { partnerId: 'partner-one' });
    expect(first.revocation.state).toBe('pending');
    expect(JSON.stringify(first.revocation)).not.toContain('socket');
    writer.add = FakeWriter.prototype.add.bind(writer);
    const rd = fake.deps.revocations;
    if (!rd) throw new Error('wired');
    const [retried] = await retryPendingRevocations(rd, 'acme', () => NOW);
    expect(retried?.state).toBe('effective');
  });

  it('without a key, the same issuance is one revocation; an invalid key is a 400', async () => {
    const mine = issuance('acme', 'partner-one');
    issuances.push(mine);
    const a = await createRevocation(fake.deps, adminOf('acme'), 'acme', { issuanceId: mine.issuanceId });
    const b = await createRevocation(fake.deps, adminOf('acme'), 'acme', { issuanceId: mine.issuanceId });
    expect(b).toMatchObject({ created: false, revocation: { revocationId: a.revocation.revocationId } });
    expect(await code(createRevocation(fake.deps, adminOf('acme'), 'acme', { partnerId: 'partner-one' }, 'bad key!'))).toBe(
      'invalid_request',
    );
  });

  it("listing shows only the tenant's own revocations", async () => {
    await createRevocation(fake.deps, adminOf('acme'), 'acme', { partnerId: 'partner-one' });
    await createRevocation(fake.deps, operator, 'globex', { partnerId: 'partner-two' });
    const listed = await listRevocations(fake.deps, adminOf('acme'), 'acme', { limit: 10 });
    expect(listed.items.map((r) => r.tenantId)).toEqual(['acme']);
    expect(await code(listRevocations(fake.deps, adminOf('acme'), 'globex', { limit: 10 }))).toBe('not_found');
  });
});

describe('issuances as listed', () => {
  it("show status revoked with who and when once a covering revocation is effective; only the tenant's own", async () => {
    const revoked = issuance('acme', 'partner-one', { issuedAt: '2026-05-06T07:00:00.000Z' });
    const later = issuance('acme', 'partner-one', { issuedAt: '2026-05-06T07:08:10.000Z' });
    const otherPartner = issuance('acme', 'partner-three');
    const theirs = issuance('globex', 'partner-one');
    const f = fakeAdmin({ issuances: [revoked, later, otherPartner, theirs] });
    f.deps.revocationList = (tenantId, page) => store.list(tenantId, page);
    await seedTenant(f.store, 'acme', 'partner-one');
    const out = await createRevocation(fake.deps, adminOf('acme'), 'acme', { partnerId: 'partner-one' });
    const listed = await queryIssuances(f.deps, adminOf('acme'), 'acme', {}, { limit: 10 });
    const byId = new Map(listed.items.map((i) => [i.issuanceId, i]));
    expect(byId.get(revoked.issuanceId)).toMatchObject({
      status: 'revoked',
      revocation: {
        revocationId: out.revocation.revocationId,
        state: 'effective',
        revokedBy: adminOf('acme').keyId,
        revokedAt: NOW.toISOString(),
      },
    });
    expect(byId.get(later.issuanceId)).toEqual(later);
    expect(byId.get(otherPartner.issuanceId)).toEqual(otherPartner);
    expect(byId.has(theirs.issuanceId)).toBe(false);
  });

  it('a revocation not yet effective is shown with its state, the status unchanged; expired stays expired', () => {
    const live = issuance('acme', 'partner-one');
    const gone = issuance('acme', 'partner-one', { status: 'expired' });
    const pending = {
      revocationId: 'rv1',
      tenantId: 'acme',
      target: { kind: 'partner' as const, partnerId: 'partner-one', before: '2026-05-06T08:00:00.000Z' },
      idempotencyKey: 'k',
      state: 'pending' as const,
      entries: [],
      createdAt: '2026-05-06T08:00:00.000Z',
      createdBy: 'ak-x',
      targetsExpireAt: '2026-05-07T08:00:00.000Z',
      version: 1,
    };
    expect(withRevocation(live, [pending])).toMatchObject({ status: 'active', revocation: { state: 'pending' } });
    expect(withRevocation(gone, [{ ...pending, state: 'effective' }])).toMatchObject({
      status: 'expired',
      revocation: { state: 'effective' },
    });
  });
});

describe('idempotency keys and retries on later requests', () => {
  it('the same key with another target is a 409, not a silent answer about another revocation', async () => {
    await createRevocation(fake.deps, adminOf('acme'), 'acme', { partnerId: 'partner-one' }, 'incident-7');
    await fake.store.createPartner({
      tenantId: 'acme',
      partnerId: 'partner-two',
      name: 'p2',
      status: 'enabled',
      createdAt: NOW.toISOString(),
    });
    expect(await code(createRevocation(fake.deps, adminOf('acme'), 'acme', { partnerId: 'partner-two' }, 'incident-7'))).toBe(
      'idempotency_key_reused',
    );
    // Another tenant may use the same key: keys are per tenant.
    const theirs = await createRevocation(fake.deps, operator, 'globex', { partnerId: 'partner-two' }, 'incident-7');
    expect(theirs.created).toBe(true);
  });

  it("a new revocation writes only its own statements: the tenant's other pending ones are the sweep's (F4)", async () => {
    writer.failures = [new RevocationWriteError('iam_throttled'), new RevocationWriteError('iam_throttled')];
    const first = await createRevocation(fake.deps, adminOf('acme'), 'acme', { partnerId: 'partner-one' });
    expect(first.revocation.state).toBe('pending');
    const mine = issuance('acme', 'partner-one');
    issuances.push(mine);
    const before = writer.writes.length;
    const second = await createRevocation(fake.deps, adminOf('acme'), 'acme', { issuanceId: mine.issuanceId });
    expect(second.revocation.state).toBe('effective');
    // One entity for the issuance, nothing for the pending partner revocation.
    expect(writer.writes.length - before).toBe(1);
    expect(store.records.get(first.revocation.revocationId)?.state).toBe('pending');
  });

  it('a revocation writes at most two entities at once, however many roles are bound (F4)', async () => {
    const roles = Object.fromEntries(
      [1, 2, 3, 4, 5, 6].map((i) => [`r${i}`, { roleArn: `arn:aws:iam::123456789012:role/credvend/acme${i}`, maxSessionDuration: 7200 }]),
    );
    const binding = seededBinding('acme');
    await fake.store.putBinding('acme', { ...binding, version: 2, roles }, 1);
    const out = await createRevocation(fake.deps, adminOf('acme'), 'acme', { partnerId: 'partner-one' });
    expect(out.revocation.state).toBe('effective');
    expect(writer.writes).toHaveLength(7);
    expect(writer.maxInFlight).toBe(2);
  });
});

describe('a role bound to several tenants (F2)', () => {
  it('is written as shared (each tenant within its share); a role bound to one tenant is not', async () => {
    // globex is bound to acme's role too (the operator may do this).
    const binding = seededBinding('globex');
    await fake.store.putBinding(
      'globex',
      { ...binding, version: 2, roles: { ...binding.roles, extra: { roleArn: ACME_ROLE, maxSessionDuration: 7200 } } },
      1,
    );
    await createRevocation(fake.deps, adminOf('acme'), 'acme', { partnerId: 'partner-one' });
    await createRevocation(fake.deps, adminOf('globex'), 'globex', { partnerId: 'partner-two' });
    const shared = writer.options.filter((o) => o.key === ACME_ROLE);
    expect(shared).toHaveLength(2);
    expect(shared.map((o) => o.shared)).toEqual([true, true]);
    const own = writer.options.filter((o) => o.key === GLOBEX_ROLE);
    expect(own).toHaveLength(1);
    expect(own[0]?.shared).toBe(false);
  });
});

describe("a one-issuance statement's expiry", () => {
  it("is the issuance's own expiresAt; a partner statement's is left to the writer (cutoff plus the longest life)", async () => {
    const mine = issuance('acme', 'partner-one', { expiresAt: '2026-05-06T07:15:00.000Z' });
    issuances.push(mine);
    await createRevocation(fake.deps, adminOf('acme'), 'acme', { issuanceId: mine.issuanceId });
    await createRevocation(fake.deps, adminOf('acme'), 'acme', { partnerId: 'partner-one' });
    expect(writer.options.map((o) => o.expiresAt)).toEqual(['2026-05-06T07:15:00.000Z', undefined, undefined]);
  });
});

describe('pending revocations whose targets expired, and the sweep order (F3)', () => {
  it('a pending revocation whose every target expired is expired, never effective, and no longer written', async () => {
    const mine = issuance('acme', 'partner-one', { issuedAt: '2026-05-06T07:00:00.000Z', expiresAt: '2026-05-06T07:15:00.000Z' });
    issuances.push(mine);
    writer.failures = [new RevocationWriteError('policy_full')];
    const out = await createRevocation(fake.deps, adminOf('acme'), 'acme', { issuanceId: mine.issuanceId });
    expect(out.revocation.state).toBe('pending');
    fake.deps.now = () => new Date('2026-05-06T07:15:00.000Z');
    const writes = writer.writes.length;
    const swept = await sweepRevocations(fake.deps);
    expect(swept).toMatchObject({ retried: 1, settled: 1 });
    const record = store.records.get(out.revocation.revocationId);
    expect(record?.state).toBe('expired');
    expect(record?.effectiveAt).toBeUndefined();
    expect(record?.entries.map((e) => [e.state, e.reason])).toEqual([['pending', 'targets_expired']]);
    expect(writer.writes.length).toBe(writes);
    // Swept again: terminal, not retried.
    expect(await sweepRevocations(fake.deps)).toMatchObject({ retried: 0 });
  });

  it('a revocation of an issuance already expired is expired at once, nothing written', async () => {
    const old = issuance('acme', 'partner-one', { issuedAt: '2026-05-06T06:00:00.000Z', expiresAt: '2026-05-06T06:15:00.000Z' });
    issuances.push(old);
    const out = await createRevocation(fake.deps, adminOf('acme'), 'acme', { issuanceId: old.issuanceId });
    expect(out.revocation.state).toBe('expired');
    expect(writer.writes).toEqual([]);
  });

  it('prunes every entity before retrying, then retries round-robin across tenants, oldest first', async () => {
    writer.failures = [0, 1, 2, 3, 4, 5, 6, 7].map(() => new RevocationWriteError('policy_full'));
    // acme: three pending (older), globex: one (newer). Ids in order: acme's sort first.
    for (const p of ['partner-one', 'partner-one', 'partner-one'])
      await createRevocation(
        fake.deps,
        adminOf('acme'),
        'acme',
        { partnerId: p, before: '2026-05-06T07:00:00.000Z' },
        `k${writer.writes.length}`,
      );
    await createRevocation(fake.deps, adminOf('globex'), 'globex', { partnerId: 'partner-two' });
    expect([...store.records.values()].map((r) => r.state)).toEqual(['pending', 'pending', 'pending', 'pending']);
    writer.log.length = 0;
    await sweepRevocations(fake.deps);
    const firstAdd = writer.log.findIndex((l) => l.startsWith('add'));
    const lastPrune = writer.log.map((l) => l.startsWith('prune')).lastIndexOf(true);
    expect(lastPrune).toBe(2);
    expect(firstAdd).toBe(3);
    // Each revocation writes the tenant's role and the federation user: the second revocation retried is globex's.
    const tenantsInOrder = writer.log.filter((l) => l.startsWith('add')).map((l) => l.split(' ')[2]);
    expect(tenantsInOrder).toEqual(['acme', 'acme', 'globex', 'globex', 'acme', 'acme', 'acme', 'acme']);
  });
});
