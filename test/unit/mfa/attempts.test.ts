// The per-partner MFA attempt budget (red-team F1): counted before the code is checked, per partner and window.
import { describe, expect, it } from '@jest/globals';
import { MFA_ATTEMPT_WINDOW_SECONDS, MFA_ATTEMPTS_PER_WINDOW, takeMfaAttempt } from '../../../lib/mfa/attempts';
import type { MfaAttemptCounter } from '../../../lib/mfa/ports';

/** The DynamoDB adapter's condition (lib/store/mfa-attempts.ts): ADD 1 only while attempts < limit. */
class FakeCounter implements MfaAttemptCounter {
  readonly windows = new Map<string, { attempts: number; expiresAt: number }>();
  async count(t: string, p: string, windowStart: number, limit: number, expiresAt: number) {
    const key = `${t}/${p}/${windowStart}`;
    const item = this.windows.get(key) ?? { attempts: 0, expiresAt };
    if (item.attempts >= limit) return false;
    item.attempts++;
    this.windows.set(key, item);
    return true;
  }
}

const who = { tenantId: 'acme', partnerId: 'ci' };
const windowStartMs = 1_800_000_000 * 1000 - (1_800_000_000 % MFA_ATTEMPT_WINDOW_SECONDS) * 1000;

describe('takeMfaAttempt', () => {
  it('admits 10 attempts per 5-minute window per partner, then refuses until the window ends', async () => {
    expect([MFA_ATTEMPTS_PER_WINDOW, MFA_ATTEMPT_WINDOW_SECONDS]).toEqual([10, 300]);
    const counter = new FakeCounter();
    const at = windowStartMs + 60_500; // 60.5 s into the window
    for (let i = 0; i < MFA_ATTEMPTS_PER_WINDOW; i++) expect(await takeMfaAttempt(counter, who, at)).toEqual({ ok: true });
    expect(await takeMfaAttempt(counter, who, at)).toEqual({ ok: false, retryAfterSeconds: 240 });
    expect(await takeMfaAttempt(counter, who, windowStartMs + 299_900)).toEqual({ ok: false, retryAfterSeconds: 1 });
    // A sibling partner and another tenant's partner of the same id have budgets of their own.
    expect(await takeMfaAttempt(counter, { tenantId: 'acme', partnerId: 'other' }, at)).toEqual({ ok: true });
    expect(await takeMfaAttempt(counter, { tenantId: 'globex', partnerId: 'ci' }, at)).toEqual({ ok: true });
    // The next window starts afresh.
    expect(await takeMfaAttempt(counter, who, windowStartMs + MFA_ATTEMPT_WINDOW_SECONDS * 1000)).toEqual({ ok: true });
  });

  it('window items expire (TTL) after their window ends', async () => {
    const counter = new FakeCounter();
    await takeMfaAttempt(counter, who, windowStartMs + 1000);
    const [item] = [...counter.windows.values()];
    expect(item?.expiresAt).toBeGreaterThan(windowStartMs / 1000 + MFA_ATTEMPT_WINDOW_SECONDS);
  });
});
