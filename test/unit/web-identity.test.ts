// Token authentication (issue 17): every way a token can be wrong is refused with 401 and a code
// naming the check, echoing no claim value; a token for one tenant never authenticates for another;
// the issuer's keys are fetched again on an unknown kid at most once a minute; a hanging issuer
// answers 503 within the fetch budget.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';
import { AppError } from '../../lib/core/errors';
import type { Tenant, WorkloadIdentity } from '../../lib/core/model';
import { isJwtLike } from '../../lib/identity/api-key';
import { type FetchJson, JwksCache, REFETCH_INTERVAL_MS } from '../../lib/identity/jwks';
import { authenticateWebIdentity, MAX_TOKEN_BYTES, type WebIdentityDeps } from '../../lib/identity/web-identity';

const ISSUER = 'https://issuer.example.com';
const NOW = Date.parse('2026-06-01T12:00:00Z');
const sec = (ms: number) => Math.floor(ms / 1000);

type Key = { privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey']; jwk: JWK };
async function key(kid: string, alg: 'RS256' | 'ES256' = 'RS256'): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

function identity(overrides: Partial<WorkloadIdentity> = {}): WorkloadIdentity {
  return {
    tenantId: 'acme',
    partnerId: 'deployer',
    identityId: 'gh-main',
    issuer: ISSUER,
    audiences: ['credvend:acme'],
    subject: { pattern: 'repo:acme/app:*' },
    requiredClaims: { repository_owner: 'acme' },
    version: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

const tenantOf = (tenantId: string, allowedIssuers?: string[]): Tenant => ({
  tenantId,
  name: tenantId,
  status: 'enabled',
  createdAt: '2026-01-01T00:00:00.000Z',
  binding: { version: 1, externalId: 'cv-x', roles: {}, updatedAt: 'x', ...(allowedIssuers ? { oidc: { allowedIssuers } } : {}) },
});

let k1: Key;
let k2: Key;
let other: Key;
beforeAll(async () => {
  [k1, k2, other] = await Promise.all([key('k1'), key('k2', 'ES256'), key('other')]);
});

/** A world: stored identities, tenants, and an issuer whose JWKS the test can rotate; fetches are counted. */
function world(opts: { identities?: WorkloadIdentity[]; tenants?: Tenant[]; keys?: () => JWK[] } = {}) {
  let now = NOW;
  const fetched: string[] = [];
  let jwks = opts.keys ?? (() => [k1.jwk]);
  const fetchJson: FetchJson = async (url) => {
    fetched.push(url);
    if (url === `${ISSUER}/.well-known/openid-configuration`) return { issuer: ISSUER, jwks_uri: `${ISSUER}/jwks` };
    if (url === `${ISSUER}/jwks`) return { keys: jwks() };
    throw new Error('unexpected url');
  };
  const identities = opts.identities ?? [identity()];
  const tenants = opts.tenants ?? [tenantOf('acme'), tenantOf('evil')];
  const deps: WebIdentityDeps = {
    directory: {
      getTenant: async (id) => tenants.find((t) => t.tenantId === id),
      // Every stored identity whatever the tenant asked for: the verifier must not rely on the store's key alone.
      getWorkloadIdentities: async () => identities,
    },
    jwks: new JwksCache(fetchJson, {}, () => now),
    rules: {},
    now: () => now,
  };
  return {
    deps,
    fetched,
    advance: (ms: number) => {
      now += ms;
    },
    rotate: (keys: () => JWK[]) => {
      jwks = keys;
    },
  };
}

async function mint(claims: JWTPayload = {}, signer: Key = k1, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({ sub: 'repo:acme/app:ref:refs/heads/main', repository_owner: 'acme', jti: 'run-1', ...claims })
    .setProtectedHeader({ alg: signer.jwk.alg as string, kid: signer.jwk.kid, typ: 'JWT', ...header })
    .setIssuer(typeof claims.iss === 'string' ? claims.iss : ISSUER)
    .setAudience((claims.aud as string | string[]) ?? 'credvend:acme')
    .setIssuedAt(typeof claims.iat === 'number' ? claims.iat : sec(NOW) - 10)
    .setExpirationTime(typeof claims.exp === 'number' ? claims.exp : sec(NOW) + 300)
    .sign(signer.privateKey);
}

async function refusal(promise: Promise<unknown>): Promise<{ status: number; code: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof AppError) return { status: err.statusCode, code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected a refusal');
}

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

describe('a valid token', () => {
  it('authenticates as the one partner whose identity it matches, with issuer, subject and jti for the record', async () => {
    const w = world();
    const caller = await authenticateWebIdentity(w.deps, await mint());
    expect(caller).toEqual({
      kind: 'partner',
      keyId: 'oidc.gh-main',
      tenantId: 'acme',
      partnerId: 'deployer',
      webIdentity: { issuer: ISSUER, subject: 'repo:acme/app:ref:refs/heads/main', identityId: 'gh-main', tokenId: 'run-1' },
    });
    // Discovery, then the keys; the next token uses the cache.
    await authenticateWebIdentity(w.deps, await mint());
    expect(w.fetched).toEqual([`${ISSUER}/.well-known/openid-configuration`, `${ISSUER}/jwks`]);
  });

  it('ES256 keys work too', async () => {
    const w = world({ keys: () => [k1.jwk, k2.jwk] });
    expect((await authenticateWebIdentity(w.deps, await mint({}, k2))).partnerId).toBe('deployer');
  });
});

describe('refusals name the failed check (401) and echo no claim value', () => {
  const cases: [string, () => Promise<string>, string][] = [
    ['expired', () => mint({ exp: sec(NOW) - 120 }), 'token_expired'],
    ['not yet valid', () => mint({ nbf: sec(NOW) + 600 }), 'token_not_yet_valid'],
    ['issued in the future', () => mint({ iat: sec(NOW) + 600, exp: sec(NOW) + 900 }), 'token_issued_in_future'],
    ['wrong audience (not credvend)', () => mint({ aud: 'sts.amazonaws.com' }), 'token_audience_unknown'],
    ['wrong audience (same tenant, unregistered suffix)', () => mint({ aud: 'credvend:acme:other' }), 'token_issuer_not_registered'],
    ['two tenants in the audience', () => mint({ aud: ['credvend:acme', 'credvend:evil'] }), 'token_audience_unknown'],
    ['wrong issuer', () => mint({ iss: 'https://attacker.example.com' }), 'token_issuer_not_registered'],
    ['signed by a key the issuer does not publish', () => mint({}, other), 'token_key_unknown'],
    ['kid of the issuer, signature of another key', () => mint({}, { ...other, jwk: k1.jwk }), 'token_signature_invalid'],
    ['subject of another repository', () => mint({ sub: 'repo:attacker/app:ref:refs/heads/main' }), 'token_subject_not_allowed'],
    ['required claim differs', () => mint({ repository_owner: 'attacker' }), 'token_claims_invalid'],
    ['no subject', () => mint({ sub: '' }), 'token_claims_invalid'],
    [
      'alg none',
      async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: ISSUER, aud: 'credvend:acme', sub: 'repo:acme/app:x' })}.`,
      'token_algorithm_not_allowed',
    ],
    ['not a JWT', async () => 'eyJhbGciOi.!!!.x', 'token_malformed'],
    ['oversized', () => mint({ pad: 'x'.repeat(MAX_TOKEN_BYTES) }), 'token_too_large'],
  ];
  it.each(cases)('%s', async (_name, make, code) => {
    const token = await make();
    const r = await refusal(authenticateWebIdentity(world().deps, token));
    expect(r).toMatchObject({ status: 401, code });
    for (const secretish of ['attacker', 'refs/heads', 'run-1', 'sts.amazonaws.com']) expect(r.message).not.toContain(secretish);
  });

  it('HS256 "signed" with the issuer\'s public key is refused before any key is used', async () => {
    const publicKeyBytes = new TextEncoder().encode(JSON.stringify(k1.jwk));
    const token = await new SignJWT({ sub: 'repo:acme/app:x', repository_owner: 'acme' })
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .setIssuer(ISSUER)
      .setAudience('credvend:acme')
      .setIssuedAt(sec(NOW))
      .setExpirationTime(sec(NOW) + 300)
      .sign(publicKeyBytes);
    const w = world();
    expect(await refusal(authenticateWebIdentity(w.deps, token))).toMatchObject({ status: 401, code: 'token_algorithm_not_allowed' });
    expect(w.fetched).toEqual([]);
  });

  it('a token with two partners matching is refused as ambiguous', async () => {
    const w = world({ identities: [identity(), identity({ partnerId: 'other-partner', identityId: 'gh-other' })] });
    expect(await refusal(authenticateWebIdentity(w.deps, await mint()))).toMatchObject({ code: 'token_identity_ambiguous' });
  });
});

describe('tenant isolation', () => {
  it("a token minted for acme's partner, presented where evil registered the same issuer and subject, vends only for acme", async () => {
    const evilCopy = identity({ tenantId: 'evil', partnerId: 'thief', identityId: 'copy', audiences: ['credvend:evil'] });
    const w = world({ identities: [identity(), evilCopy] });
    expect((await authenticateWebIdentity(w.deps, await mint())).tenantId).toBe('acme');
  });

  it("a token for acme's audience never matches evil's identity, even one that (wrongly stored) lists acme's audience", async () => {
    const forged = identity({ tenantId: 'evil', partnerId: 'thief', identityId: 'forged', audiences: ['credvend:acme'] });
    const w = world({ identities: [forged] });
    expect(await refusal(authenticateWebIdentity(w.deps, await mint()))).toMatchObject({ code: 'token_issuer_not_registered' });
  });

  it('an issuer the operator no longer allows stops authenticating, before its keys are fetched', async () => {
    const w = world({ tenants: [tenantOf('acme', ['https://other.example.com'])] });
    expect(await refusal(authenticateWebIdentity(w.deps, await mint()))).toMatchObject({ code: 'token_issuer_not_registered' });
    expect(w.fetched).toEqual([]);
  });
});

describe('key rotation', () => {
  it('an unknown kid fetches the keys again, at most once a minute per issuer', async () => {
    const w = world();
    await authenticateWebIdentity(w.deps, await mint());
    expect(w.fetched).toHaveLength(2);
    w.advance(REFETCH_INTERVAL_MS + 1);
    // The issuer rotates to k2: a token signed with it is accepted after one refetch.
    w.rotate(() => [k2.jwk]);
    expect((await authenticateWebIdentity(w.deps, await mint({}, k2))).partnerId).toBe('deployer');
    expect(w.fetched).toHaveLength(4);
    // Tokens with unknown kids within the minute fetch nothing.
    for (let i = 0; i < 5; i++)
      expect(await refusal(authenticateWebIdentity(w.deps, await mint({}, other)))).toMatchObject({ code: 'token_key_unknown' });
    expect(w.fetched).toHaveLength(4);
    w.advance(REFETCH_INTERVAL_MS + 1);
    await refusal(authenticateWebIdentity(w.deps, await mint({}, other)));
    expect(w.fetched).toHaveLength(6);
  });
});

describe('the fetch is bounded', () => {
  let server: Server;
  let base: string;
  let requests = 0;
  beforeAll(async () => {
    server = createServer((req) => {
      // Never answers: a hanging issuer.
      requests++;
      req.on('data', () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://localhost:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('a hanging issuer answers 503 oidc_issuer_unavailable once the fetch times out, and the next request does not ask it again', async () => {
    const cache = new JwksCache(undefined, { allowLoopbackHttp: true });
    // No timing threshold: a fetch without its timeout would hang, and the test with it (jest's timeout).
    expect(await refusal(cache.keys(base))).toMatchObject({ status: 503, code: 'oidc_issuer_unavailable' });
    expect(requests).toBe(1);
    // Within the failure back-off the issuer is not asked again: the next request fails at once.
    expect(await refusal(cache.keys(base))).toMatchObject({ status: 503 });
    expect(requests).toBe(1);
  }, 15_000);

  it('a discovery document naming another jwks host that is internal is refused', async () => {
    const fetchJson: FetchJson = async (url) =>
      url.endsWith('openid-configuration') ? { issuer: ISSUER, jwks_uri: 'https://169.254.169.254/keys' } : { keys: [] };
    expect(await refusal(new JwksCache(fetchJson).keys(ISSUER))).toMatchObject({ status: 503, code: 'oidc_issuer_unavailable' });
  });

  it('a discovery document for another issuer is refused', async () => {
    const fetchJson: FetchJson = async () => ({ issuer: 'https://other.example.com', jwks_uri: `${ISSUER}/jwks` });
    expect(await refusal(new JwksCache(fetchJson).keys(ISSUER))).toMatchObject({ status: 503 });
  });
});

describe('isJwtLike', () => {
  it('tells credvend keys from JWTs', async () => {
    expect(isJwtLike(await mint())).toBe(true);
    expect(isJwtLike('cv1.pk-aaaaaaaaaaaaaaaa.secret')).toBe(false);
    expect(isJwtLike('cv1.eyJ.x.y')).toBe(false);
  });
});

describe('claims as session tags', () => {
  const tagged = (claimTags: string[]) => world({ identities: [identity({ claimTags })] });

  it("the identity's named claims become oidc:<claim> tags of the partner", async () => {
    const caller = await authenticateWebIdentity(
      tagged(['repository', 'ref', 'sub']).deps,
      await mint({ repository: 'acme/app', ref: 'refs/heads/main' }),
    );
    expect(caller.claimTags).toEqual({
      'oidc:repository': 'acme/app',
      'oidc:ref': 'refs/heads/main',
      'oidc:sub': 'repo:acme/app:ref:refs/heads/main',
    });
    // Only what the identity names: other claims stay out.
    const plain = await authenticateWebIdentity(world().deps, await mint({ repository: 'acme/app' }));
    expect(plain.claimTags).toBeUndefined();
  });

  it.each([
    ['missing', {}],
    ['not a string', { repository: ['acme/app'] }],
    ['outside STS tag charset', { repository: 'acme/app,evil' }],
    ['longer than 256', { repository: 'x'.repeat(257) }],
  ])('a claim that cannot be a tag (%s) refuses with 401 token_claims_invalid, naming the claim, not its value', async (_why, claims) => {
    const r = await refusal(authenticateWebIdentity(tagged(['repository']).deps, await mint(claims)));
    expect(r).toMatchObject({ status: 401, code: 'token_claims_invalid' });
    expect(r.message).toContain('repository');
    expect(r.message).not.toContain('evil');
    expect(r.message).not.toContain('xxxx');
  });
});
