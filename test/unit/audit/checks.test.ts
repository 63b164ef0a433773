import { describe, expect, it } from '@jest/globals';
import { durationExcess, issuanceProblems, statusKeyOfItem, tenantOfItem } from '../../../lib/audit/checks';
import type { IssuanceRecord, TenantPolicy } from '../../../lib/core/model';
import { issuanceItem } from '../../../lib/store/issuance-ledger';

const rec: IssuanceRecord = {
  issuanceId: 'i-1',
  tenantId: 'acme',
  partnerId: 'p-one',
  keyId: 'k-1',
  mode: 'assume-role',
  accessKeyId: 'ASIAEXAMPLE',
  principalArn: 'arn:aws:sts::123456789012:assumed-role/r/s',
  principalId: 'AROA:s',
  policyVersion: 3,
  policySha256: 'a'.repeat(64),
  durationSeconds: 3600,
  issuedAt: '2026-03-10T10:00:00.500Z',
  expiresAt: '2026-03-10T11:00:00.000Z', // STS stamps expiry a little before our issuedAt
  sourceIp: '192.0.2.1',
  userAgent: 'ua',
  requestId: 'r-1',
  status: 'active',
};
const item = () => issuanceItem(rec, 400);

const policy = (modes: TenantPolicy['document']['modes']): TenantPolicy => ({
  tenantId: 'acme',
  version: 1,
  updatedAt: '2026-01-01T00:00:00.000Z',
  document: { defaultMode: 'assume-role', modes, statements: [] },
});
const ar = (max: number) => ({ defaultDurationSeconds: 900, maxDurationSeconds: max, role: 'primary' });

describe('issuanceProblems', () => {
  it('finds nothing wrong with a record as the ledger writes it, nor with one written before sharding', () => {
    expect(issuanceProblems(item())).toEqual([]);
    expect(issuanceProblems(issuanceItem(rec, 400, 'legacy'))).toEqual([]);
  });

  it.each([
    ['a missing field', { accessKeyId: undefined }, ['accessKeyId is missing']],
    ['an empty field', { keyId: '' }, ['keyId is missing']],
    ['an unknown status', { status: 'revoked' }, ['status is missing or unknown']],
    ['an unknown mode', { mode: 'magic' }, ['mode is missing or unknown']],
    ['no TTL', { ttl: undefined }, ['ttl is missing (no retention)']],
    ['a bad policy version', { policyVersion: 0 }, ['policyVersion is missing or invalid']],
    [
      'a duration STS cannot grant for the mode',
      { durationSeconds: 50_000 },
      ['durationSeconds 50000 is outside the STS bounds for the mode'],
    ],
    ['a non-integer duration', { durationSeconds: '3600' }, ['durationSeconds is missing or not an integer']],
    ['a lifetime longer than the duration', { durationSeconds: 900 }, ['expiresAt is later than issuedAt + durationSeconds']],
    ['an index key out of step', { expirySk: '2026-03-10T12:00:00.000Z#i-1' }, ['expirySk does not match the record']],
    ['a status key out of step', { statusKey: 'acme#expired' }, ['statusKey does not match the record']],
    ['a pk of another tenant', { pk: String(item().pk).replace('acme', 'globex') }, ['pk does not match tenantId']],
    [
      'a pk in another shard',
      { pk: String(item().pk).replace(/#\d\d$/, (s) => (s === '#00' ? '#01' : '#00')) },
      ['pk does not match tenantId'],
    ],
    [
      'keys of the two layouts mixed',
      { pk: 'TENANT#acme' },
      ['partnerKey does not match the record', 'statusKey does not match the record', 'expiryBucket does not match the record'],
    ],
    ['a sort key out of step', { sk: 'x' }, ['sk does not match issuedAt and issuanceId']],
    [
      'a malformed tenant id',
      { tenantId: 'ACME!' },
      [
        'tenantId is not a valid id',
        'pk does not match tenantId',
        'partnerKey does not match the record',
        'statusKey does not match the record',
      ],
    ],
  ])('flags %s', (_what, change, problems) => {
    const changed: Record<string, unknown> = { ...item(), ...change };
    for (const [k, v] of Object.entries(change)) if (v === undefined) delete changed[k];
    expect(issuanceProblems(changed)).toEqual(problems);
  });

  it('flags timestamps that are not in the ledger form, and expiry before issue', () => {
    expect(issuanceProblems({ ...item(), issuedAt: '2026-03-10 10:00' })).toContain('issuedAt is not an ISO timestamp');
    const backwards = { ...rec, issuedAt: '2026-03-10T12:00:00.000Z' };
    expect(issuanceProblems(issuanceItem(backwards, 400))).toEqual(['expiresAt is not after issuedAt']);
  });
});

describe('tenantOfItem', () => {
  it('takes the tenant from the partition key, which is what the item is stored under', () => {
    expect(tenantOfItem({ ...item(), tenantId: 'other' })).toBe('acme');
    expect(tenantOfItem({ pk: 'weird', tenantId: 'acme' })).toBe('acme');
    expect(tenantOfItem({ ...issuanceItem(rec, 400, 'legacy'), tenantId: 'other' })).toBe('acme');
  });
});

describe('statusKeyOfItem', () => {
  it('keeps the layout the record was written with: its shard, or none for a record from before sharding', () => {
    const sharded = item();
    expect(statusKeyOfItem(sharded, 'expired')).toBe(String(sharded.statusKey).replace('#active#', '#expired#'));
    expect(String(sharded.statusKey)).toMatch(/^acme#active#\d\d$/);
    expect(statusKeyOfItem(issuanceItem(rec, 400, 'legacy'), 'expired')).toBe('acme#expired');
  });
});

describe('durationExcess', () => {
  it('is nothing within the current maximum', () => {
    expect(durationExcess(item(), policy({ 'assume-role': ar(3600) }))).toBeUndefined();
  });

  it('names the current maximum when the duration exceeds it', () => {
    expect(durationExcess(item(), policy({ 'assume-role': ar(1800) }))).toEqual({
      mode: 'assume-role',
      durationSeconds: 3600,
      maxDurationSeconds: 1800,
    });
  });

  it('has no maximum (null) when the mode is no longer allowed', () => {
    expect(durationExcess(item(), policy({ federation: { defaultDurationSeconds: 900, maxDurationSeconds: 43_200 } }))).toEqual({
      mode: 'assume-role',
      durationSeconds: 3600,
      maxDurationSeconds: null,
    });
  });

  it('says nothing without a policy or about a malformed record', () => {
    expect(durationExcess(item(), undefined)).toBeUndefined();
    expect(durationExcess({ ...item(), durationSeconds: 'long' }, policy({ 'assume-role': ar(900) }))).toBeUndefined();
  });
});
