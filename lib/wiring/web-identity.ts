// Composition root for token-authenticated issuance (issue 17). The vend handler imports this module
// only when a request carries a JWT. In the package it is a bundle of its own beside the handler
// (scripts/esbuild-plugins.cjs), so jose, the verifier and the identities' Query stay out of
// key-authenticated cold starts. Being its own bundle, it has its own copies of the shared modules:
// the caller hands it the invocation's deadline (its SDK client and JWKS fetches honour it), and
// turns its errors into its own (reviveAppError), since `instanceof` does not cross bundles.
import { dynamoClient } from '../aws/clients';
import { config } from '../core/config';
import { invocation } from '../core/invocation';
import type { WorkloadIdentity } from '../core/model';
import { TtlCache } from '../core/ttl-cache';
import { parseLocalHosts } from '../identity/address-guard';
import { JwksCache } from '../identity/jwks';
import { authenticateWebIdentity, type WebIdentityDeps } from '../identity/web-identity';
import { readWorkloadIdentities } from '../store/workload-identities';
import { directory } from './directory';

const rules = { allowLoopbackHttp: config.oidcAllowLoopbackHttp, localHosts: parseLocalHosts(config.oidcLocalHosts) };

// Cached like keys and tenants: a deleted identity stops authenticating within the cache TTL.
const identities = new TtlCache<WorkloadIdentity[]>(config.cacheTtlSeconds * 1000, 1_000);

const deps: WebIdentityDeps = {
  directory: {
    getTenant: (tenantId) => directory.getTenant(tenantId),
    getWorkloadIdentities: (tenantId) =>
      identities.getOrLoad(tenantId, () => readWorkloadIdentities(dynamoClient, config.mainTable, tenantId)),
  },
  jwks: new JwksCache(undefined, rules, Date.now, config.oidcRefetchIntervalSeconds * 1000),
  rules,
  now: Date.now,
};

export function authenticateToken(token: string, deadline?: { at: number; signal: AbortSignal }) {
  return invocation.run({ logKeys: invocation.get()?.logKeys ?? {}, deadline }, () => authenticateWebIdentity(deps, token));
}
