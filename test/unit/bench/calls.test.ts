import { describe, expect, it } from '@jest/globals';
import { analyzeCalls, type IssuanceCalls } from '../../../bench/calls';

const TTL = 15_000;

/** Sequential issuances of 5 ms starting at `fromMs`, every 10 ms, 0 reads, 1 write, 1 STS call. */
function loop(count: number, fromMs: number, measured: boolean): IssuanceCalls[] {
  return Array.from({ length: count }, (_, i) => ({
    startMs: fromMs + i * 10,
    endMs: fromMs + i * 10 + 5,
    reads: 0,
    writes: 1,
    sts: 1,
    other: 0,
    measured,
  }));
}

function withReads(list: IssuanceCalls[], index: number, reads: number): IssuanceCalls[] {
  list[index] = { ...list[index]!, reads };
  return list;
}

describe('analyzeCalls', () => {
  it('counts a cold load in the warm-up and nothing in a cached loop', () => {
    const all = [...withReads(loop(10, 0, false), 0, 2), ...loop(100, 100, true)];
    const a = analyzeCalls(all, TTL);
    expect(a.issuances).toBe(100);
    expect(a.totals).toEqual({ reads: 0, writes: 100, sts: 100, other: 0 });
    expect(a.patterns).toEqual({ '0r/1w/1s': 100 });
    expect(a.reloads).toEqual([]);
    expect(a.readsPerCachedIssuance).toBe(0);
    expect(a.writesEach).toBe(1);
    expect(a.allStsExactlyOne).toBe(true);
  });

  it('excludes a reload that comes a full TTL after the cold load, and reports it', () => {
    // 2000 issuances 10 ms apart span 20 s: the entries loaded at 0 expire at 15 s.
    const all = [...withReads(loop(10, 0, false), 0, 2), ...withReads(loop(2000, 100, true), 1490, 2)];
    const a = analyzeCalls(all, TTL);
    expect(all.find((i) => i.measured && i.reads > 0)!.startMs).toBe(15_000);
    expect(a.reloads).toEqual([{ atMs: 15_000, reads: 2, issuances: 1, legitimate: true }]);
    expect(a.readsPerCachedIssuance).toBe(0);
    expect(a.perIssuance.reads).toBe(2 / 2000);
    expect(a.patterns).toEqual({ '0r/1w/1s': 1999, '2r/1w/1s': 1 });
  });

  it('keeps reloads of two entries a few issuances apart in one cluster', () => {
    const warm = withReads(withReads(loop(10, 0, false), 0, 1), 1, 1);
    const measured = withReads(withReads(loop(2000, 100, true), 1490, 1), 1491, 1);
    const a = analyzeCalls([...warm, ...measured], TTL);
    expect(a.reloads).toEqual([{ atMs: 15_000, reads: 2, issuances: 2, legitimate: true }]);
    expect(a.readsPerCachedIssuance).toBe(0);
  });

  it('flags reads before the TTL has run out as reads on cached issuances', () => {
    const all = [...withReads(loop(10, 0, false), 0, 2), ...withReads(loop(2000, 100, true), 500, 1)];
    const a = analyzeCalls(all, TTL);
    expect(a.reloads).toEqual([{ atMs: 5100, reads: 1, issuances: 1, legitimate: false }]);
    // 1 read over the 2000 issuances that had everything cached.
    expect(a.readsPerCachedIssuance).toBe(1 / 2000);
  });

  it('flags a reload that reads more than the cold load did', () => {
    const all = [...withReads(loop(10, 0, false), 0, 2), ...withReads(loop(2000, 100, true), 1490, 3)];
    const a = analyzeCalls(all, TTL);
    expect(a.reloads[0]!.legitimate).toBe(false);
    expect(a.readsPerCachedIssuance).toBe(3 / 2000);
  });

  it('flags every read when the handler reads on each issuance', () => {
    const all = [...loop(10, 0, false), ...loop(100, 100, true)].map((i) => ({ ...i, reads: 1 }));
    const a = analyzeCalls(all, TTL);
    expect(a.readsPerCachedIssuance).toBe(1);
    expect(a.perIssuance.reads).toBe(1);
  });

  it('notices an issuance with two writes or no STS call', () => {
    const all = loop(10, 0, true);
    all[3] = { ...all[3]!, writes: 2 };
    all[4] = { ...all[4]!, sts: 0 };
    const a = analyzeCalls(all, TTL);
    expect(a.writesEach).toBeNull();
    expect(a.allStsExactlyOne).toBe(false);
    expect(a.totals.writes).toBe(11);
    expect(a.totals.sts).toBe(9);
  });
});
