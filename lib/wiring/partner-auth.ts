// The partner behind an Authorization header, for the partner routes (POST /v1/credentials, the
// container route, GET /v1/whoami): a credvend key, or (issue 17) an OIDC token of one of its workload
// identities. The token verifier (jose, the JWKS cache, the identities' Query) is imported only when a
// token arrives, so key-authenticated cold starts do not pay for it. The import names
// `../wiring/web-identity` (not `./web-identity`): the esbuild plugin (scripts/esbuild-plugins.cjs)
// matches that path to make the verifier a module of its own beside each handler that uses it.
import { invocation } from '../core/invocation';
import { reviveAppError } from '../core/revive-error';
import { isJwtLike, keyFromAuthorization } from '../identity/api-key';
import type { Caller } from '../identity/authenticate';
import { authenticator } from './directory';

export async function authenticatePartner(authorization: string | undefined, allowBare: boolean): Promise<Caller> {
  const token = keyFromAuthorization(authorization, allowBare);
  if (token && isJwtLike(token)) {
    const { authenticateToken } = await import('../wiring/web-identity');
    return authenticateToken(token, invocation.get()?.deadline).catch((err: unknown) => {
      throw reviveAppError(err);
    });
  }
  return authenticator.authenticate(authorization, { kinds: ['partner'], allowBare });
}
