// The revocation policy writer under concurrency and faults: two revocations at once both end up in
// the IAM policy whatever order their IAM writes land in; an IAM failure midway throws (the revocation
// stays pending) and the next write repairs IAM; the quota is respected.
import { describe, expect, it } from '@jest/globals';
import {
  issuanceStatement,
  partnerFederationStatement,
  partnerRoleStatement,
  RevocationWriteError,
  statementsOf,
} from '../../../lib/admin/revocation-policy';
import { type InlinePolicyApi, type PolicyDocuments, revocationPolicyWriter } from '../../../lib/admin/revocation-writer';
import type { IamStatement, RevocationEntity } from '../../../lib/core/model';
import { federationName } from '../../../lib/vend/principal-names';

class FakeDocs implements PolicyDocuments {
  readonly items = new Map<
    string,
    { statements: IamStatement[]; version: number; owners?: Record<string, string>; expires?: Record<string, string> }
  >();
  async get(key: string) {
    const item = this.items.get(key);
    return item && structuredClone(item);
  }
  async put(
    key: string,
    statements: IamStatement[],
    expectedVersion: number,
    owners?: Record<string, string>,
    expires?: Record<string, string>,
  ) {
    await new Promise((r) => setImmediate(r));
    if ((this.items.get(key)?.version ?? 0) !== expectedVersion) return false;
    this.items.set(key, {
      statements: structuredClone(statements),
      version: expectedVersion + 1,
      owners: { ...owners },
      expires: { ...expires },
    });
    return true;
  }
}

class FakeIam implements InlinePolicyApi {
  text: string | undefined;
  puts = 0;
  /** Delay (ms) of each put, in call order; later calls 0. */
  delays: number[] = [];
  failures: RevocationWriteError[] = [];
  others = 0;
  async put(_entity: RevocationEntity, _name: string, text: string) {
    const delay = this.delays.shift() ?? 0;
    const failure = this.failures.shift();
    await new Promise((r) => setTimeout(r, delay));
    if (failure) throw failure;
    this.puts++;
    this.text = text;
  }
  async delete() {
    this.text = undefined;
  }
  gets = 0;
  async get() {
    this.gets++;
    return this.text === undefined ? undefined : encodeURIComponent(this.text);
  }
  async otherPoliciesSize() {
    return this.others;
  }
}

const ROLE: RevocationEntity = { kind: 'role', roleArn: 'arn:aws:iam::123456789012:role/credvend/acme' };
const BEFORE = new Date('2026-05-06T07:00:00.000Z');
const st = (sid: string, partner: string) => partnerRoleStatement(sid, 'acme', partner, BEFORE);
const sids = (text: string | undefined) => statementsOf(text).map((s) => s.Sid);

describe('revocation policy writer', () => {
  it('two revocations at once both end up in the policy, even when the stale IAM write lands last', async () => {
    const docs = new FakeDocs();
    const iam = new FakeIam();
    // The first IAM put (one statement) is slow: it lands after the second (both statements).
    iam.delays = [40, 0];
    const writer = revocationPolicyWriter(docs, iam, () => BEFORE);
    await Promise.all([writer.add(ROLE, [st('rvA', 'partner-a')], 'acme'), writer.add(ROLE, [st('rvB', 'partner-b')], 'acme')]);
    expect(sids(iam.text)).toEqual(['rvA', 'rvB']);
    expect(sids(JSON.stringify({ Statement: docs.items.get(`role#${ROLE.roleArn}`)?.statements }))).toEqual(['rvA', 'rvB']);
  });

  it('ten at once: every statement is in the IAM policy', async () => {
    const docs = new FakeDocs();
    const iam = new FakeIam();
    iam.delays = [30, 5, 25, 0, 15, 10, 20, 0, 35, 0];
    const writer = revocationPolicyWriter(docs, iam, () => BEFORE);
    await Promise.all(Array.from({ length: 10 }, (_, i) => writer.add(ROLE, [st(`rv${i}`, `partner-${i}`)], 'acme')));
    expect(sids(iam.text)).toHaveLength(10);
  });

  it('an IAM failure midway throws (the revocation stays pending); the retry repairs IAM, nothing twice', async () => {
    const docs = new FakeDocs();
    const iam = new FakeIam();
    iam.failures = [new RevocationWriteError('iam_throttled')];
    const writer = revocationPolicyWriter(docs, iam, () => BEFORE);
    await expect(writer.add(ROLE, [st('rvA', 'partner-a')], 'acme')).rejects.toMatchObject({ code: 'iam_throttled' });
    expect(iam.text).toBeUndefined();
    await writer.add(ROLE, [st('rvA', 'partner-a')], 'acme');
    expect(sids(iam.text)).toEqual(['rvA']);
  });

  it('prunes by Sid and deletes the policy when nothing is left', async () => {
    const docs = new FakeDocs();
    const iam = new FakeIam();
    const writer = revocationPolicyWriter(docs, iam, () => BEFORE);
    await writer.add(ROLE, [st('rvA', 'partner-a'), st('rvB', 'partner-b')], 'acme');
    await writer.remove(ROLE, new Set(['rvA']));
    expect(sids(iam.text)).toEqual(['rvB']);
    await writer.remove(ROLE, new Set(['rvB']));
    expect(iam.text).toBeUndefined();
  });

  it('verify (the sweep, F5): a stale put that landed after the writer returned (a timed-out PutRolePolicy) is repaired from the copy; one Get when IAM matches', async () => {
    const docs = new FakeDocs();
    const iam = new FakeIam();
    const writer = revocationPolicyWriter(docs, iam, () => BEFORE);
    await writer.add(ROLE, [st('rvA', 'partner-a')], 'acme');
    const stale = iam.text;
    await writer.add(ROLE, [st('rvB', 'partner-b')], 'acme');
    iam.gets = 0;
    expect(await writer.verify(ROLE)).toBe(false);
    expect(iam.gets).toBe(1);
    const puts = iam.puts;
    // The first writer's document lands late: IAM no longer holds rvB, which its record says is effective.
    iam.text = stale;
    expect(sids(iam.text)).toEqual(['rvA']);
    expect(await writer.verify(ROLE)).toBe(true);
    expect(sids(iam.text)).toEqual(['rvA', 'rvB']);
    expect(iam.puts).toBe(puts + 1);
    // Statements in another key order or whitespace are the same policy: nothing rewritten.
    iam.text = JSON.stringify(JSON.parse(iam.text ?? '{}'), null, 2);
    expect(await writer.verify(ROLE)).toBe(false);
    // A policy deleted behind credvend's back is put again.
    iam.text = undefined;
    expect(await writer.verify(ROLE)).toBe(true);
    expect(sids(iam.text)).toEqual(['rvA', 'rvB']);
  });

  it("refuses past IAM's quota, counting the role's other inline policies, and writes nothing", async () => {
    const docs = new FakeDocs();
    const iam = new FakeIam();
    iam.others = 10_100;
    const writer = revocationPolicyWriter(docs, iam, () => BEFORE);
    await expect(writer.add(ROLE, [st('rvA', 'partner-a')], 'acme')).rejects.toMatchObject({ code: 'policy_full' });
    expect(iam.puts).toBe(0);
    expect(docs.items.size).toBe(0);
  });

  it('every write prunes statements whose targets all expired: 12 h after the cutoff on a role, 36 h on the user', async () => {
    const now = new Date('2026-05-10T12:00:00.000Z');
    const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
    const docs = new FakeDocs();
    const iam = new FakeIam();
    const writer = revocationPolicyWriter(docs, iam, () => now);
    await writer.add(
      ROLE,
      [partnerRoleStatement('rvOld', 'acme', 'partner-a', hoursAgo(12)), partnerRoleStatement('rvLive', 'acme', 'partner-b', hoursAgo(11))],
      'acme',
    );
    await writer.add(ROLE, [st('rvNew', 'partner-c')], 'acme');
    expect(sids(iam.text)).toEqual(['rvLive', 'rvNew']);

    const USER: RevocationEntity = { kind: 'user', userName: 'credvend-federation' };
    const userIam = new FakeIam();
    const userDocs = new FakeDocs();
    const userWriter = revocationPolicyWriter(userDocs, userIam, () => now);
    await userWriter.add(USER, [partnerFederationStatement('rvFed', 'acme', 'partner-a', hoursAgo(13))], 'acme');
    await userWriter.add(USER, [partnerFederationStatement('rvFed2', 'acme', 'partner-b', hoursAgo(1))], 'acme');
    expect(sids(userIam.text)).toEqual(['rvFed', 'rvFed2']);
    // A day later the first is 37 h past its cutoff: pruned; the second (25 h) stays.
    await revocationPolicyWriter(userDocs, userIam, () => new Date(now.getTime() + 24 * 3_600_000)).add(USER, [], 'acme');
    expect(sids(userIam.text)).toEqual(['rvFed2']);
  });

  it("a one-issuance statement is held until the issuance's own expiresAt, not 36 h: pruned then, and no longer counted in the share", async () => {
    const USER: RevocationEntity = { kind: 'user', userName: 'credvend-federation' };
    const docs = new FakeDocs();
    const iam = new FakeIam();
    let now = BEFORE;
    const writer = revocationPolicyWriter(docs, iam, () => now);
    const issued = (sid: string, suffix: string) =>
      issuanceStatement(sid, {
        tenantId: 'acme',
        partnerId: 'app-nine',
        mode: 'federation',
        principalId: `123456789012:${federationName('acme', 'app-nine', suffix)}`,
        issuedAt: BEFORE.toISOString(),
      });
    const in15min = new Date(BEFORE.getTime() + 15 * 60_000).toISOString();
    await writer.add(USER, [issued('rvI1', 'x1')], 'acme', { expiresAt: in15min });
    await writer.add(USER, [issued('rvI2', 'x2')], 'acme', { expiresAt: in15min });
    // acme's share (two statements) is full until those credentials expire.
    await expect(writer.add(USER, [partnerFederationStatement('rvP', 'acme', 'app-one', BEFORE)], 'acme')).rejects.toMatchObject({
      code: 'tenant_share_full',
    });
    now = new Date(BEFORE.getTime() + 15 * 60_000);
    await writer.add(USER, [partnerFederationStatement('rvP', 'acme', 'app-one', BEFORE)], 'acme');
    expect(sids(iam.text)).toEqual(['rvP']);
    expect(docs.items.get('user#credvend-federation')?.expires ?? {}).toEqual({});
    // A partner statement, with no expiresAt, stays its 36 h.
    now = new Date(BEFORE.getTime() + 35 * 3_600_000);
    expect(await writer.prune(USER)).toBe(0);
  });

  it("on the federation user each tenant holds its share: past it the tenant's write is tenant_share_full, another tenant's is written", async () => {
    const USER: RevocationEntity = { kind: 'user', userName: 'credvend-ci-federation' };
    const docs = new FakeDocs();
    const iam = new FakeIam();
    const writer = revocationPolicyWriter(docs, iam, () => BEFORE);
    const sid = (tag: string) => tag.padEnd(37, 'Z');
    const fed = (tag: string, tenant: string, partner: string) => partnerFederationStatement(sid(tag), tenant, partner, BEFORE);
    // acme's one-issuance statement names no tenant: the writer records it as acme's.
    const issuance = issuanceStatement(sid('rvI'), {
      tenantId: 'acme',
      partnerId: 'app-nine',
      mode: 'federation',
      principalId: `123456789012:${federationName('acme', 'app-nine', 'x1')}`,
      issuedAt: BEFORE.toISOString(),
    });
    await writer.add(USER, [issuance], 'acme');
    await writer.add(USER, [fed('rvA1', 'acme', 'app-one')], 'acme');
    await expect(writer.add(USER, [fed('rvA2', 'acme', 'app-two')], 'acme')).rejects.toMatchObject({ code: 'tenant_share_full' });
    await writer.add(USER, [fed('rvG1', 'globex', 'app-two')], 'globex');
    await writer.add(USER, [fed('rvG2', 'globex', 'app-three')], 'globex');
    expect(sids(iam.text).map((s) => s?.replace(/Z+$/, ''))).toEqual(['rvA1', 'rvG1', 'rvG2', 'rvI']);
    expect(docs.items.get('user#credvend-ci-federation')?.owners).toEqual({
      [sid('rvI')]: 'acme',
      [sid('rvA1')]: 'acme',
      [sid('rvG1')]: 'globex',
      [sid('rvG2')]: 'globex',
    });
    // Removed, a statement takes its owner with it: acme has room again.
    await writer.remove(USER, new Set([sid('rvI')]));
    expect(Object.keys(docs.items.get('user#credvend-ci-federation')?.owners ?? {})).toHaveLength(3);
    await writer.add(USER, [fed('rvA2', 'acme', 'app-two')], 'acme');
    expect(sids(iam.text)).toContain(sid('rvA2'));
  });

  it("a role bound to several tenants is shared out like the federation user: past its share one tenant's write is tenant_share_full, another's is written (F2)", async () => {
    const iam = new FakeIam();
    const docs = new FakeDocs();
    const writer = revocationPolicyWriter(docs, iam, () => BEFORE);
    const shared = { shared: true };
    // A third of the role's 10,240 characters (3,400): 16 partner statements of about 210 characters.
    let refused = 0;
    let written = 0;
    for (let i = 0; i < 40; i++) {
      try {
        await writer.add(ROLE, [partnerRoleStatement(`rvA${i}`, 'acme', `app-${i}`, BEFORE)], 'acme', shared);
        written++;
      } catch (err) {
        expect(err).toMatchObject({ code: 'tenant_share_full' });
        refused++;
      }
    }
    expect(written).toBe(16);
    expect(refused).toBe(40 - written);
    await writer.add(ROLE, [partnerRoleStatement('rvG1', 'globex', 'app-one', BEFORE)], 'globex', shared);
    expect(sids(iam.text)).toContain('rvG1');
  });

  it('a role is not shared out: the same statements of one tenant all fit', async () => {
    const iam = new FakeIam();
    const roleWriter = revocationPolicyWriter(new FakeDocs(), iam, () => BEFORE);
    for (const p of ['app-one', 'app-two', 'app-three', 'app-four'])
      await roleWriter.add(ROLE, [st(`rv${p.replace(/-/g, '')}`, p)], 'acme');
    expect(sids(iam.text)).toHaveLength(4);
  });
});
