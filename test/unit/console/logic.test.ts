// The console's plain logic (browser code under console/src, no DOM needed): the overview's figures,
// the policy diff and what counts as a console key.
import { describe, expect, it } from '@jest/globals';
import { diffLines } from '../../../console/src/diff';
import { findingsByCode, perHour } from '../../../console/src/overview-data';
import { kindOfKey } from '../../../console/src/session';
import type { AuditReport, Issuance } from '../../../console/src/types';

const issuance = (partnerId: string, mode: Issuance['mode'], issuedAt: string): Issuance => ({
  issuanceId: `${partnerId}-${issuedAt}`,
  partnerId,
  keyId: 'pk-aaaaaaaaaaaaaaaa',
  mode,
  principalArn: 'arn:aws:sts::123456789012:assumed-role/r/s',
  policyVersion: 1,
  durationSeconds: 900,
  issuedAt,
  expiresAt: issuedAt,
  status: 'active',
});

describe('perHour', () => {
  const now = Date.parse('2026-12-03T12:30:00Z') / 1000;

  it('counts the last 24 hours by hour, one series per partner and mode, sorted', () => {
    const series = perHour(
      [
        issuance('b', 'assume-role', '2026-12-03T12:10:00Z'),
        issuance('a', 'federation', '2026-12-03T12:59:59Z'),
        issuance('a', 'federation', '2026-12-03T11:00:00Z'),
        issuance('b', 'assume-role', '2026-12-03T12:20:00Z'),
        issuance('a', 'federation', '2026-12-02T13:00:00Z'),
        // Older than the 24 slots: left out.
        issuance('c', 'assume-role', '2026-12-02T12:59:59Z'),
      ],
      now,
    );
    expect(series.x).toHaveLength(24);
    expect(series.x[0]).toBe(Date.parse('2026-12-02T13:00:00Z') / 1000);
    expect(series.x[23]).toBe(Date.parse('2026-12-03T12:00:00Z') / 1000);
    expect(series.series.map((s) => s.label)).toEqual(['a · federation', 'b · assume-role']);
    const [a, b] = series.series;
    expect([a?.values[0], a?.values[22], a?.values[23]]).toEqual([1, 1, 1]);
    expect(b?.values[23]).toBe(2);
    expect(series.series.flatMap((s) => s.values).reduce((n, v) => n + v, 0)).toBe(5);
  });
});

describe('findingsByCode', () => {
  it('counts live flags by reason, the other flags by their counts and policy problems by code', () => {
    const report = (r: Partial<AuditReport>): AuditReport => ({ runId: 'r', windowStart: '', windowEnd: '', createdAt: '', ...r });
    expect(
      findingsByCode([
        report({
          liveCredentialsOfDisabled: [{ reason: 'key_revoked' }, { reason: 'key_revoked' }, { reason: 'tenant_disabled' }],
          flagCounts: { liveCredentialsOfDisabled: 3, overMaxDuration: 2, invalidRecords: 0 },
          policyProblems: [{ code: 'role_not_bound', message: 'x' }],
        }),
        report({ flagCounts: { liveCredentialsOfDisabled: 0, overMaxDuration: 1, invalidRecords: 4 } }),
      ]),
    ).toEqual({ key_revoked: 2, tenant_disabled: 1, over_max_duration: 3, invalid_record: 4, role_not_bound: 1 });
    expect(findingsByCode([])).toEqual({});
  });
});

describe('diffLines', () => {
  it('keeps common lines and marks removed and added ones', () => {
    expect(diffLines('a\nb\nc', 'a\nB\nc\nd')).toEqual([
      { op: ' ', text: 'a' },
      { op: '-', text: 'b' },
      { op: '+', text: 'B' },
      { op: ' ', text: 'c' },
      { op: '+', text: 'd' },
    ]);
    expect(diffLines('same', 'same')).toEqual([{ op: ' ', text: 'same' }]);
    expect(diffLines('', 'x').filter((l) => l.op !== ' ')).toEqual([
      { op: '-', text: '' },
      { op: '+', text: 'x' },
    ]);
  });
});

describe('kindOfKey', () => {
  const secret = 'A'.repeat(43);
  it('takes tenant admin and operator keys only', () => {
    expect(kindOfKey(`cv1.ak-${'a'.repeat(16)}.${secret}`)).toBe('admin');
    expect(kindOfKey(`cv1.ok-${'b'.repeat(16)}.${secret}`)).toBe('operator');
    expect(kindOfKey(`cv1.pk-${'a'.repeat(16)}.${secret}`)).toBeUndefined();
    expect(kindOfKey(`cv1.ak-${'a'.repeat(16)}.${secret}x`)).toBeUndefined();
    expect(kindOfKey('')).toBeUndefined();
  });
});
