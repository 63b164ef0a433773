// Composition root for token-authenticated issuance (issue 17). The vend handler imports this module
// only when a request carries a JWT, so jose and the verifier stay out of key-authenticated cold starts.
import { config } from '../core/config';
import { JwksCache } from '../identity/jwks';
import { authenticateWebIdentity, type WebIdentityDeps } from '../identity/web-identity';
import { directory } from './directory';

const rules = { allowLoopbackHttp: config.oidcAllowLoopbackHttp };

const deps: WebIdentityDeps = {
  directory,
  jwks: new JwksCache(undefined, rules, Date.now, config.oidcRefetchIntervalSeconds * 1000),
  rules,
  now: Date.now,
};

export const authenticateToken = (token: string) => authenticateWebIdentity(deps, token);
