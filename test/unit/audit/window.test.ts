import { describe, expect, it } from '@jest/globals';
import { auditableUntil, hourBuckets, nextWindow, runIdOf, secondsBefore } from '../../../lib/audit/window';

const opts = { lookbackHours: 24, maxWindowHours: 6, settleSeconds: 0 };

describe('nextWindow', () => {
  it('starts from the checkpoint and ends now', () => {
    const w = nextWindow('2026-03-10T11:45:00.000Z', new Date('2026-03-10T12:00:00.000Z'), opts);
    expect(w).toEqual({
      start: '2026-03-10T11:45:00.000Z',
      end: '2026-03-10T12:00:00.000Z',
      runId: runIdOf('2026-03-10T11:45:00.000Z', '2026-03-10T12:00:00.000Z'),
    });
  });

  it('looks back the configured hours without a checkpoint, capped to the longest window', () => {
    const w = nextWindow(undefined, new Date('2026-03-10T12:00:00.000Z'), { lookbackHours: 4, maxWindowHours: 6, settleSeconds: 0 });
    expect([w?.start, w?.end]).toEqual(['2026-03-10T08:00:00.000Z', '2026-03-10T12:00:00.000Z']);
    const capped = nextWindow(undefined, new Date('2026-03-10T12:00:00.000Z'), opts);
    expect([capped?.start, capped?.end]).toEqual(['2026-03-09T12:00:00.000Z', '2026-03-09T18:00:00.000Z']);
  });

  it('ends the settle time before now, so records still being written are left to the next window', () => {
    const settled = { ...opts, settleSeconds: 60 };
    const w = nextWindow('2026-03-10T11:45:00.000Z', new Date('2026-03-10T12:00:00.000Z'), settled);
    expect([w?.start, w?.end]).toEqual(['2026-03-10T11:45:00.000Z', '2026-03-10T11:59:00.000Z']);
    const first = nextWindow(undefined, new Date('2026-03-10T12:00:00.000Z'), { ...settled, lookbackHours: 4 });
    expect([first?.start, first?.end]).toEqual(['2026-03-10T07:59:00.000Z', '2026-03-10T11:59:00.000Z']);
    expect(nextWindow('2026-03-10T11:59:00.000Z', new Date('2026-03-10T12:00:00.000Z'), settled)).toBeUndefined();
    expect(auditableUntil(new Date('2026-03-10T12:00:00.000Z'), 60)).toBe('2026-03-10T11:59:00.000Z');
  });

  it('has nothing to audit when the checkpoint is now or ahead of it', () => {
    expect(nextWindow('2026-03-10T12:00:00.000Z', new Date('2026-03-10T12:00:00.000Z'), opts)).toBeUndefined();
    expect(nextWindow('2026-03-10T12:00:01.000Z', new Date('2026-03-10T12:00:00.000Z'), opts)).toBeUndefined();
  });

  it('refuses a checkpoint that is not a timestamp', () => {
    expect(() => nextWindow('yesterday', new Date(), opts)).toThrow('The audit checkpoint is not a timestamp: yesterday');
  });
});

describe('runIdOf', () => {
  it('is the same for the same window and differs otherwise', () => {
    const a = runIdOf('2026-03-10T11:45:00.000Z', '2026-03-10T12:00:00.000Z');
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(runIdOf('2026-03-10T11:45:00.000Z', '2026-03-10T12:00:00.000Z')).toBe(a);
    expect(runIdOf('2026-03-10T11:45:00.000Z', '2026-03-10T12:00:00.001Z')).not.toBe(a);
  });
});

describe('hourBuckets', () => {
  it('lists every hour the window touches, the end excluded', () => {
    expect(hourBuckets('2026-03-10T10:40:00.000Z', '2026-03-10T12:00:00.000Z')).toEqual(['2026-03-10T10', '2026-03-10T11']);
    expect(hourBuckets('2026-03-10T10:40:00.000Z', '2026-03-10T12:00:00.001Z')).toEqual([
      '2026-03-10T10',
      '2026-03-10T11',
      '2026-03-10T12',
    ]);
    expect(hourBuckets('2026-03-10T11:00:00.000Z', '2026-03-10T11:15:00.000Z')).toEqual(['2026-03-10T11']);
    expect(hourBuckets('2026-12-31T23:50:00.000Z', '2027-01-01T00:10:00.000Z')).toEqual(['2026-12-31T23', '2027-01-01T00']);
  });
});

describe('time helpers', () => {
  it('moves instants back', () => {
    expect(secondsBefore('2026-03-10T12:00:00.000Z', 129_600)).toBe('2026-03-09T00:00:00.000Z');
  });
});
