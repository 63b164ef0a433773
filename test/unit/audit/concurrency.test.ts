import { describe, expect, it } from '@jest/globals';
import { mapLimit } from '../../../lib/audit/concurrency';

describe('mapLimit', () => {
  it('keeps the order and never exceeds the limit', async () => {
    let inFlight = 0;
    let most = 0;
    const out = await mapLimit([5, 1, 4, 2, 3], 2, async (n) => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(most).toBe(2);
  });

  it('starts nothing after a failure and rejects once the calls in flight have settled', async () => {
    const settled: number[] = [];
    const run = mapLimit([1, 2, 3, 4, 5], 2, async (n) => {
      await new Promise((resolve) => setImmediate(resolve));
      if (n === 1) throw new Error('boom');
      settled.push(n);
      return n;
    });
    await expect(run).rejects.toThrow('boom');
    expect(settled).toEqual([2]);
  });
});
