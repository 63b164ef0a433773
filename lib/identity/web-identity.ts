// Authentication with an OIDC token (issue 17): `Authorization: Bearer <JWT>` instead of a credvend key.
// The token's audience names the one tenant whose workload identities are consulted
// (lib/identity/oidc-rules.ts); its issuer must be one that tenant registered (and its operator
// still allows); its signature is checked against the issuer's keys (jwks.ts) with jose, allowing only
// asymmetric algorithms; then exactly one of the tenant's partners must match its subject and claims.
// Every refusal is 401 with a code naming the failed check and a message echoing no claim value.
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, type JWTPayload, jwtVerify } from 'jose';
import { type UnauthorizedCode, UnauthorizedError } from '../core/errors';
import type { Tenant, WorkloadIdentity } from '../core/model';
import { TAG_VALUE_PATTERN } from '../policy/iam-syntax';
import { STS_LIMITS } from '../policy/sts-limits';
import type { Caller } from './authenticate';
import type { JwksCache } from './jwks';
import { CLAIM_TAG_PREFIX, type IssuerRules, issuerProblem, subjectMatches, tenantOfAudience } from './oidc-rules';

/** Longest token accepted: real OIDC tokens are 1-2 KB; nothing larger is decoded. */
export const MAX_TOKEN_BYTES = 8 * 1024;
/** Clock skew allowed on exp, nbf and iat. */
export const CLOCK_SKEW_SECONDS = 60;
/** Tokens older than this (by iat) are refused even if not expired. */
export const MAX_TOKEN_AGE_SECONDS = 24 * 3600 + CLOCK_SKEW_SECONDS;
/** Asymmetric signatures only: never `none`, never HMAC (whose "secret" would be the issuer's public key). */
export const ALLOWED_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'];

export interface WebIdentityDirectory {
  getTenant(tenantId: string): Promise<Tenant | undefined>;
  getWorkloadIdentities(tenantId: string): Promise<WorkloadIdentity[]>;
}

export interface WebIdentityDeps {
  directory: WebIdentityDirectory;
  jwks: Pick<JwksCache, 'keys'>;
  rules: IssuerRules;
  now: () => number;
}

const refuse = (code: UnauthorizedCode, message: string) => new UnauthorizedError(code, message);

function decode(token: string): { alg: unknown; kid: unknown; payload: JWTPayload } {
  try {
    const header = decodeProtectedHeader(token);
    return { alg: header.alg, kid: header.kid, payload: decodeJwt(token) };
  } catch {
    throw refuse('token_malformed', 'The token is not a well-formed JWT');
  }
}

/** The only tenant the token's audience names; 401 when none or several. */
function tenantOfToken(payload: JWTPayload): string {
  const audiences = typeof payload.aud === 'string' ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud.slice(0, 20) : [];
  const tenants = new Set(audiences.filter((a): a is string => typeof a === 'string').map(tenantOfAudience));
  tenants.delete(undefined);
  if (tenants.size !== 1) throw refuse('token_audience_unknown', 'The token must have exactly one credvend audience (credvend:<tenantId>)');
  return [...tenants][0] as string;
}

/** jose's refusal codes, to ours. */
function refusalOf(err: unknown): UnauthorizedError {
  const e = err as { code?: string; claim?: string };
  switch (e.code) {
    case 'ERR_JWT_EXPIRED':
      return refuse('token_expired', 'The token has expired');
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (e.claim === 'nbf') return refuse('token_not_yet_valid', 'The token is not valid yet');
      if (e.claim === 'iat') return refuse('token_issued_in_future', 'The token was issued in the future or too long ago');
      return refuse('token_claims_invalid', `The token's ${e.claim ?? 'claims'} check failed`);
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return refuse('token_algorithm_not_allowed', `The token's algorithm is not allowed (allowed: ${ALLOWED_ALGORITHMS.join(', ')})`);
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return refuse('token_key_unknown', "The token's key is not among the issuer's signing keys");
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return refuse('token_signature_invalid', "The token's signature is not valid");
    default:
      return refuse('token_malformed', 'The token could not be verified');
  }
}

/**
 * The partner the token authenticates as, or 401. Order: size, shape, algorithm, audience (the
 * tenant), registered issuer, signature and time claims, subject and claims (exactly one partner).
 */
export async function authenticateWebIdentity(deps: WebIdentityDeps, token: string): Promise<Caller> {
  if (token.length > MAX_TOKEN_BYTES) throw refuse('token_too_large', `The token is larger than ${MAX_TOKEN_BYTES} bytes`);
  const { alg, kid, payload } = decode(token);
  if (typeof alg !== 'string' || !ALLOWED_ALGORITHMS.includes(alg)) {
    throw refuse('token_algorithm_not_allowed', `The token's algorithm is not allowed (allowed: ${ALLOWED_ALGORITHMS.join(', ')})`);
  }
  const tenantId = tenantOfToken(payload);
  const issuer = typeof payload.iss === 'string' ? payload.iss : undefined;
  const [tenant, identities] = await Promise.all([deps.directory.getTenant(tenantId), deps.directory.getWorkloadIdentities(tenantId)]);
  const allowed = tenant?.binding?.oidc?.allowedIssuers;
  const audiences = new Set(typeof payload.aud === 'string' ? [payload.aud] : (payload.aud ?? []));
  // An identity registered before the operator narrowed the allowed issuers no longer counts.
  const candidates = identities.filter(
    (w) =>
      w.tenantId === tenantId &&
      w.issuer === issuer &&
      w.audiences.some((a) => audiences.has(a)) &&
      (!allowed || allowed.includes(w.issuer)) &&
      issuerProblem(w.issuer, { ...deps.rules, allowPort: allowed?.includes(w.issuer) ?? false }) === undefined,
  );
  if (!tenant || !issuer || candidates.length === 0) {
    throw refuse('token_issuer_not_registered', "No workload identity of the audience's tenant names this issuer and audience");
  }

  const verified = await verifySignature(deps, token, issuer, [...new Set(candidates.flatMap((w) => w.audiences))], kid);
  const sub = verified.sub;
  if (typeof sub !== 'string' || sub === '') throw refuse('token_claims_invalid', 'The token has no subject');
  const bySubject = candidates.filter((w) => subjectMatches(w.subject, sub));
  if (bySubject.length === 0) throw refuse('token_subject_not_allowed', "The token's subject matches no workload identity");
  const matches = bySubject.filter((w) =>
    Object.entries(w.requiredClaims ?? {}).every(([name, value]) => Object.hasOwn(verified, name) && verified[name] === value),
  );
  if (matches.length === 0) throw refuse('token_claims_invalid', "The token's claims do not match its workload identity's required claims");
  const partners = new Set(matches.map((w) => w.partnerId));
  if (partners.size !== 1) throw refuse('token_identity_ambiguous', 'The token matches workload identities of more than one partner');
  const identity = [...matches].sort((a, b) => a.identityId.localeCompare(b.identityId))[0] as WorkloadIdentity;
  const jti = typeof verified.jti === 'string' && verified.jti.length <= 256 ? verified.jti : undefined;
  const claimTags = claimTagsOf(identity, verified);
  return {
    kind: 'partner',
    keyId: `oidc.${identity.identityId}`,
    tenantId,
    partnerId: identity.partnerId,
    webIdentity: { issuer, subject: sub.slice(0, 256), identityId: identity.identityId, ...(jti ? { tokenId: jti } : {}) },
    ...(claimTags ? { claimTags } : {}),
  };
}

/**
 * The identity's claims as session tags `oidc:<claim>`, checked against STS's tag rules here (a
 * string of at most 256 code points in STS's charset), so a claim STS would refuse is a 401 naming
 * the claim, not an STS error. A missing claim refuses too: a role condition on a tag the session
 * lacks would read differently than its author meant.
 */
function claimTagsOf(identity: WorkloadIdentity, claims: JWTPayload): Record<string, string> | undefined {
  if (!identity.claimTags?.length) return undefined;
  const tags: Record<string, string> = {};
  for (const name of identity.claimTags) {
    const value = Object.hasOwn(claims, name) ? claims[name] : undefined;
    if (typeof value !== 'string' || [...value].length > STS_LIMITS.tagValue.max || !TAG_VALUE_PATTERN.test(value)) {
      throw refuse(
        'token_claims_invalid',
        `The token's claim ${name} cannot be a session tag: a string of at most ${STS_LIMITS.tagValue.max} letters, digits, spaces and _.:/=+-@ is needed`,
      );
    }
    tags[`${CLAIM_TAG_PREFIX}${name}`] = value;
  }
  return tags;
}

/** jose's verification against the issuer's cached keys; an unknown kid fetches them again (at most once a minute). */
async function verifySignature(
  deps: WebIdentityDeps,
  token: string,
  issuer: string,
  audience: string[],
  kid: unknown,
): Promise<JWTPayload> {
  const options = {
    issuer,
    audience,
    algorithms: ALLOWED_ALGORITHMS,
    clockTolerance: CLOCK_SKEW_SECONDS,
    maxTokenAge: MAX_TOKEN_AGE_SECONDS,
    requiredClaims: ['exp', 'iat', 'sub'],
    currentDate: new Date(deps.now()),
  };
  let { keys, refreshed } = await deps.jwks.keys(issuer);
  const knows = () => typeof kid !== 'string' || keys.keys.some((k) => k.kid === kid);
  if (!knows() && !refreshed) ({ keys } = await deps.jwks.keys(issuer, true));
  try {
    const { payload } = await jwtVerify(token, createLocalJWKSet(keys as Parameters<typeof createLocalJWKSet>[0]), options);
    return payload;
  } catch (err) {
    throw refusalOf(err);
  }
}
