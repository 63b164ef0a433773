// MFA-gated issuance (issue 19): whether this issuance is MFA-verified, or the 403 that says why not.
// Runs after the rate limit (a brute force of codes spends the partner's issuance budget) and before
// planning. The code check itself is lib/mfa (behind MfaVerifier), loaded only when a code arrives.
import { DependencyUnavailableError, ForbiddenError } from '../core/errors';
import type { MfaVerifier } from './ports';

/**
 * A second factor asserted by the caller's authentication rather than by a code: for web-identity
 * partners (issue 17, on branch f17-oidc, not merged here), a verified token whose `amr` claim
 * includes "mfa". The token authenticator should set IssueContext.mfaAssertion from this.
 */
export interface MfaAssertion {
  source: 'claims';
}

/** The hook for web-identity issuance: the assertion a verified token's `amr` claim makes, if any. */
export function mfaAssertionFromClaims(claims: { amr?: unknown } | undefined): MfaAssertion | undefined {
  const amr = claims?.amr;
  return Array.isArray(amr) && amr.includes('mfa') ? { source: 'claims' } : undefined;
}

/**
 * True when the session is MFA-verified (it then carries the session tag mfa=true). A code sent when
 * none is required is checked all the same: a wrong one is refused, a right one marks the session.
 */
export async function checkMfa(
  verifier: MfaVerifier | undefined,
  who: { tenantId: string; partnerId: string },
  code: string | undefined,
  required: boolean,
  assertion?: MfaAssertion,
): Promise<boolean> {
  if (code === undefined) {
    if (assertion) return true;
    if (required) throw new ForbiddenError('mfa_required', 'An MFA code (mfaCode) is required');
    return false;
  }
  if (!verifier) throw new DependencyUnavailableError('mfa_unavailable', 'MFA is unavailable');
  const outcome = await verifier.verify(who.tenantId, who.partnerId, code);
  switch (outcome) {
    case 'verified':
      return true;
    case 'replayed':
      throw new ForbiddenError('mfa_code_replayed', 'The MFA code was used already');
    case 'not_enrolled':
      throw new ForbiddenError('mfa_not_enrolled', 'No confirmed MFA device');
    case 'unavailable':
      throw new DependencyUnavailableError('mfa_unavailable', 'MFA is unavailable', { retryAfterSeconds: 1 });
    default:
      throw new ForbiddenError('mfa_code_invalid', 'The MFA code is not valid');
  }
}
