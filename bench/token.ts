// Token-authenticated issuance (issue 17) for the bench: the local OIDC issuer (local/oidc.ts, the one
// `npm start` runs) in this process on a free port, a partner of the demo tenant with a workload
// identity for it, a token it minted, and the environment the vend handler needs to fetch from it.
//
// The token rows use a partner of their own (not the key rows' demo partner): every issuance counts
// against its partner's per-minute ceiling (PARTNER_RATE_CEILING_PER_MINUTE), and the two vend
// workers together issue faster than one partner may. Its identity is the demo one's shape (an exact
// subject, one audience, no required claims or claim tags), so the work per issuance is the same.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDirectoryAdmin } from '../lib/store/directory-admin';
import { type LocalOidcIssuer, startLocalOidcIssuer } from '../local/oidc';
import { DEMO_TENANT, DEMO_WEB_IDENTITY } from '../local/seed';

export const TOKEN_PARTNER = 'bench-oidc';
const TOKEN_SUBJECT = 'repo:bench/app:ref:refs/heads/main';
/** Long enough for any run: the verifier refuses tokens older than a day, not long-lived ones. */
const TOKEN_LIFETIME_SECONDS = 2 * 3600;

export interface TokenFixture {
  issuer: LocalOidcIssuer;
  token: string;
  /**
   * What the vend handler's lazily loaded verifier (web-identity.mjs) reads beyond the stage's
   * environment, as on the local stages (serverless.yml custom.oidcLocal): http on loopback for the
   * local issuer, and `localhost` answered with the address the issuer listens on (127.0.0.1) rather
   * than whatever the resolver puts first.
   */
  env: Record<string, string>;
}

export async function tokenFixture(client: DynamoDBDocumentClient, mainTable: string): Promise<TokenFixture> {
  const issuer = await startLocalOidcIssuer();
  try {
    const admin = new DynamoDirectoryAdmin(client, mainTable);
    const at = new Date().toISOString();
    await admin.createPartner({ tenantId: DEMO_TENANT, partnerId: TOKEN_PARTNER, name: 'Bench (OIDC)', status: 'enabled', createdAt: at });
    await admin.putWorkloadIdentity(
      {
        tenantId: DEMO_TENANT,
        partnerId: TOKEN_PARTNER,
        identityId: 'bench-ci',
        issuer: issuer.url,
        audiences: [DEMO_WEB_IDENTITY.audience],
        subject: { exact: TOKEN_SUBJECT },
        version: 1,
        createdAt: at,
        updatedAt: at,
        updatedBy: 'bench',
      },
      0,
    );
    const now = Math.floor(Date.now() / 1000);
    const token = await issuer.mint({
      aud: DEMO_WEB_IDENTITY.audience,
      sub: TOKEN_SUBJECT,
      jti: `bench-${now}`,
      exp: now + TOKEN_LIFETIME_SECONDS,
    });
    return { issuer, token, env: { OIDC_ALLOW_LOOPBACK_HTTP: 'true', OIDC_LOCAL_HOSTS: 'localhost=127.0.0.1' } };
  } catch (err) {
    await issuer.close();
    throw err;
  }
}
