// One seeded world with chosen issue and expiry times, statuses and revocations, and the reports
// and live counts it must give. The window is [10:40, 12:00) on 2026-03-10: checkpoint at 10:40,
// runs at 12:01 (a window ends the settle time, a minute, before its run).
import { tableKeys } from '../../../lib/core/table-keys';
import { issuanceItem } from '../../../lib/store/issuance-ledger';
import { assumeRole, type Env, issue, policyDoc, put, RETENTION_DAYS, record, seedKey, seedPartner, seedTenant } from './fixtures';

export const CHECKPOINT = '2026-03-10T10:40:00.000Z';
export const NOW = new Date('2026-03-10T12:01:00.000Z');
export const WINDOW_END = '2026-03-10T12:00:00.000Z';

const day = '2026-03-10';
const at = (hhmmss: string) => `${day}T${hhmmss}Z`;
const created = '2026-01-01T00:00:00.000Z';

/** Records expected to be expired by the run (in the window and active before it). */
export const EXPIRED_BY_RUN = ['a1', 'a2', 'a3', 'a6', 'a8', 'a10', 'a12', 'a14', 'a18', 'g1', 'u1'];
/** Records that must stay as they were. */
export const UNTOUCHED_ACTIVE = ['a4', 'a5', 'a7', 'a9', 'a11', 'a15', 'a16', 'a17', 'g2', 'g3', 'g4', 'u2'];

/** Each tenant's live counter after the window: credentials issued before 12:00 and expiring at or after it. */
export const EXPECTED_COUNTERS = {
  acme: { live: 5, auditedThrough: WINDOW_END }, // a4, a7, a9, a11, a15
  globex: { live: 2, auditedThrough: WINDOW_END }, // g2, g4
  initech: { live: 0, auditedThrough: WINDOW_END },
  umbrella: { live: 1, auditedThrough: WINDOW_END }, // u2
};
export const TENANT_IDS = Object.keys(EXPECTED_COUNTERS);

export async function seedScenario(env: Env): Promise<void> {
  await put(env, env.main, { ...tableKeys.auditCheckpoint(), through: CHECKPOINT, version: 1 });

  // acme: enabled; its policy now allows assume-role up to an hour and no federation at all.
  await seedTenant(
    env,
    { tenantId: 'acme', name: 'Acme', status: 'enabled', createdAt: created },
    policyDoc({ 'assume-role': assumeRole(3600) }),
  );
  await seedPartner(env, { tenantId: 'acme', partnerId: 'p-good', name: 'Good', status: 'enabled', createdAt: created });
  await seedPartner(env, { tenantId: 'acme', partnerId: 'p-off', name: 'Off', status: 'disabled', createdAt: created });
  const key = (keyId: string, partnerId: string, extra: Partial<{ status: 'active' | 'revoked'; revokedAt: string }> = {}) =>
    seedKey(env, {
      keyId,
      kind: 'partner',
      tenantId: 'acme',
      partnerId,
      secretHash: 'h'.repeat(64),
      status: 'active',
      createdAt: created,
      ...extra,
    });
  await key('k-good', 'p-good');
  await key('k-old', 'p-good', { status: 'revoked', revokedAt: at('11:30:00.000') });
  await key('k-ancient', 'p-good', { status: 'revoked', revokedAt: '2026-02-01T00:00:00.000Z' });
  await key('k-off', 'p-off');

  // globex: disabled tenant.
  await seedTenant(
    env,
    { tenantId: 'globex', name: 'Globex', status: 'disabled', createdAt: created },
    policyDoc({ 'assume-role': assumeRole(43_200) }),
  );
  await seedPartner(env, { tenantId: 'globex', partnerId: 'g-one', name: 'One', status: 'enabled', createdAt: created });

  // initech: enabled, nothing issued: gets no report.
  await seedTenant(
    env,
    { tenantId: 'initech', name: 'Initech', status: 'enabled', createdAt: created },
    policyDoc({ 'assume-role': assumeRole(3600) }),
  );

  const acme = (id: string, expiresAt: string, extra: Partial<Parameters<typeof record>[0]> = {}) =>
    record({ id, tenantId: 'acme', partnerId: 'p-good', keyId: 'k-good', expiresAt, ...extra });
  // Issued an hour before expiry unless said otherwise.
  const records = [
    acme('a1', at('10:50:00.000')),
    acme('a2', at('11:30:00.000'), { durationSeconds: 7200 }), // longer than acme now allows
    acme('a3', at('11:59:59.999'), { mode: 'federation' }), // a mode acme no longer allows; issued 10:59:59.999, in the window
    acme('a4', at('12:00:00.000')), // expires exactly at the window end: still live; issued 11:00, in the window
    acme('a5', at('10:39:59.999')), // just before the window: not read
    acme('a6', at('10:40:00.000')), // exactly at the window start: in it
    acme('a7', at('13:00:00.000'), { partnerId: 'p-off', keyId: 'k-off', issuedAt: at('10:00:00.000') }), // live, partner disabled
    acme('a8', at('11:10:00.000'), { partnerId: 'p-off', keyId: 'k-off' }), // partner disabled, but expired
    acme('a9', at('14:00:00.000'), { keyId: 'k-old', issuedAt: at('11:29:00.000') }), // live, key revoked at 11:30; issued in the window
    acme('a10', at('11:20:00.000'), { keyId: 'k-old' }),
    acme('a11', at('15:00:00.000'), { issuedAt: at('09:00:00.000') }), // live, issued before the window
    acme('a13', at('11:05:00.000'), { status: 'expired' }), // already expired: counted, not re-marked
    acme('a14', at('11:40:00.000')), // issued exactly at the window start and expired in it: nets 0
    acme('a15', at('12:59:59.999')), // issued 11:59:59.999, the window's last instant: live
    acme('a16', at('13:00:00.000')), // issued exactly at the window end: the next window's
    acme('a17', at('13:00:30.000')), // issued 12:00:30, after the window end (within the settle time)
    acme('a18', at('11:39:59.999')), // issued 10:39:59.999, just before the window; expired in it
    record({ id: 'g1', tenantId: 'globex', partnerId: 'g-one', keyId: 'k-g1', expiresAt: at('11:15:00.000') }),
    // live, tenant disabled
    record({
      id: 'g2',
      tenantId: 'globex',
      partnerId: 'g-one',
      keyId: 'k-g1',
      expiresAt: at('20:00:00.000'),
      issuedAt: at('08:00:00.000'),
    }),
    record({ id: 'g3', tenantId: 'globex', partnerId: 'g-one', keyId: 'k-g1', expiresAt: '2026-03-08T01:00:00.000Z' }),
    record({ id: 'g4', tenantId: 'globex', partnerId: 'g-one', keyId: 'k-g1', expiresAt: at('12:15:00.000') }), // issued in the window, live
    // A tenant the directory does not know: one record expired in the window, one issued in it and live.
    record({ id: 'u1', tenantId: 'umbrella', partnerId: 'u-one', keyId: 'k-u1', expiresAt: at('11:00:00.000') }),
    record({ id: 'u2', tenantId: 'umbrella', partnerId: 'u-one', keyId: 'k-u1', expiresAt: at('12:30:00.000') }),
  ];
  for (const r of records) await issue(env, r);

  // a12: a damaged record in the window: no principalArn, a duration STS cannot have granted.
  const a12 = acme('a12', at('11:45:00.000'), { durationSeconds: 100 });
  const { principalArn: _dropped, ...a12Item } = issuanceItem(a12, RETENTION_DAYS);
  await issue(env, a12, a12Item);
}

const run = { windowStart: CHECKPOINT, windowEnd: WINDOW_END };

/** The stored reports, newest first per tenant, without createdAt and runId (checked separately). */
export const EXPECTED_REPORTS = {
  acme: {
    tenantId: 'acme',
    ...run,
    tenantStatus: 'enabled',
    expiredInWindow: 10, // a1, a2, a3, a6, a8, a10, a12, a13, a14, a18
    issuedInWindow: 6, // a3, a4, a9, a12, a14, a15
    liveCredentials: 5, // a4, a7, a9, a11, a15
    flagCounts: { liveCredentialsOfDisabled: 2, overMaxDuration: 2, invalidRecords: 1 },
    liveCredentialsOfDisabled: [
      {
        issuanceId: 'a7',
        partnerId: 'p-off',
        keyId: 'k-off',
        accessKeyId: 'ASIAA7XXXXXXXXXXXXXX',
        principalArn: 'arn:aws:sts::123456789012:assumed-role/tenant/p-off.a7',
        expiresAt: at('13:00:00.000'),
        reason: 'partner_disabled',
      },
      {
        issuanceId: 'a9',
        partnerId: 'p-good',
        keyId: 'k-old',
        accessKeyId: 'ASIAA9XXXXXXXXXXXXXX',
        principalArn: 'arn:aws:sts::123456789012:assumed-role/tenant/p-good.a9',
        expiresAt: at('14:00:00.000'),
        reason: 'key_revoked',
      },
    ],
    overMaxDuration: [
      {
        issuanceId: 'a2',
        partnerId: 'p-good',
        mode: 'assume-role',
        durationSeconds: 7200,
        maxDurationSeconds: 3600,
        expiresAt: at('11:30:00.000'),
      },
      {
        issuanceId: 'a3',
        partnerId: 'p-good',
        mode: 'federation',
        durationSeconds: 3600,
        maxDurationSeconds: null,
        expiresAt: at('11:59:59.999'),
      },
    ],
    invalidRecords: [
      {
        issuanceId: 'a12',
        sk: `${at('11:43:20.000')}#a12`,
        problems: ['principalArn is missing', 'durationSeconds 100 is outside the STS bounds for the mode'],
      },
    ],
    policyProblems: [],
    truncated: false,
  },
  globex: {
    tenantId: 'globex',
    ...run,
    tenantStatus: 'disabled',
    expiredInWindow: 1,
    issuedInWindow: 1,
    liveCredentials: 2,
    flagCounts: { liveCredentialsOfDisabled: 2, overMaxDuration: 0, invalidRecords: 0 },
    liveCredentialsOfDisabled: [
      {
        issuanceId: 'g4',
        partnerId: 'g-one',
        keyId: 'k-g1',
        accessKeyId: 'ASIAG4XXXXXXXXXXXXXX',
        principalArn: 'arn:aws:sts::123456789012:assumed-role/tenant/g-one.g4',
        expiresAt: at('12:15:00.000'),
        reason: 'tenant_disabled',
      },
      {
        issuanceId: 'g2',
        partnerId: 'g-one',
        keyId: 'k-g1',
        accessKeyId: 'ASIAG2XXXXXXXXXXXXXX',
        principalArn: 'arn:aws:sts::123456789012:assumed-role/tenant/g-one.g2',
        expiresAt: at('20:00:00.000'),
        reason: 'tenant_disabled',
      },
    ],
    overMaxDuration: [],
    invalidRecords: [],
    policyProblems: [],
    truncated: false,
  },
  umbrella: {
    tenantId: 'umbrella',
    ...run,
    tenantStatus: 'missing',
    expiredInWindow: 1,
    issuedInWindow: 1,
    liveCredentials: 1,
    flagCounts: { liveCredentialsOfDisabled: 1, overMaxDuration: 0, invalidRecords: 0 },
    liveCredentialsOfDisabled: [
      {
        issuanceId: 'u2',
        partnerId: 'u-one',
        keyId: 'k-u1',
        accessKeyId: 'ASIAU2XXXXXXXXXXXXXX',
        principalArn: 'arn:aws:sts::123456789012:assumed-role/tenant/u-one.u2',
        expiresAt: at('12:30:00.000'),
        reason: 'tenant_missing',
      },
    ],
    overMaxDuration: [],
    invalidRecords: [],
    policyProblems: [],
    truncated: false,
  },
} as const;
