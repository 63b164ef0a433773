// The rules a workload identity (issue 17) must follow, shared by the admin API (which refuses an
// identity breaking them) and the issuance path (which matches tokens against stored identities).
//
// Isolation by construction: every audience an identity accepts names its tenant
// (`credvend:<tenantId>` or `credvend:<tenantId>:<suffix>`). A token's audience therefore picks the
// one tenant whose identities are consulted; a token minted for tenant A can never match an identity
// of tenant B, whatever issuer or subject B's admin registers. The issuer is fetched from only when a
// token names it and its tenant registered it (and the operator allowed it): an admin key cannot make
// credvend fetch a URL by registering it, and only https URLs on a DNS name are accepted.

export const MAX_ISSUER_LENGTH = 256;
/** Workload identities one tenant may have: the issuance path reads them all (one Query), so they are bounded. */
export const MAX_TENANT_IDENTITIES = 100;
export const AUDIENCE_PREFIX = 'credvend:';

/** Loopback hosts, accepted over plain http only when the local stack says so (never in a deployment). */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export interface IssuerRules {
  /** Local stack only: http://localhost:<port> issuers (the local OIDC issuer), and loopback addresses. */
  allowLoopbackHttp?: boolean;
  /** Local stack only: fixed DNS answers (OIDC_LOCAL_HOSTS), so tests can make a name resolve inward. */
  localHosts?: Record<string, string>;
  /**
   * A port other than 443: only for an issuer the operator listed in the tenant's allowedIssuers (the
   * operator's own choice), or a jwks_uri on its issuer's origin. A tenant admin alone cannot aim
   * credvend at a non-web port of some host.
   */
  allowPort?: boolean;
}

/**
 * Why credvend must not fetch `raw`, or undefined: an https URL on a DNS name (no IP literal, no
 * loopback unless the local stack allows http on it, no user info or fragment, port 443 unless
 * allowed). What the name resolves to is checked when connecting (address-guard.ts).
 */
export function urlProblem(raw: string, rules: IssuerRules = {}): string | undefined {
  if (raw.length > 2048) return 'Too long';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'Expected an https URL';
  }
  const loopback = LOOPBACK.has(url.hostname);
  if (url.protocol !== 'https:' && !(rules.allowLoopbackHttp && loopback && url.protocol === 'http:')) return 'Expected an https URL';
  if (url.username || url.password || url.hash || raw.includes('#')) return 'No user info or fragment';
  if (loopback) return rules.allowLoopbackHttp ? undefined : 'Loopback hosts are not allowed';
  if (url.port && !rules.allowPort) return 'No port other than 443 unless the operator allows this issuer (binding oidc.allowedIssuers)';
  // IP literals (v4 dotted or bare numbers, v6 in brackets) would let an admin aim credvend at internal addresses.
  if (url.hostname.startsWith('[') || /^[0-9.]+$/.test(url.hostname) || /^0x/i.test(url.hostname)) return 'IP addresses are not allowed';
  if (!url.hostname.includes('.')) return 'Expected a DNS name with a dot';
  return undefined;
}

/**
 * Why `issuer` cannot be an issuer, or undefined: a URL credvend may fetch (urlProblem), without query
 * or trailing slash, written as the URL parser normalises it, since tokens must name it exactly.
 */
export function issuerProblem(issuer: string, rules: IssuerRules = {}): string | undefined {
  if (issuer.length > MAX_ISSUER_LENGTH) return `At most ${MAX_ISSUER_LENGTH} characters`;
  const problem = urlProblem(issuer, rules);
  if (problem) return problem;
  const url = new URL(issuer);
  if (url.search || issuer.includes('?')) return 'An issuer has no query';
  if (issuer.endsWith('/')) return 'An issuer has no trailing slash';
  if (url.href !== issuer && url.href !== `${issuer}/`) return 'Expected a normalised URL (lowercase scheme and host, no default port)';
  return undefined;
}

/** The tenant an audience names, or undefined when it is not a credvend audience. */
export function tenantOfAudience(audience: string): string | undefined {
  if (!audience.startsWith(AUDIENCE_PREFIX)) return undefined;
  const rest = audience.slice(AUDIENCE_PREFIX.length);
  const tenantId = rest.split(':', 1)[0];
  return tenantId || undefined;
}

const AUDIENCE_SUFFIX = /^[A-Za-z0-9._/-]{1,64}$/;

/** Why `audience` cannot be an audience of `tenantId`'s identities, or undefined. */
export function audienceProblem(audience: string, tenantId: string): string | undefined {
  const own = `${AUDIENCE_PREFIX}${tenantId}`;
  if (audience === own) return undefined;
  if (audience.startsWith(`${own}:`) && AUDIENCE_SUFFIX.test(audience.slice(own.length + 1))) return undefined;
  return `Expected "${own}" or "${own}:<suffix>" (suffix: 1-64 of A-Z a-z 0-9 . _ / -)`;
}

/** A subject pattern's literal prefix before its first `*` must be at least this long. */
export const MIN_PATTERN_PREFIX = 4;

/**
 * Why `pattern` cannot be a subject pattern, or undefined. Public issuers (GitHub Actions, GitLab)
 * mint tokens for anyone's workflow with any audience: a pattern must pin a prefix (e.g.
 * `repo:acme/*`), so `*` alone, or one that starts with `*`, is refused.
 */
export function subjectPatternProblem(pattern: string): string | undefined {
  const star = pattern.indexOf('*');
  if (star === -1) return 'A pattern without "*" is an exact subject: use "exact"';
  if (star < MIN_PATTERN_PREFIX) return `A pattern needs at least ${MIN_PATTERN_PREFIX} literal characters before its first "*"`;
  return undefined;
}

/** `*` matches any run of characters (none too); everything else literally. Linear time, no regular expression. */
export function subjectMatches(subject: { exact: string } | { pattern: string }, sub: string): boolean {
  if ('exact' in subject) return subject.exact === sub;
  const parts = subject.pattern.split('*');
  const first = parts[0] ?? '';
  const last = parts[parts.length - 1] ?? '';
  if (!sub.startsWith(first) || sub.length < first.length + last.length) return false;
  let at = first.length;
  for (const part of parts.slice(1, -1)) {
    const found = sub.indexOf(part, at);
    if (found === -1) return false;
    at = found + part.length;
  }
  return sub.length - last.length >= at && sub.endsWith(last);
}

/** Names a required claim may have: no dots into nested objects, nothing a prototype could answer. */
export const CLAIM_NAME = /^[A-Za-z][A-Za-z0-9_:-]{0,63}$/;

/** Claims credvend checks itself: a required claim may not restate or weaken them. */
export const REGISTERED_CLAIMS: readonly string[] = ['iss', 'aud', 'sub', 'exp', 'nbf', 'iat', 'jti'];

/**
 * Claims as session tags: an identity may name up to MAX_CLAIM_TAGS claims whose values the session
 * carries as tags `oidc:<claim>` (e.g. `oidc:repository`), for the tenant role's conditions
 * (`aws:PrincipalTag/oidc:repository`). The prefix keeps them apart from credvend's `tenant` and
 * `partner` tags (never overridden) and from the tenant policy's own tags (which may not use it).
 */
export const MAX_CLAIM_TAGS = 10;
export const CLAIM_TAG_PREFIX = 'oidc:';
/** Of the registered claims only the subject is worth a tag; the others are checked, not carried. */
export const TAGGABLE_REGISTERED_CLAIMS: readonly string[] = ['sub'];
