// The per-partner budget of issuance code attempts (red-team F1). Without it, guessing codes was bounded
// only by the partner's issuance rate limit (up to 6,000/min): a leaked partner key found a valid code
// in about an hour with one device, minutes with five. A person needs few attempts: replay protection
// already allows at most one success per 30 s step per device, so 10 per 5 minutes is ample for typos,
// and brings a guesser down to 10 × (devices × 3 valid codes) / 10^6 per window: ~4 months on average
// with one device, ~3 weeks with five, instead of an hour or 11 minutes.
// The attempt is counted before the code is checked, valid or not, so a full window refuses a valid code too.
import type { MfaAttemptCounter } from './ports';

export const MFA_ATTEMPTS_PER_WINDOW = 10;
export const MFA_ATTEMPT_WINDOW_SECONDS = 300;
/** Window items outlive their window a little, then DynamoDB TTL deletes them. */
const TTL_GRACE_SECONDS = 300;

export type AttemptResult = { ok: true } | { ok: false; retryAfterSeconds: number };

/** One more attempt for the partner in the current window, or how long until the next window. */
export async function takeMfaAttempt(
  counter: MfaAttemptCounter,
  who: { tenantId: string; partnerId: string },
  nowMs: number,
): Promise<AttemptResult> {
  const nowSeconds = nowMs / 1000;
  const windowStart = Math.floor(nowSeconds / MFA_ATTEMPT_WINDOW_SECONDS) * MFA_ATTEMPT_WINDOW_SECONDS;
  const windowEnd = windowStart + MFA_ATTEMPT_WINDOW_SECONDS;
  if (await counter.count(who.tenantId, who.partnerId, windowStart, MFA_ATTEMPTS_PER_WINDOW, windowEnd + TTL_GRACE_SECONDS))
    return { ok: true };
  return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(windowEnd - nowSeconds)) };
}
