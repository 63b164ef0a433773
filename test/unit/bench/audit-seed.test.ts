import { describe, expect, it } from '@jest/globals';
import { inWindow, seededTimes } from '../../../bench/audit';

const DAY_MS = 86_400_000;

describe('audit seed', () => {
  it('issues records evenly over 100 days before the end, each living 15 to 60 minutes', () => {
    const end = Date.parse('2026-03-01T00:00:00.000Z');
    const seeded = seededTimes(1000, end);
    expect(seeded).toHaveLength(1000);
    expect(Math.min(...seeded.map((s) => s.issuedAt))).toBeGreaterThanOrEqual(end - 100 * DAY_MS);
    expect(Math.max(...seeded.map((s) => s.issuedAt))).toBeLessThan(end);
    expect(new Set(seeded.map((s) => (s.expiresAt - s.issuedAt) / 60_000))).toEqual(new Set([15, 30, 45, 60]));
  });

  it('puts 1% of the records in a 24-hour window, and counts a record issued and expiring in it once', () => {
    const end = Date.parse('2026-03-01T00:00:00.000Z');
    const seeded = seededTimes(10_000, end);
    const window = inWindow(seeded, new Date(end - 2 * DAY_MS).toISOString(), new Date(end - DAY_MS).toISOString());
    expect(window.issued).toBe(100);
    // Issued in the hour before the window and expiring in it: in the window, though not issued in it.
    expect(window.expiring).toBeGreaterThanOrEqual(99);
    expect(window.expiring).toBeLessThanOrEqual(101);
    expect(window.either).toBeGreaterThan(window.issued);
    expect(window.either).toBeLessThan(window.issued + window.expiring);
  });
});
