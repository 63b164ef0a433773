import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { StoredItem } from '../../../lib/audit/checks';
import {
  counterStep,
  emptyIssuedTally,
  type LiveCounter,
  liveAtEndOf,
  liveCounterKey,
  RECOUNT_LOOKBACK_SECONDS,
  recountFrom,
  removes,
  tallyIssued,
} from '../../../lib/audit/live-counts';
import { expiryBucketOf } from '../../../lib/core/table-keys';
import { bounded } from '../../support/property';

const iso = (ms: number) => new Date(ms).toISOString();
const T0 = Date.parse('2026-03-10T00:00:00.000Z');
const HOUR = 3_600_000;

/** The keys the two window queries see of a record. */
function item(id: string, issuedAt: string, expiresAt: string): StoredItem {
  return { pk: 'TENANT#acme', sk: `${issuedAt}#${id}`, expiryBucket: expiryBucketOf(expiresAt), expirySk: `${expiresAt}#${id}` };
}

const issuedMs = (i: StoredItem) => Date.parse(String(i.sk).split('#')[0]!);
const expiresMs = (i: StoredItem) => Date.parse(String(i.expirySk).split('#')[0]!);
/** The definition: credentials issued before `end` and expiring at or after it. */
const liveAt = (items: StoredItem[], end: number) => items.filter((i) => issuedMs(i) < end && expiresMs(i) >= end).length;

/** What the run sees of `items` for [start, end) and what it makes of the counter. */
function applyWindow(items: StoredItem[], counter: LiveCounter | undefined, start: number, end: number): LiveCounter {
  const window = { start: iso(start), end: iso(end) };
  const issued = items.filter((i) => issuedMs(i) >= start && issuedMs(i) < end);
  const expiring = items.filter((i) => expiresMs(i) >= start && expiresMs(i) < end);
  const tally = emptyIssuedTally();
  tallyIssued(tally, issued, window);
  const step = counterStep(counter, window, tally.adds - expiring.filter((i) => removes(i, window)).length);
  if (step.kind !== 'recount') return { live: step.live, auditedThrough: window.end };
  const lookback = items.filter((i) => issuedMs(i) >= Date.parse(recountFrom(window.end)) && issuedMs(i) < start);
  return { live: tally.liveAtEnd + liveAtEndOf(lookback, window.end), auditedThrough: window.end };
}

describe('the live counter item', () => {
  it('is one item per tenant in its partition', () => {
    expect(liveCounterKey('acme')).toEqual({ pk: 'TENANT#acme', sk: 'LIVE' });
    expect(recountFrom('2026-03-10T12:00:00.000Z')).toBe(iso(Date.parse('2026-03-10T12:00:00.000Z') - RECOUNT_LOOKBACK_SECONDS * 1000));
    expect(RECOUNT_LOOKBACK_SECONDS).toBe(37 * 3600);
  });
});

describe('counterStep', () => {
  const window = { start: '2026-03-10T11:00:00.000Z', end: '2026-03-10T12:00:00.000Z' };

  it('adds the window to a counter at its start', () => {
    expect(counterStep({ live: 5, auditedThrough: window.start }, window, -2)).toEqual({ kind: 'advance', live: 3 });
  });

  it('takes the stored count when the window is in the counter already', () => {
    expect(counterStep({ live: 5, auditedThrough: window.end }, window, -2)).toEqual({ kind: 'applied', live: 5 });
  });

  it('recounts a missing counter or one out of step, and writes only when no later window is in it', () => {
    expect(counterStep(undefined, window, 1)).toEqual({ kind: 'recount', write: true });
    expect(counterStep({ live: 5, auditedThrough: '2026-03-10T10:45:00.000Z' }, window, 1)).toEqual({ kind: 'recount', write: true });
    expect(counterStep({ live: 5, auditedThrough: '2026-03-10T11:30:00.000Z' }, window, 1)).toEqual({ kind: 'recount', write: true });
    expect(counterStep({ live: 5, auditedThrough: '2026-03-10T12:15:00.000Z' }, window, 1)).toEqual({ kind: 'recount', write: false });
  });
});

describe('tallies', () => {
  const window = { start: '2026-03-10T11:00:00.000Z', end: '2026-03-10T12:00:00.000Z' };

  it('adds what is issued in the window and expires after its start, and knows what is live at its end', () => {
    const tally = emptyIssuedTally();
    tallyIssued(
      tally,
      [
        item('in-and-out', '2026-03-10T11:10:00.000Z', '2026-03-10T11:40:00.000Z'),
        item('live', '2026-03-10T11:10:00.000Z', '2026-03-10T12:00:00.000Z'),
        item('backwards', '2026-03-10T11:10:00.000Z', '2026-03-10T10:59:59.999Z'),
        { ...item('wrong-bucket', '2026-03-10T11:10:00.000Z', '2026-03-10T13:00:00.000Z'), expiryBucket: '2026-03-10T14' },
        { pk: 'TENANT#acme', sk: '2026-03-10T11:20:00.000Z#no-expiry' },
      ],
      window,
    );
    // Records the window queries could never find expiring never enter a count.
    expect(tally).toEqual({ issued: 5, alsoExpiring: 1, adds: 2, liveAtEnd: 1 });
  });

  it('takes off expiring records issued before the window end only', () => {
    expect(removes(item('a', '2026-03-10T11:59:59.999Z', '2026-03-10T11:30:00.000Z'), window)).toBe(true);
    expect(removes(item('b', '2026-03-10T12:00:00.000Z', '2026-03-10T11:30:00.000Z'), window)).toBe(false);
  });

  it("counts what a recount's look back finds live at the end", () => {
    expect(
      liveAtEndOf(
        [
          item('x', '2026-03-09T10:00:00.000Z', '2026-03-10T12:00:00.000Z'),
          item('y', '2026-03-09T10:00:00.000Z', '2026-03-10T11:59:59.999Z'),
        ],
        window.end,
      ),
    ).toBe(1);
  });
});

describe('windows one after the other', () => {
  // Records with any issue time, a lifetime of up to 36 hours and some backwards (expiring before
  // issue, as a damaged record might): the counter is exact after every window, whether it was
  // recounted or advanced, and a recount at any window end gives the same number.
  const records = fc.array(
    fc.record({
      issued: fc.integer({ min: -40 * HOUR, max: 30 * HOUR }),
      lifetime: fc.oneof(fc.integer({ min: 1, max: 36 * HOUR }), fc.integer({ min: -2 * HOUR, max: 0 }), fc.constantFrom(HOUR, 900_000)),
    }),
    { maxLength: 60 },
  );
  const cuts = fc.uniqueArray(fc.integer({ min: 1, max: 30 * HOUR }), { minLength: 1, maxLength: 8 });

  it('keeps every count exact', () => {
    fc.assert(
      fc.property(records, cuts, fc.boolean(), (specs, cutList, snapToCuts) => {
        const ends = [...cutList].sort((a, b) => a - b).map((c) => T0 + c);
        // Records issued or expiring exactly on a window boundary are where off-by-ones would show.
        const boundaries = [T0, ...ends];
        const items = specs.map((s, k) => {
          const boundary = boundaries[k % boundaries.length]!;
          const issued = !snapToCuts || k % 3 === 2 ? T0 + s.issued : k % 3 === 0 ? boundary : boundary - s.lifetime;
          return item(`r${k}`, iso(issued), iso(issued + s.lifetime));
        });
        let counter: LiveCounter | undefined;
        let start = T0;
        for (const end of ends) {
          counter = applyWindow(items, counter, start, end);
          expect(counter.live).toBe(liveAt(items, end));
          expect(applyWindow(items, undefined, start, end).live).toBe(counter.live);
          start = end;
        }
      }),
      { numRuns: 300, ...bounded() },
    );
  });
});
