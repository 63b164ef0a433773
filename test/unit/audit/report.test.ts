import { describe, expect, it } from '@jest/globals';
import { buildReport, isReportable, liveFlagOf, type TenantFindings } from '../../../lib/audit/report';

const empty: TenantFindings = {
  tenantId: 'acme',
  tenantStatus: 'enabled',
  expiredInWindow: 0,
  issuedInWindow: 0,
  liveCredentials: 0,
  liveCredentialsOfDisabled: [],
  overMaxDuration: [],
  invalidRecords: [],
  policyProblems: [],
};
const run = {
  runId: 'r1',
  windowStart: '2026-03-10T11:45:00.000Z',
  windowEnd: '2026-03-10T12:00:00.000Z',
  createdAt: '2026-03-10T12:00:01.000Z',
};
const flag = (id: string, expiresAt: string) =>
  liveFlagOf(
    { issuanceId: id, partnerId: 'p', keyId: 'k', accessKeyId: `ASIA${id}`, principalArn: `arn:${id}`, expiresAt },
    'partner_disabled',
  );

describe('isReportable', () => {
  it('skips a tenant with nothing expired or issued, nothing live and nothing flagged', () => {
    expect(isReportable(empty)).toBe(false);
    expect(isReportable({ ...empty, expiredInWindow: 1 })).toBe(true);
    expect(isReportable({ ...empty, issuedInWindow: 1 })).toBe(true);
    expect(isReportable({ ...empty, liveCredentials: 1 })).toBe(true);
    expect(isReportable({ ...empty, invalidRecords: [{ issuanceId: null, sk: 's', problems: ['x'] }] })).toBe(true);
  });
});

describe('buildReport', () => {
  it('sorts flag lists so the same findings always give the same report', () => {
    const a = flag('a', '2026-03-10T13:00:00.000Z');
    const b = flag('b', '2026-03-10T12:30:00.000Z');
    const one = buildReport({ ...empty, liveCredentialsOfDisabled: [a, b] }, run, 10);
    const two = buildReport({ ...empty, liveCredentialsOfDisabled: [b, a] }, run, 10);
    expect(one).toEqual(two);
    expect(one.liveCredentialsOfDisabled.map((f) => f.issuanceId)).toEqual(['b', 'a']);
  });

  it('caps the lists but keeps exact counts, and says it did', () => {
    const flags = ['c', 'a', 'b'].map((id, i) => flag(id, `2026-03-10T1${i + 2}:00:00.000Z`));
    const report = buildReport({ ...empty, liveCredentialsOfDisabled: flags }, run, 2);
    expect(report.flagCounts.liveCredentialsOfDisabled).toBe(3);
    expect(report.liveCredentialsOfDisabled.map((f) => f.issuanceId)).toEqual(['c', 'a']);
    expect(report.truncated).toBe(true);
    expect(buildReport({ ...empty, liveCredentialsOfDisabled: flags }, run, 3).truncated).toBe(false);
  });

  it('carries the run and tenant facts', () => {
    expect(buildReport({ ...empty, expiredInWindow: 4, issuedInWindow: 3, liveCredentials: 2 }, run, 5)).toEqual({
      tenantId: 'acme',
      ...run,
      tenantStatus: 'enabled',
      expiredInWindow: 4,
      issuedInWindow: 3,
      liveCredentials: 2,
      flagCounts: { liveCredentialsOfDisabled: 0, overMaxDuration: 0, invalidRecords: 0 },
      liveCredentialsOfDisabled: [],
      overMaxDuration: [],
      invalidRecords: [],
      policyProblems: [],
      truncated: false,
    });
  });

  it('a stored policy that breaks a rule of today makes the tenant reportable, its problems listed', () => {
    const problem = { path: '$.statements', code: 'unknown_placeholder', message: 'Unknown template placeholder {{sessionName}}' };
    expect(isReportable(empty)).toBe(false);
    expect(isReportable({ ...empty, policyProblems: [problem] })).toBe(true);
    expect(buildReport({ ...empty, policyProblems: [problem, problem] }, run, 1).policyProblems).toEqual([problem]);
  });
});
