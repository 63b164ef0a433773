// Partners without secrets (issue 17), through the real HTTP stack: a tenant admin registers a
// workload identity with the admin API, the local OIDC issuer (local/oidc.ts) mints tokens, and
// POST /v1/credentials (and the container route) vend with them, or refuse with 401 and a code per
// check. Every minted token is recorded as a secret: the suite's secret scan fails if one reaches a
// log line or a stored item.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPair, SignJWT } from 'jose';
import { type LocalOidcIssuer, startLocalOidcIssuer } from '../../../local/oidc';
import { demoBinding } from '../../../local/seed';
import { call, closeTables, createTestTenant, stackInfo, type TestTenant } from '../../support/api';
import { control } from '../../support/control';
import { logEntries } from '../../support/logs';
import { recordSecrets } from '../../support/secret-scan';

const SUBJECT = 'repo:acme/app:ref:refs/heads/main';
let issuer: LocalOidcIssuer;
let a: TestTenant;
let b: TestTenant;

async function mint(claims: Record<string, unknown> = {}, opts: Parameters<LocalOidcIssuer['mint']>[1] = {}, tenant = a) {
  const token = await issuer.mint({ aud: `credvend:${tenant.tenantId}`, sub: SUBJECT, jti: `run-${Math.random()}`, ...claims }, opts);
  recordSecrets([token]);
  return token;
}

async function register(tenant: TestTenant, issuerUrl: string, overrides: Record<string, unknown> = {}, identityId = 'gh-ci') {
  const res = await call('PUT', `/v1/tenants/${tenant.tenantId}/partners/${tenant.partnerId}/workload-identities/${identityId}`, {
    key: tenant.adminKey,
    body: {
      expectedVersion: 0,
      issuer: issuerUrl,
      audiences: [`credvend:${tenant.tenantId}`],
      subject: { exact: SUBJECT },
      ...overrides,
    },
  });
  return res;
}

const vend = (token: string) => call('POST', '/v1/credentials', { authorization: `Bearer ${token}`, body: { durationSeconds: 900 } });

beforeAll(async () => {
  issuer = await startLocalOidcIssuer();
  [a, b] = await Promise.all([createTestTenant(), createTestTenant()]);
  expect((await register(a, issuer.url)).body).toMatchObject({ version: 1 });
});

afterAll(async () => {
  await issuer.close();
  closeTables();
});

describe('workload identities through the admin API', () => {
  it('are versioned: a repeated create is 409, a replace needs the version read, a delete too', async () => {
    const t = await createTestTenant();
    const created = await register(t, issuer.url);
    expect(created.body).toMatchObject({ version: 1, issuer: issuer.url, subject: { exact: SUBJECT } });
    expect((await register(t, issuer.url)).status).toBe(409);
    const path = `/v1/tenants/${t.tenantId}/partners/${t.partnerId}/workload-identities`;
    expect((await call('GET', path, { key: t.adminKey })).body.items).toHaveLength(1);
    expect((await call('DELETE', `${path}/gh-ci?expectedVersion=2`, { key: t.adminKey })).status).toBe(409);
    expect((await call('DELETE', `${path}/gh-ci?expectedVersion=1`, { key: t.adminKey })).status).toBe(200);
    expect((await call('GET', `${path}/gh-ci`, { key: t.adminKey })).status).toBe(404);
  });

  it("another tenant's admin cannot register an audience of tenant A, nor see A's identities", async () => {
    const res = await register(b, issuer.url, { audiences: [`credvend:${a.tenantId}`] });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('invalid_workload_identity');
    expect(res.body.error.details.map((d: { code: string }) => d.code)).toEqual(['audience_not_tenant_scoped']);
    const other = await call('GET', `/v1/tenants/${a.tenantId}/partners/${a.partnerId}/workload-identities`, { key: b.adminKey });
    expect(other.status).toBe(404);
  });

  it('refuses internal and non-https issuers (SSRF)', async () => {
    // (Loopback issuers are accepted only in the local stages, for the local issuer.)
    for (const url of ['https://169.254.169.254', 'http://example.com', 'https://10.0.0.1', 'https://[fd00::1]', 'https://metadata']) {
      const res = await register(b, url);
      expect({ url, status: res.status }).toEqual({ url, status: 422 });
    }
  });
});

describe('issuing with a token', () => {
  it('vends for the partner; the issuance record keeps issuer, subject and jti, never the token', async () => {
    const token = await mint({ jti: 'run-42' });
    const res = await vend(token);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ tenantId: a.tenantId, partnerId: a.partnerId });
    const ledger = await call('GET', `/v1/tenants/${a.tenantId}/issuances?partnerId=${a.partnerId}`, { key: a.adminKey });
    const record = ledger.body.items.find((i: { issuanceId: string }) => i.issuanceId === res.body.issuanceId);
    expect(record).toMatchObject({
      keyId: 'oidc.gh-ci',
      webIdentity: { issuer: issuer.url, subject: SUBJECT, identityId: 'gh-ci', tokenId: 'run-42' },
    });
    expect(JSON.stringify(ledger.body)).not.toContain(token);
  });

  it('GET /v1/whoami takes the token too: the partner, keyId oidc.<identityId>; a bad token is 401 with its code', async () => {
    const res = await call('GET', '/v1/whoami', { authorization: `Bearer ${await mint()}` });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tenantId: a.tenantId, partnerId: a.partnerId, keyId: 'oidc.gh-ci' });
    const expired = await mint({ exp: Math.floor(Date.now() / 1000) - 600, iat: Math.floor(Date.now() / 1000) - 900 });
    const refused = await call('GET', '/v1/whoami', { authorization: `Bearer ${expired}` });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('token_expired');
  });

  it('the container route takes the token as AWS_CONTAINER_AUTHORIZATION_TOKEN (bare)', async () => {
    const res = await call('GET', '/v1/credentials?format=container', { authorization: await mint() });
    expect(res.status).toBe(200);
    expect(res.body.AccessKeyId).toMatch(/^ASIA/);
  });

  const refusals: [string, () => Promise<string>, string][] = [
    ['expired', () => mint({ exp: Math.floor(Date.now() / 1000) - 600, iat: Math.floor(Date.now() / 1000) - 900 }), 'token_expired'],
    ['not yet valid', () => mint({ nbf: Math.floor(Date.now() / 1000) + 600 }), 'token_not_yet_valid'],
    ['wrong audience', () => mint({ aud: 'sts.amazonaws.com' }), 'token_audience_unknown'],
    ['wrong issuer', () => mint({ iss: 'https://attacker.example.com' }), 'token_issuer_not_registered'],
    ['another subject', () => mint({ sub: 'repo:attacker/app:ref:refs/heads/main' }), 'token_subject_not_allowed'],
    ['oversized', () => mint({ pad: 'x'.repeat(9000) }), 'token_too_large'],
    [
      'alg none',
      async () => {
        const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
        const now = Math.floor(Date.now() / 1000);
        return `${enc({ alg: 'none', typ: 'JWT' })}.${enc({ iss: issuer.url, aud: `credvend:${a.tenantId}`, sub: SUBJECT, iat: now, exp: now + 300 })}.`;
      },
      'token_algorithm_not_allowed',
    ],
    [
      'HS256 signed with the public key',
      async () => {
        const now = Math.floor(Date.now() / 1000);
        const jwk = issuer.publicKeys()[0]!;
        return new SignJWT({ sub: SUBJECT })
          .setProtectedHeader({ alg: 'HS256', kid: jwk.kid })
          .setIssuer(issuer.url)
          .setAudience(`credvend:${a.tenantId}`)
          .setIssuedAt(now)
          .setExpirationTime(now + 300)
          .sign(new TextEncoder().encode(JSON.stringify(jwk)));
      },
      'token_algorithm_not_allowed',
    ],
  ];
  it.each(refusals)('%s: 401 with a code for the check, no credentials, no claim echoed', async (_name, make, code) => {
    const res = await vend(await make());
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe(code);
    expect(res.text).not.toContain('attacker');
    expect(res.text).not.toContain('AccessKeyId');
  });

  it("a token for tenant A's partner, presented where tenant B registered the same issuer and subject, vends for A only", async () => {
    expect((await register(b, issuer.url)).status).toBe(200);
    const res = await vend(await mint());
    expect(res.status).toBe(201);
    expect(res.body.tenantId).toBe(a.tenantId);
    // And a token minted for B authenticates as B, never as A.
    const forB = await vend(await mint({}, {}, b));
    expect(forB.status).toBe(201);
    expect(forB.body.tenantId).toBe(b.tenantId);
  });
});

describe('claims as session tags', () => {
  it("the identity's named claims reach STS as oidc:<claim> tags beside tenant and partner; the ledger keeps issuer, subject and jti only", async () => {
    const t = await createTestTenant();
    const put = await register(t, issuer.url, { claimTags: ['repository', 'ref'] }, 'tagged');
    expect(put.status).toBe(200);
    expect(put.body.claimTags).toEqual(['repository', 'ref']);
    const token = await mint({ repository: 'acme/app', ref: 'refs/heads/main', jti: 'run-tags' }, {}, t);
    const res = await vend(token);
    expect(res.status).toBe(201);
    const session = await control.stsSession(res.body.credentials.accessKeyId);
    const tags = Object.fromEntries((session?.tags ?? []).map((tag) => [tag.key, tag.value]));
    expect(tags).toEqual({ 'oidc:repository': 'acme/app', 'oidc:ref': 'refs/heads/main', tenant: t.tenantId, partner: t.partnerId });
    const ledger = await call('GET', `/v1/tenants/${t.tenantId}/issuances?partnerId=${t.partnerId}`, { key: t.adminKey });
    const record = ledger.body.items.find((i: { issuanceId: string }) => i.issuanceId === res.body.issuanceId);
    expect(record.webIdentity).toEqual({ issuer: issuer.url, subject: SUBJECT, identityId: 'tagged', tokenId: 'run-tags' });
    expect(JSON.stringify(ledger.body)).not.toContain(token);
  });

  it('a claim STS would refuse as a tag is 401 token_claims_invalid before STS, its value not echoed', async () => {
    const t = await createTestTenant();
    expect((await register(t, issuer.url, { claimTags: ['repository'] }, 'tagged')).status).toBe(200);
    await control.resetStsCalls();
    const res = await vend(await mint({ repository: 'acme/app,Admin=true' }, {}, t));
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('token_claims_invalid');
    expect(res.text).not.toContain('Admin=true');
    expect(await control.stsCalls()).toEqual([]);
  });

  it('registered claims other than sub cannot be tags, nor one claim twice in two cases (tag keys are case-insensitive)', async () => {
    const t = await createTestTenant();
    const res = await register(t, issuer.url, { claimTags: ['aud', 'Repo', 'repo'] }, 'tagged');
    expect(res.status).toBe(422);
    expect(res.body.error.details.map((d: { code: string }) => d.code)).toEqual(['registered_claim', 'duplicate_claim_tag']);
  });
});

describe("the issuer's keys", () => {
  it('an unknown kid is refused until the keys may be fetched again; after a rotation the new key works', async () => {
    const t = await createTestTenant();
    const rotating = await startLocalOidcIssuer();
    try {
      expect((await register(t, rotating.url)).status).toBe(200);
      const signed = async () => {
        const token = await rotating.mint({ aud: `credvend:${t.tenantId}`, sub: SUBJECT });
        recordSecrets([token]);
        return token;
      };
      expect((await vend(await signed())).status).toBe(201);
      await rotating.rotate();
      // Within the refetch interval (2 s in this suite, a minute by default) the new kid is unknown.
      const early = await vend(await signed());
      expect(early.status).toBe(401);
      expect(early.body.error.code).toBe('token_key_unknown');
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect((await vend(await signed())).status).toBe(201);
    } finally {
      await rotating.close();
    }
  });

  describe('a JWKS endpoint that hangs', () => {
    let hanging: Server;
    let url: string;
    beforeAll(async () => {
      hanging = createServer(() => {
        // Accepts and never answers.
      });
      await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
      url = `http://localhost:${(hanging.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      hanging.closeAllConnections();
      await new Promise((resolve) => hanging.close(resolve));
    });

    it('answers 503 oidc_issuer_unavailable well before the Lambda timeout, with no credentials', async () => {
      const t = await createTestTenant();
      expect((await register(t, url)).status).toBe(200);
      const token = await new SignJWT({ sub: SUBJECT })
        .setProtectedHeader({ alg: 'RS256', kid: 'k' })
        .setIssuer(url)
        .setAudience(`credvend:${t.tenantId}`)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign((await generateKeyPair('RS256')).privateKey);
      recordSecrets([token]);
      const res = await vend(token);
      expect(res.status).toBe(503);
      // Not the platform's timeout nor middy's last-resort dependency_timeout: the fetch's own bound answered.
      expect(res.body.error.code).toBe('oidc_issuer_unavailable');
      expect(res.text).not.toContain('AccessKeyId');
    }, 30_000);
  });
});

describe('issuers that resolve inward (SSRF)', () => {
  // The suite's stack resolves these names from OIDC_LOCAL_HOSTS (test/support/stack-setup.ts), as a
  // rebinding DNS server would: idp.rebind.test to the metadata service, keys.rebind.test to 10.0.0.1,
  // idp6.rebind.test to the EC2 metadata service's IPv6 address.
  let discovery: Server;
  let discoveryUrl: string;
  let discoveryHits = 0;
  beforeAll(async () => {
    discovery = createServer((_req, res) => {
      discoveryHits++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ issuer: discoveryUrl, jwks_uri: 'https://keys.rebind.test/jwks' }));
    });
    await new Promise<void>((resolve) => discovery.listen(0, '127.0.0.1', resolve));
    discoveryUrl = `http://localhost:${(discovery.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    discovery.closeAllConnections();
    await new Promise((resolve) => discovery.close(resolve));
  });

  async function tokenFor(t: TestTenant, iss: string) {
    const token = await new SignJWT({ sub: SUBJECT })
      .setProtectedHeader({ alg: 'RS256', kid: 'k' })
      .setIssuer(iss)
      .setAudience(`credvend:${t.tenantId}`)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign((await generateKeyPair('RS256')).privateKey);
    recordSecrets([token]);
    return token;
  }

  /** The cause the function logged with its 503 (the answer itself says only that the issuer is unavailable). */
  async function loggedCause(requestId: string): Promise<string | undefined> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const line = logEntries(readFileSync(process.env.CREDVEND_TEST_LOG!, 'utf8')).find(
        (e) => e.requestId === requestId && e.level === 'ERROR',
      );
      if (line) return line.error?.cause?.message;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return undefined;
  }

  it.each([
    ['the metadata service', 'https://idp.rebind.test', 'idp.rebind.test resolves to an address that is not public'],
    ["the metadata service's IPv6 address", 'https://idp6.rebind.test', 'idp6.rebind.test resolves to an address that is not public'],
  ])('a registered issuer whose name resolves to %s is never fetched from: 503, no credentials', async (_what, iss, cause) => {
    const t = await createTestTenant();
    // Registering fetches nothing, and a DNS name is all the admin API can judge then.
    expect((await register(t, iss)).status).toBe(200);
    const res = await vend(await tokenFor(t, iss));
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('oidc_issuer_unavailable');
    expect(res.text).not.toContain('rebind');
    expect(res.text).not.toContain('AccessKeyId');
    expect(await loggedCause(res.body.error.requestId)).toBe(cause);
  });

  it('a discovery document whose jwks_uri resolves to a private address: the keys are not fetched', async () => {
    const t = await createTestTenant();
    expect((await register(t, discoveryUrl)).status).toBe(200);
    const res = await vend(await tokenFor(t, discoveryUrl));
    expect(res.status).toBe(503);
    expect(discoveryHits).toBe(1);
    expect(await loggedCause(res.body.error.requestId)).toBe('keys.rebind.test resolves to an address that is not public');
  });

  it('an issuer on a port other than 443 is refused unless the operator listed it', async () => {
    const t = await createTestTenant();
    const res = await register(t, 'https://idp.example.com:8443');
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: '$.issuer', code: 'invalid_issuer' })]);
    expect((await register(t, 'https://user:pw@idp.example.com')).status).toBe(422);
    const { demoRoleArn, demoExternalId } = stackInfo();
    const listed = await createTestTenant(undefined, {
      binding: (tenantId, at) => ({
        ...demoBinding(tenantId, demoRoleArn, demoExternalId, at),
        oidc: { allowedIssuers: ['https://idp.example.com:8443'] },
      }),
    });
    expect((await register(listed, 'https://idp.example.com:8443')).status).toBe(200);
  });
});
