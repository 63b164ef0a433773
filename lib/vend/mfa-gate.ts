// MFA-gated issuance (issue 19): whether this issuance is MFA-verified, or the refusal that says why
// not. Runs after the rate limit (a brute force of codes spends the partner's issuance budget) and
// before planning. All of it runs in the lazily loaded MFA module (lib/wiring/mfa.ts), which the vend
// path imports only when the tenant policy has an MFA requirement or the request sends a code; the
// vend handler module itself carries only that test (lib/vend/issue.ts).
import { type AppError, DependencyUnavailableError, ForbiddenError } from '../core/errors';
import { mfaRequired } from '../policy/mfa';
import type { MfaAssertion, MfaOutcome, MfaPolicy } from './ports';

export type { MfaAssertion };

/**
 * The hook for web-identity issuance (issue 17): the assertion a verified token's `amr` claim makes, if
 * any. Not wired yet (README "MFA-gated issuance"): the token authenticator would set
 * IssueContext.mfaAssertion from it, for identities that opt in.
 */
export function mfaAssertionFromClaims(claims: { amr?: unknown } | undefined): MfaAssertion | undefined {
  const amr = claims?.amr;
  return Array.isArray(amr) && amr.includes('mfa') ? { source: 'claims' } : undefined;
}

/** The answer to a code that did not verify. */
export function mfaRefusal(outcome: Exclude<MfaOutcome, 'verified'>, cause?: unknown): AppError {
  switch (outcome) {
    case 'replayed':
      return new ForbiddenError('mfa_code_replayed', 'This MFA code was already used; wait for the next one');
    case 'not_enrolled':
      return new ForbiddenError('mfa_not_enrolled', 'The partner has no confirmed MFA device; ask the tenant admin to enrol one');
    case 'unavailable':
      return new DependencyUnavailableError('mfa_unavailable', 'MFA codes cannot be checked right now', { cause, retryAfterSeconds: 1 });
    default:
      return new ForbiddenError('mfa_code_invalid', 'The MFA code is not valid');
  }
}

/**
 * True when the session is MFA-verified (it then carries the session tag mfa=true). A code sent when
 * none is required is checked all the same: a wrong one is refused, a right one marks the session.
 * `verify` checks a code against the partner's confirmed devices (lib/mfa/devices.ts verifyCode).
 */
export async function checkMfa(
  resolved: MfaPolicy,
  code: string | undefined,
  assertion: MfaAssertion | undefined,
  verify: (code: string) => Promise<MfaOutcome>,
): Promise<boolean> {
  if (code === undefined) {
    if (assertion) return true;
    if (mfaRequired(resolved.policy.document, resolved.mode, resolved.settings)) {
      throw new ForbiddenError('mfa_required', 'The tenant requires an MFA code (mfaCode) for these credentials');
    }
    return false;
  }
  const outcome = await verify(code);
  if (outcome !== 'verified') throw mfaRefusal(outcome);
  return true;
}
