// Run options every fast-check property here spreads in: a time limit on the whole check,
// shrinking included, so a failing property is reported within the limit instead of shrinking for
// minutes. Reaching the limit fails the test even when no counterexample was found, so a property
// never passes on fewer runs than it asked for.
import fc from 'fast-check';

/** Under jest's 60 s testTimeout (jest.config.js), which cannot stop a synchronous property anyway. */
export const PROPERTY_TIME_LIMIT_MS = 45_000;

export function bounded(timeLimitMs = PROPERTY_TIME_LIMIT_MS) {
  return { plugins: [fc.interruptAfterTimeLimit(timeLimitMs, { failOnInterrupt: true })] };
}
