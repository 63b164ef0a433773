import { describe, expect, it } from '@jest/globals';
import { loadAuditConfig } from '../../../lib/audit/config';

describe('loadAuditConfig', () => {
  it('has defaults', () => {
    expect(loadAuditConfig({})).toEqual({
      lookbackHours: 24,
      maxWindowHours: 24,
      settleSeconds: 60,
      leaseSeconds: 960,
      progressEvery: 1000,
      concurrency: 16,
      reportListLimit: 500,
    });
  });

  it('reads the environment and refuses values out of range', () => {
    expect(loadAuditConfig({ AUDIT_LOOKBACK_HOURS: '48', AUDIT_CONCURRENCY: '4' })).toMatchObject({ lookbackHours: 48, concurrency: 4 });
    expect(() => loadAuditConfig({ AUDIT_LOOKBACK_HOURS: '0' })).toThrow('AUDIT_LOOKBACK_HOURS must be an integer between 1 and 9600');
    expect(() => loadAuditConfig({ AUDIT_LEASE_SECONDS: '1.5' })).toThrow('AUDIT_LEASE_SECONDS must be an integer');
    expect(loadAuditConfig({ AUDIT_SETTLE_SECONDS: '0' }).settleSeconds).toBe(0);
    expect(() => loadAuditConfig({ AUDIT_SETTLE_SECONDS: '3601' })).toThrow('AUDIT_SETTLE_SECONDS must be an integer between 0 and 3600');
  });
});
