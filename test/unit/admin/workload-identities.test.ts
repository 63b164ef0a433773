// Workload identities (issue 17): tenant admins register which OIDC tokens authenticate as their
// partners. The attacker here holds one tenant's admin key (evil) and tries to register identities
// that would let tokens meant for another tenant (acme) vend under evil, or make credvend fetch
// arbitrary URLs; every attempt must be refused with a stable code.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { putBinding } from '../../../lib/admin/bindings';
import type { PutWorkloadIdentityBody } from '../../../lib/admin/schemas';
import {
  deleteWorkloadIdentity,
  getWorkloadIdentity,
  listWorkloadIdentities,
  parsePutWorkloadIdentity,
  putWorkloadIdentity,
} from '../../../lib/admin/workload-identities';
import { AppError } from '../../../lib/core/errors';
import { issuerProblem, MAX_TENANT_IDENTITIES, subjectMatches, tenantOfAudience } from '../../../lib/identity/oidc-rules';
import { adminOf, type FakeAdmin, fakeAdmin, operator, seedTenant } from './fakes';

async function refusal(promise: Promise<unknown>): Promise<{ status: number; code: string; details: { code?: unknown; path?: string }[] }> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof AppError) return { status: err.statusCode, code: err.code, details: err.details };
    throw err;
  }
  throw new Error('expected a refusal');
}

const GITHUB = 'https://token.actions.githubusercontent.com';

function body(overrides: Partial<PutWorkloadIdentityBody> = {}): PutWorkloadIdentityBody {
  return {
    expectedVersion: 0,
    issuer: GITHUB,
    audiences: ['credvend:acme'],
    subject: { pattern: 'repo:acme/deploy:*' },
    requiredClaims: { repository_owner: 'acme' },
    ...overrides,
  };
}

let f: FakeAdmin;
const acme = adminOf('acme');
const evil = adminOf('evil');
const put = (caller = acme, b: PutWorkloadIdentityBody = body(), tenant = 'acme', partner = 'partner-one', id = 'gh-deploy') =>
  putWorkloadIdentity(f.deps, caller, tenant, partner, id, b);
const codes = (r: { details: { code?: unknown }[] }) => r.details.map((d) => d.code);

beforeEach(async () => {
  f = fakeAdmin();
  await seedTenant(f.store, 'acme', 'partner-one');
  await seedTenant(f.store, 'evil', 'partner-one');
});

describe('workload identities: versioned like the other admin resources', () => {
  it('creates at version 1, replaces at the version read, refuses a stale or repeated create', async () => {
    const created = await put();
    expect(created).toMatchObject({ tenantId: 'acme', partnerId: 'partner-one', identityId: 'gh-deploy', version: 1, issuer: GITHUB });
    expect(await refusal(put())).toMatchObject({ status: 409, code: 'version_conflict' });
    const replaced = await put(acme, body({ expectedVersion: 1, subject: { exact: 'repo:acme/deploy:ref:refs/heads/main' } }));
    expect(replaced.version).toBe(2);
    expect(replaced.createdAt).toBe(created.createdAt);
    expect(await refusal(put(acme, body({ expectedVersion: 1 })))).toMatchObject({ status: 409, code: 'version_conflict' });
    expect((await getWorkloadIdentity(f.deps, acme, 'acme', 'partner-one', 'gh-deploy')).version).toBe(2);
    expect((await listWorkloadIdentities(f.deps, acme, 'acme', 'partner-one', { limit: 25 })).items).toHaveLength(1);
  });

  it('deletes only at the current version', async () => {
    await put();
    expect(await refusal(deleteWorkloadIdentity(f.deps, acme, 'acme', 'partner-one', 'gh-deploy', 2))).toMatchObject({ status: 409 });
    await deleteWorkloadIdentity(f.deps, acme, 'acme', 'partner-one', 'gh-deploy', 1);
    expect(await refusal(getWorkloadIdentity(f.deps, acme, 'acme', 'partner-one', 'gh-deploy'))).toMatchObject({ status: 404 });
    expect(f.revocations).toBeGreaterThanOrEqual(2);
  });

  it('an unknown partner, or an identity id that cannot exist, answers 404/422', async () => {
    expect(await refusal(put(acme, body(), 'acme', 'nobody'))).toMatchObject({ status: 404, code: 'not_found' });
    expect(await refusal(put(acme, body(), 'acme', 'partner-one', 'Bad_Id'))).toMatchObject({ status: 422 });
  });
});

describe("an attacker with evil's admin key", () => {
  it("cannot manage acme's identities: another tenant answers 404 as if absent", async () => {
    await put();
    expect(await refusal(put(evil, body(), 'acme'))).toMatchObject({ status: 404, code: 'not_found' });
    expect(await refusal(getWorkloadIdentity(f.deps, evil, 'acme', 'partner-one', 'gh-deploy'))).toMatchObject({ status: 404 });
    expect(await refusal(deleteWorkloadIdentity(f.deps, evil, 'acme', 'partner-one', 'gh-deploy', 1))).toMatchObject({ status: 404 });
  });

  it("cannot accept tokens minted for acme: every audience must name evil's own tenant", async () => {
    for (const aud of ['credvend:acme', 'credvend:acme:prod', 'sts.amazonaws.com', 'credvend:', 'credvend:evilx', 'credvend:evil:a b']) {
      const r = await refusal(put(evil, body({ audiences: [aud] }), 'evil'));
      expect({ aud, ...r, codes: codes(r) }).toMatchObject({
        aud,
        status: 422,
        code: 'invalid_workload_identity',
        codes: ['audience_not_tenant_scoped'],
      });
    }
    // The same issuer and subject acme registered is harmless under evil: its audience is evil's.
    await put();
    const mine = await put(evil, body({ audiences: ['credvend:evil', 'credvend:evil:ci'] }), 'evil');
    expect(mine.audiences).toEqual(['credvend:evil', 'credvend:evil:ci']);
  });

  it('cannot register a subject pattern that matches anyone on a public issuer', async () => {
    for (const pattern of ['*', '**', 'rep*', '*:acme/deploy']) {
      const r = await refusal(put(evil, body({ audiences: ['credvend:evil'], subject: { pattern } }), 'evil'));
      expect(codes(r)).toEqual(['subject_pattern_too_broad']);
    }
  });

  it('cannot aim credvend at internal or non-https URLs (SSRF): nothing is fetched, and such issuers are refused', async () => {
    for (const issuer of [
      'http://token.actions.githubusercontent.com',
      'https://169.254.169.254',
      'https://127.0.0.1:8443',
      'https://[::1]',
      'https://localhost',
      'https://2130706433',
      'https://0x7f000001',
      'https://metadata',
      'https://user:pw@issuer.example.com',
      'https://issuer.example.com/?x=1',
      'https://issuer.example.com/#frag',
      'https://issuer.example.com/',
      'HTTPS://ISSUER.example.com',
      'file:///etc/passwd',
      'not a url',
    ]) {
      const r = await refusal(put(evil, body({ audiences: ['credvend:evil'], issuer }), 'evil'));
      expect({ issuer, codes: codes(r) }).toEqual({ issuer, codes: ['invalid_issuer'] });
    }
  });

  it('cannot restate a registered claim or use a reserved key as a claim name', async () => {
    const r = await refusal(put(evil, body({ audiences: ['credvend:evil'], requiredClaims: { aud: 'x', sub: 'y' } }), 'evil'));
    expect(codes(r)).toEqual(['registered_claim', 'registered_claim']);
    const raw = JSON.parse(
      '{"expectedVersion":0,"issuer":"https://a.example.com","audiences":["credvend:evil"],"subject":{"exact":"x"},"requiredClaims":{"__proto__":"x"}}',
    );
    expect(await refusal(Promise.resolve().then(() => parsePutWorkloadIdentity(raw)))).toMatchObject({
      status: 422,
      code: 'invalid_workload_identity',
    });
  });

  it('cannot store more than the bounded number of identities the issuance path reads', async () => {
    for (let i = 0; i < MAX_TENANT_IDENTITIES; i++) {
      await put(evil, body({ audiences: ['credvend:evil'] }), 'evil', 'partner-one', `id-${i}`);
    }
    const r = await refusal(put(evil, body({ audiences: ['credvend:evil'] }), 'evil', 'partner-one', 'one-more'));
    expect(codes(r)).toEqual(['too_many_identities']);
  });
});

describe('operators restrict issuers in the binding', () => {
  it("refuses an issuer outside the binding's allowedIssuers, accepts one inside", async () => {
    const current = f.store.tenants.get('acme')!.binding!;
    await putBinding(f.deps, operator, 'acme', {
      expectedVersion: current.version,
      roles: current.roles,
      oidc: { allowedIssuers: ['https://gitlab.example.com'] },
    });
    expect(codes(await refusal(put()))).toEqual(['issuer_not_allowed']);
    expect((await put(acme, body({ issuer: 'https://gitlab.example.com' }))).issuer).toBe('https://gitlab.example.com');
  });

  it('refuses an allowed issuer that is not an https issuer', async () => {
    const current = f.store.tenants.get('acme')!.binding!;
    const r = await refusal(
      putBinding(f.deps, operator, 'acme', {
        expectedVersion: current.version,
        roles: current.roles,
        oidc: { allowedIssuers: ['http://10.0.0.1'] },
      }),
    );
    expect(r).toMatchObject({ status: 422, code: 'invalid_binding' });
  });
});

describe('oidc rules', () => {
  it('loopback http issuers only when the local stack allows them', () => {
    expect(issuerProblem('http://localhost:4569')).toBeDefined();
    expect(issuerProblem('http://localhost:4569', { allowLoopbackHttp: true })).toBeUndefined();
    expect(issuerProblem('http://evil.example.com', { allowLoopbackHttp: true })).toBeDefined();
    expect(issuerProblem(GITHUB)).toBeUndefined();
  });

  it('subject patterns: * matches any run, everything else literally', () => {
    const p = { pattern: 'repo:acme/*:ref:refs/heads/*' };
    expect(subjectMatches(p, 'repo:acme/deploy:ref:refs/heads/main')).toBe(true);
    expect(subjectMatches(p, 'repo:acme/deploy:pull_request')).toBe(false);
    expect(subjectMatches(p, 'repo:acmex/deploy:ref:refs/heads/main')).toBe(false);
    expect(subjectMatches({ pattern: 'repo:acme/deploy:*' }, 'repo:acme/deploy:')).toBe(true);
    expect(subjectMatches({ pattern: 'repo:a*a' }, 'repo:a')).toBe(false);
    expect(subjectMatches({ pattern: 'repo:.*' }, 'repo:xyz')).toBe(false);
    expect(subjectMatches({ exact: 'a' }, 'ab')).toBe(false);
  });

  it('the tenant an audience names', () => {
    expect(tenantOfAudience('credvend:acme')).toBe('acme');
    expect(tenantOfAudience('credvend:acme:prod')).toBe('acme');
    expect(tenantOfAudience('sts.amazonaws.com')).toBeUndefined();
  });
});
