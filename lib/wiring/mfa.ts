// The issuance path's MFA check (issue 19), loaded by lib/wiring/vend.ts with `await import()` only
// when a request sends a code. In the package it is a bundle of its own beside the handler
// (scripts/esbuild-plugins.cjs), so key-authenticated cold starts load none of otpauth, the seed
// cipher or the devices' Query. Being its own bundle it has its own copies of the shared modules:
// the caller hands it the invocation's deadline and log keys, and it answers an outcome, never an
// error (`instanceof` does not cross bundles).

import { dynamoClient } from '../aws/clients';
import { config } from '../core/config';
import { invocation } from '../core/invocation';
import { logger } from '../core/log';
import { type MfaVerifyDeps, verifyCode } from '../mfa/devices';
import { DynamoMfaCodeStore } from '../store/mfa-devices';
import type { MfaOutcome } from '../vend/ports';
import { seedCipher } from './mfa-deps';

const deps: MfaVerifyDeps = { store: new DynamoMfaCodeStore(dynamoClient, config.mainTable), cipher: seedCipher, now: () => new Date() };

export async function verifyMfaCode(
  tenantId: string,
  partnerId: string,
  code: string,
  state?: { logKeys: Record<string, unknown>; deadline?: { at: number; signal: AbortSignal } },
): Promise<MfaOutcome> {
  return invocation.run({ logKeys: state?.logKeys ?? {}, deadline: state?.deadline }, async () => {
    try {
      return await verifyCode(deps, { tenantId, partnerId }, code);
    } catch (err) {
      // By name and message only (lib/core/log.ts): they never hold a seed, a key or the code.
      logger.error('MFA check failed', { tenantId, partnerId, error: err });
      return 'unavailable';
    }
  });
}
