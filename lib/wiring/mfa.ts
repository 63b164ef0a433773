// The issuance path's MFA gate (issue 19), loaded by lib/wiring/vend.ts with `await import()` only
// when the tenant policy has an MFA requirement or a request sends a code. In the package it is a
// bundle of its own beside the handler (scripts/esbuild-plugins.cjs), so other cold starts load none
// of otpauth, the seed cipher or the devices' Query. Being its own bundle it has its own copies of the shared modules:
// the caller hands it the invocation's deadline and log keys, and revives the errors it throws
// (reviveAppError), since `instanceof` does not cross bundles.

import { dynamoClient } from '../aws/clients';
import { config } from '../core/config';
import { RateLimitedError } from '../core/errors';
import { invocation } from '../core/invocation';
import { logger } from '../core/log';
import { takeMfaAttempt } from '../mfa/attempts';
import { type MfaVerifyDeps, verifyCode } from '../mfa/devices';
import { DynamoMfaAttempts } from '../store/mfa-attempts';
import { DynamoMfaCodeStore } from '../store/mfa-devices';
import { checkMfa, mfaRefusal } from '../vend/mfa-gate';
import type { MfaAssertion, MfaPolicy } from '../vend/ports';
import { seedCipher } from './mfa-deps';

const deps: MfaVerifyDeps = { store: new DynamoMfaCodeStore(dynamoClient, config.mainTable), cipher: seedCipher, now: () => new Date() };
const attempts = new DynamoMfaAttempts(dynamoClient, config.mainTable);

/** The MFA gate (lib/vend/mfa-gate.ts checkMfa) over the partner's devices; throws this bundle's errors (the caller revives them). */
export async function checkMfaLazily(
  resolved: MfaPolicy,
  tenantId: string,
  partnerId: string,
  request: { mfaCode?: string },
  ctx: { mfaAssertion?: MfaAssertion },
  state?: { logKeys: Record<string, unknown>; deadline?: { at: number; signal: AbortSignal } },
): Promise<boolean> {
  return invocation.run({ logKeys: state?.logKeys ?? {}, deadline: state?.deadline }, () =>
    checkMfa(resolved, request.mfaCode, ctx.mfaAssertion, async (code) => {
      let budget: Awaited<ReturnType<typeof takeMfaAttempt>>;
      try {
        // Counted before the code is checked (red-team F1): past the budget even a valid code is refused.
        budget = await takeMfaAttempt(attempts, { tenantId, partnerId }, deps.now().getTime());
      } catch (err) {
        throw mfaRefusal('unavailable', err);
      }
      if (!budget.ok) {
        // Never the code itself: only who, and that the budget is spent.
        logger.warn('MFA attempt budget exceeded', { tenantId, partnerId });
        logger.metric('MfaAttemptsExceeded', 1);
        throw new RateLimitedError('mfa_attempts_exceeded', 'Too many MFA code attempts; wait for the next window', {
          retryAfterSeconds: budget.retryAfterSeconds,
        });
      }
      try {
        return await verifyCode(deps, { tenantId, partnerId }, code);
      } catch (err) {
        // The cause is logged by name and message only (lib/core/log.ts): neither holds a seed, a key or the code.
        throw mfaRefusal('unavailable', err);
      }
    }),
  );
}
