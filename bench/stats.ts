// Order statistics for the benchmark. Percentiles use the nearest-rank method: every reported
// figure is one that was actually measured, never an interpolation.

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of no values');
  if (!(p > 0 && p <= 100)) throw new Error(`percentile must be in (0, 100], got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Interleaves the two series' segments ABBA ABBA…: a drift over the run weighs on both alike. */
export function abbaOrder<T>(a: T, b: T, rounds: number): T[] {
  return mirroredOrder([a, b], rounds);
}

/**
 * The same for any number of series: forward, then backward (ABC CBA ABC…), so over each pair of
 * rounds every series is as often early as late and a drift weighs on all alike.
 */
export function mirroredOrder<T>(series: readonly T[], rounds: number): T[] {
  const order: T[] = [];
  for (let i = 0; i < rounds; i++) order.push(...(i % 2 === 0 ? series : [...series].reverse()));
  return order;
}
