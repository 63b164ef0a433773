// The red team's findings on the token path (issue 17 follow-up, /tmp/redteam-oidc/repro), each as
// the attack itself against the verifier: an unauthenticated caller (unsigned or garbage-signed
// tokens) or a tenant admin of another tenant must not make credvend read DynamoDB with an arbitrary
// key (F1), vend for a token naming two tenants (F3), evict another tenant's cached issuer keys (F2),
// learn which tenant registered which issuer (F5), or pass a claim tag STS refuses (F4).
import { beforeAll, describe, expect, it } from '@jest/globals';
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';
import { AppError } from '../../lib/core/errors';
import type { Tenant, WorkloadIdentity } from '../../lib/core/model';
import { type FetchJson, JwksCache, KEYS_MAX_AGE_MS, MAX_ISSUERS } from '../../lib/identity/jwks';
import { authenticateWebIdentity, type WebIdentityDeps } from '../../lib/identity/web-identity';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const sec = (ms: number) => Math.floor(ms / 1000);
const VICTIM_ISSUER = 'https://idp.victim.example.com';
const ATTACKER_ISSUER = 'https://idp.attacker.example.com';

type Key = { privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey']; jwk: JWK };
let k1: Key;
beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  k1 = { privateKey, jwk: { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' } };
});

function identity(tenantId: string, issuer: string, overrides: Partial<WorkloadIdentity> = {}): WorkloadIdentity {
  return {
    tenantId,
    partnerId: 'ci-app',
    identityId: 'gh-ci',
    issuer,
    audiences: [`credvend:${tenantId}`],
    subject: { pattern: `repo:${tenantId}/*` },
    version: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

const tenant = (tenantId: string): Tenant => ({
  tenantId,
  name: tenantId,
  status: 'enabled',
  createdAt: '2026-01-01T00:00:00.000Z',
  binding: { version: 1, externalId: 'cv-x', roles: {}, updatedAt: 'x' },
});

/** Issuers that answer (every https://*.example.com one) unless listed in `down`; reads and fetches are counted. */
function world(identities: WorkloadIdentity[]) {
  let now = NOW;
  const down = new Set<string>();
  const fetched: string[] = [];
  let reads = 0;
  const fetchJson: FetchJson = async (url) => {
    fetched.push(url);
    const issuer = url.replace(/\/(\.well-known\/openid-configuration|jwks)$/, '');
    if (down.has(issuer)) throw new Error('connect ECONNREFUSED');
    if (url.endsWith('/.well-known/openid-configuration')) return { issuer, jwks_uri: `${issuer}/jwks` };
    return { keys: [k1.jwk] };
  };
  const tenants = [...new Set(identities.map((w) => w.tenantId))].map(tenant);
  const deps: WebIdentityDeps = {
    directory: {
      getTenant: async (id) => {
        reads++;
        return tenants.find((t) => t.tenantId === id);
      },
      getWorkloadIdentities: async (id) => {
        reads++;
        return identities.filter((w) => w.tenantId === id);
      },
    },
    jwks: new JwksCache(fetchJson, {}, () => now),
    rules: {},
    now: () => now,
  };
  return {
    deps,
    fetched,
    down,
    reads: () => reads,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

async function mint(claims: JWTPayload & { aud: string | string[]; iss: string }): Promise<string> {
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'JWT' })
    .setIssuedAt(sec(NOW) - 10)
    .setExpirationTime(sec(NOW) + 300)
    .sign(k1.privateKey);
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
/** What the red team sent: an RS256 header and a signature of garbage, no key at all. */
const unsigned = (payload: Record<string, unknown>, kid = 'probe') =>
  `${b64({ alg: 'RS256', kid })}.${b64({ sub: 'x', iat: sec(NOW), exp: sec(NOW) + 300, ...payload })}.AAAA`;

async function refusal(promise: Promise<unknown>): Promise<{ status: number; code: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof AppError) return { status: err.statusCode, code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('F1: a tenant id that cannot be one is refused before any read', () => {
  const unregistered = { iss: 'https://x.example.com', aud: 'credvend:nosuch' };
  it.each([
    ['longer than 2 KB (DynamoDB refuses the key: was a 503)', `credvend:${'a'.repeat(2100)}`],
    ['uppercase', 'credvend:ACME'],
    ['one character', 'credvend:a'],
    ['with a suffix, still too long', `credvend:${'a'.repeat(40)}:ci`],
  ])('%s: 401 like an unknown tenant, no directory read', async (_why, aud) => {
    const w = world([identity('acme', VICTIM_ISSUER)]);
    const r = await refusal(authenticateWebIdentity(w.deps, unsigned({ iss: 'https://x.example.com', aud })));
    expect(w.reads()).toBe(0);
    const unknown = await refusal(authenticateWebIdentity(world([]).deps, unsigned(unregistered)));
    expect(r).toEqual(unknown);
    expect(r.status).toBe(401);
  });
});

describe('F3: exactly one credvend audience, over the whole list', () => {
  const fillers = Array.from({ length: 19 }, (_, i) => `f${i + 1}`);
  const both = () => world([identity('attacker', ATTACKER_ISSUER), identity('victim', ATTACKER_ISSUER)]);

  it('a second tenant beyond the 20th entry refuses (was 201)', async () => {
    const token = await mint({ iss: ATTACKER_ISSUER, sub: 'repo:attacker/x', aud: ['credvend:attacker', ...fillers, 'credvend:victim'] });
    expect(await refusal(authenticateWebIdentity(both().deps, token))).toMatchObject({ status: 401, code: 'token_audience_unknown' });
  });

  it('more than 20 audiences refuse outright, even with one credvend audience', async () => {
    const token = await mint({ iss: ATTACKER_ISSUER, sub: 'repo:attacker/x', aud: ['credvend:attacker', ...fillers, 'f20'] });
    expect(await refusal(authenticateWebIdentity(both().deps, token))).toMatchObject({ status: 401, code: 'token_audience_unknown' });
  });

  it('20 audiences with one credvend audience still authenticate', async () => {
    const token = await mint({ iss: ATTACKER_ISSUER, sub: 'repo:attacker/x', aud: ['credvend:attacker', ...fillers] });
    expect((await authenticateWebIdentity(both().deps, token)).tenantId).toBe('attacker');
  });
});

describe("F2: another tenant's issuers cannot push a tenant's cached keys out", () => {
  it('the victim keeps vending from cached keys while its issuer is down, after the attacker cycled more issuers than the cache holds', async () => {
    // More than a container caches (an admin re-pointing its 100 identities gets there): LRU alone would evict the victim.
    const cycled = MAX_ISSUERS + 50;
    const attackerIdentities = Array.from({ length: cycled }, (_, i) =>
      identity('attacker', `https://ev${i}.attacker.example.com`, { identityId: `ev-${i}` }),
    );
    const w = world([identity('victim', VICTIM_ISSUER), ...attackerIdentities]);
    const victimToken = await mint({ iss: VICTIM_ISSUER, sub: 'repo:victim/app', aud: 'credvend:victim' });
    expect((await authenticateWebIdentity(w.deps, victimToken)).tenantId).toBe('victim');
    w.down.add(VICTIM_ISSUER);
    let refused = 0;
    for (const a of attackerIdentities) {
      const r = await refusal(authenticateWebIdentity(w.deps, unsigned({ iss: a.issuer, aud: 'credvend:attacker' }, 'k')));
      if (r.status === 401) refused++;
    }
    expect(refused).toBe(cycled);
    // The victim's keys are still fresh (well within KEYS_MAX_AGE_MS): no fetch is needed.
    w.advance(KEYS_MAX_AGE_MS / 10);
    expect((await authenticateWebIdentity(w.deps, victimToken)).tenantId).toBe('victim');
  });
});

describe('F5: registered or not, an unauthenticated probe gets the same answer', () => {
  const probes: [string, () => Promise<string> | string][] = [
    ['registered (tenant, issuer), unknown kid', () => unsigned({ iss: VICTIM_ISSUER, aud: 'credvend:victim' })],
    [
      "registered (tenant, issuer), the issuer's real kid, garbage signature",
      () => unsigned({ iss: VICTIM_ISSUER, aud: 'credvend:victim' }, 'k1'),
    ],
    ['registered tenant, issuer it did not register', () => unsigned({ iss: 'https://idp.other.example.com', aud: 'credvend:victim' })],
    ['issuer registered by another tenant', () => unsigned({ iss: VICTIM_ISSUER, aud: 'credvend:demo' })],
    ['no such tenant', () => unsigned({ iss: VICTIM_ISSUER, aud: 'credvend:nosuch' })],
    ['registered audience suffix vs not', () => unsigned({ iss: VICTIM_ISSUER, aud: 'credvend:victim:other' })],
  ];

  it('every probe answers one 401 code and message', async () => {
    const w = world([identity('victim', VICTIM_ISSUER), identity('demo', 'https://idp.demo.example.com')]);
    const answers = new Map<string, string>();
    for (const [name, make] of probes) {
      const r = await refusal(authenticateWebIdentity(w.deps, await make()));
      answers.set(name, `${r.status} ${r.code} ${r.message}`);
    }
    expect(answers.size).toBe(probes.length);
    expect(new Set(answers.values()).size).toBe(1);
    expect([...answers.values()][0]).toMatch(/^401 token_not_trusted /);
  });
});

describe('F4: claim tags are measured as STS measures them (UTF-16 code units)', () => {
  it('200 astral letters (400 units) refuse with 401 token_claims_invalid (was passed on to STS: 422)', async () => {
    const w = world([identity('acme', VICTIM_ISSUER, { claimTags: ['repository'] })]);
    const value = '\u{1D518}'.repeat(200);
    expect(value.length).toBe(400);
    const token = await mint({ iss: VICTIM_ISSUER, sub: 'repo:acme/app', aud: 'credvend:acme', repository: value });
    const r = await refusal(authenticateWebIdentity(w.deps, token));
    expect(r).toMatchObject({ status: 401, code: 'token_claims_invalid' });
    expect(r.message).not.toContain('\u{1D518}');
  });

  it('128 astral letters (256 units) are still a tag', async () => {
    const w = world([identity('acme', VICTIM_ISSUER, { claimTags: ['repository'] })]);
    const value = '\u{1D518}'.repeat(128);
    const token = await mint({ iss: VICTIM_ISSUER, sub: 'repo:acme/app', aud: 'credvend:acme', repository: value });
    expect((await authenticateWebIdentity(w.deps, token)).claimTags).toEqual({ 'oidc:repository': value });
  });
});
