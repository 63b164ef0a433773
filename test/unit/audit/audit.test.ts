// The run's control flow over a fake store: claiming, resuming, losing the claim, and which
// lookups a tenant costs; then whole runs over an in-memory store, killed anywhere and retried.
// (The DynamoDB side is covered by test/integration/audit.)
import { describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import { type AuditDeps, runAudit } from '../../../lib/audit/audit';
import { issuanceProblems, type StoredItem } from '../../../lib/audit/checks';
import type { AuditStore, CheckpointState } from '../../../lib/audit/ports';
import type { ApiKeyRecord, IssuanceRecord, RevocationRecord, Tenant } from '../../../lib/core/model';
import { bounded } from '../../support/property';
import { failingAt, MemoryAuditStore } from './memory-store';

// Runs start a minute after the window end they may reach (the settle time).
const NOW = new Date('2026-03-10T12:01:00.000Z');
const END = '2026-03-10T12:00:00.000Z';

function fakeStore(opts: { checkpoint?: CheckpointState; items?: StoredItem[] } = {}) {
  const { checkpoint = { version: 1, through: '2026-03-10T11:45:00.000Z' }, items = [] } = opts;
  const fn = <K extends keyof AuditStore>(impl: AuditStore[K]) => jest.fn(impl);
  return {
    readCheckpoint: fn<'readCheckpoint'>(async () => checkpoint),
    saveCheckpoint: fn<'saveCheckpoint'>(async () => true),
    expiringItems: fn<'expiringItems'>(async function* (bucket: string) {
      yield items.filter((i) => String(i.expiryBucket) === bucket);
    }),
    markExpired: fn<'markExpired'>(async () => true),
    issuedItems: fn<'issuedItems'>(async function* () {
      yield [];
    }),
    recountItems: fn<'recountItems'>(async function* () {
      yield [];
    }),
    readLiveCounter: fn<'readLiveCounter'>(async () => ({ live: 0, auditedThrough: checkpoint.through ?? '' })),
    saveLiveCounter: fn<'saveLiveCounter'>(async () => true),
    listTenants: fn<'listTenants'>(async () => []),
    getPolicy: fn<'getPolicy'>(async () => undefined),
    listPartners: fn<'listPartners'>(async () => []),
    listPartnerKeys: fn<'listPartnerKeys'>(async () => []),
    activeIssuedSince: fn<'activeIssuedSince'>(async () => []),
    partnerIssuedSince: fn<'partnerIssuedSince'>(async () => []),
    putReport: fn<'putReport'>(async () => true),
    reads: fn<'reads'>(() => ({ windowItems: 0, recountItems: 0, liveLookupItems: 0, directoryItems: 0, byTarget: {} })),
  };
}

function deps(store: AuditStore, over: Partial<AuditDeps> = {}): AuditDeps {
  return {
    store,
    now: () => NOW,
    owner: 'me',
    leaseMs: 300_000,
    retentionDays: 400,
    config: { lookbackHours: 24, maxWindowHours: 24, settleSeconds: 60, progressEvery: 1000, concurrency: 4, reportListLimit: 100 },
    ...over,
  };
}

const tenant = (tenantId: string, status: Tenant['status'] = 'enabled'): Tenant => ({
  tenantId,
  name: tenantId,
  status,
  createdAt: '2026-01-01T00:00:00.000Z',
});

describe('claiming the window', () => {
  it('claims [checkpoint, now - settle) with a lease, then moves the checkpoint from the claimed version', async () => {
    const store = fakeStore();
    const result = await runAudit(deps(store));
    expect(result).toMatchObject({
      status: 'completed',
      caughtUp: true,
      window: { start: '2026-03-10T11:45:00.000Z', end: END },
      checkpoint: END,
    });
    expect(store.saveCheckpoint.mock.calls).toEqual([
      [
        {
          through: '2026-03-10T11:45:00.000Z',
          pending: {
            windowStart: '2026-03-10T11:45:00.000Z',
            windowEnd: END,
            runId: result.window!.runId,
            owner: 'me',
            leaseUntil: '2026-03-10T12:06:00.000Z',
          },
        },
        1,
      ],
      [{ through: END }, 2],
    ]);
  });

  it('does nothing at all when there is nothing new', async () => {
    const store = fakeStore({ checkpoint: { version: 4, through: END } });
    expect(await runAudit(deps(store))).toMatchObject({ status: 'idle', checkpoint: END });
    expect(store.saveCheckpoint).not.toHaveBeenCalled();
    expect(store.expiringItems).not.toHaveBeenCalled();
  });

  it('leaves a window whose lease another run still holds', async () => {
    const pending = { windowStart: 'a', windowEnd: 'b', runId: 'r', owner: 'other', leaseUntil: '2026-03-10T12:01:00.001Z' };
    const store = fakeStore({ checkpoint: { version: 2, through: '2026-03-10T11:00:00.000Z', pending } });
    // The lag stays measured while another run works (and alarms if it never finishes).
    expect(await runAudit(deps(store))).toMatchObject({ status: 'locked', checkpoint: '2026-03-10T11:00:00.000Z' });
    expect(store.saveCheckpoint).not.toHaveBeenCalled();
  });

  it('resumes its own pending window at once, and an expired one of another run', async () => {
    const window = { windowStart: '2026-03-10T11:00:00.000Z', windowEnd: '2026-03-10T11:30:00.000Z', runId: 'r-old' };
    const own = fakeStore({
      checkpoint: { version: 2, through: window.windowStart, pending: { ...window, owner: 'me', leaseUntil: '2026-03-10T12:10:00.000Z' } },
    });
    expect(await runAudit(deps(own))).toMatchObject({
      status: 'completed',
      resumed: true,
      caughtUp: false,
      window: { start: window.windowStart, end: window.windowEnd, runId: 'r-old' },
    });
    const stale = fakeStore({
      checkpoint: { version: 2, through: window.windowStart, pending: { ...window, owner: 'other', leaseUntil: NOW.toISOString() } },
    });
    expect(await runAudit(deps(stale))).toMatchObject({ status: 'completed', resumed: true, window: { runId: 'r-old' } });
    expect(stale.saveCheckpoint.mock.calls[1]).toEqual([{ through: window.windowEnd }, 3]);
  });

  it('stands aside when another run claims first, and is superseded when it loses the window later', async () => {
    const lost = fakeStore();
    lost.saveCheckpoint.mockResolvedValue(false);
    expect((await runAudit(deps(lost))).status).toBe('locked');
    expect(lost.expiringItems).not.toHaveBeenCalled();
    let calls = 0;
    const overtaken = fakeStore();
    overtaken.saveCheckpoint.mockImplementation(async () => calls++ === 0);
    expect((await runAudit(deps(overtaken))).status).toBe('superseded');
  });
});

describe("the tenant's stored policy against today's rules", () => {
  it('flags a policy stored before {{sessionName}} was withdrawn, read once for the tenants the window touched', async () => {
    const expiring = { pk: 'TENANT#acme', sk: '2026-03-10T11:00:00.000Z#i-1', expiryBucket: '2026-03-10T11', status: 'expired' };
    const store = fakeStore({ items: [expiring] });
    const binding = {
      version: 1,
      externalId: 'cv-x',
      roles: { main: { roleArn: 'arn:aws:iam::123456789012:role/credvend/a', maxSessionDuration: 3600 } },
      updatedAt: END,
    };
    store.listTenants.mockResolvedValue([{ ...tenant('acme'), binding }, tenant('idle')]);
    store.getPolicy.mockResolvedValue({
      tenantId: 'acme',
      version: 3,
      updatedAt: END,
      document: {
        defaultMode: 'assume-role',
        modes: { 'assume-role': { role: 'main', defaultDurationSeconds: 900, maxDurationSeconds: 3600 } },
        statements: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/{{sessionName}}/*' }],
      },
    });
    const result = await runAudit(deps(store));
    expect(store.getPolicy.mock.calls).toEqual([['acme']]);
    const acme = result.reports.find((r) => r.tenantId === 'acme');
    expect(acme?.policyProblems.map((p) => p.code)).toEqual(['unknown_placeholder']);
    expect(result.reports.map((r) => r.tenantId)).toEqual(['acme']);
  });
});

describe('looking for live credentials of disabled entities', () => {
  it('costs an enabled tenant with nothing live only its issued window and its counter', async () => {
    const store = fakeStore();
    store.listTenants.mockResolvedValue([tenant('acme')]);
    const result = await runAudit(deps(store));
    expect(store.issuedItems.mock.calls).toEqual([['acme', '2026-03-10T11:45:00.000Z', END]]);
    expect(store.saveLiveCounter.mock.calls).toEqual([['acme', { live: 0, auditedThrough: END }, '2026-03-10T11:45:00.000Z']]);
    expect(store.recountItems).not.toHaveBeenCalled();
    expect(store.listPartners).not.toHaveBeenCalled();
    expect(result.tenantsReported).toBe(0);
    expect(result.counters).toEqual({ advanced: 1, recounted: 0, alreadyApplied: 0, ahead: 0 });
  });

  it("reads a disabled tenant's active records of the last 36 hours only", async () => {
    const store = fakeStore();
    store.listTenants.mockResolvedValue([tenant('globex', 'disabled')]);
    store.activeIssuedSince.mockResolvedValue([
      { issuanceId: 'live', status: 'active', expiresAt: '2026-03-10T12:00:00.000Z', accessKeyId: 'ASIA1', principalArn: 'arn:1' },
      { issuanceId: 'gone', status: 'active', expiresAt: '2026-03-10T11:59:59.999Z' },
    ]);
    const result = await runAudit(deps(store));
    expect(store.activeIssuedSince).toHaveBeenCalledWith('globex', '2026-03-09T00:00:00.000Z');
    expect(result.reports[0]?.liveCredentialsOfDisabled.map((f) => [f.issuanceId, f.reason])).toEqual([['live', 'tenant_disabled']]);
  });

  it("checks recently revoked keys only, through their partner's recent records", async () => {
    const key = (keyId: string, revokedAt?: string): ApiKeyRecord => ({
      keyId,
      kind: 'partner',
      tenantId: 'acme',
      partnerId: 'p',
      secretHash: 'h',
      createdAt: '2026-01-01T00:00:00.000Z',
      status: revokedAt ? 'revoked' : 'active',
      ...(revokedAt ? { revokedAt } : {}),
    });
    const store = fakeStore();
    store.listTenants.mockResolvedValue([tenant('acme')]);
    store.readLiveCounter.mockResolvedValue({ live: 2, auditedThrough: '2026-03-10T11:45:00.000Z' });
    store.listPartners.mockResolvedValue([{ tenantId: 'acme', partnerId: 'p', name: 'p', status: 'enabled', createdAt: 'x' }]);
    store.listPartnerKeys.mockResolvedValue([key('k-live'), key('k-old', '2026-03-08T22:59:59.999Z')]);
    await runAudit(deps(store));
    expect(store.partnerIssuedSince).not.toHaveBeenCalled();

    store.listPartnerKeys.mockImplementation(async () => [key('k-live'), key('k-recent', '2026-03-08T23:00:00.000Z')]);
    store.partnerIssuedSince.mockImplementation(async () => [
      { issuanceId: 'x1', keyId: 'k-recent', status: 'active', expiresAt: '2026-03-10T13:00:00.000Z' },
      { issuanceId: 'x2', keyId: 'k-live', status: 'active', expiresAt: '2026-03-10T13:00:00.000Z' },
    ]);
    const result = await runAudit(deps(store));
    expect(store.partnerIssuedSince).toHaveBeenCalledWith('acme', 'p', '2026-03-09T00:00:00.000Z');
    expect(result.reports[0]?.liveCredentialsOfDisabled.map((f) => [f.issuanceId, f.reason])).toEqual([['x1', 'key_revoked']]);
  });
});

describe('revocations (#16)', () => {
  const revocation = (over: Partial<RevocationRecord>): RevocationRecord => ({
    revocationId: 'rv1',
    tenantId: 'acme',
    target: { kind: 'partner', partnerId: 'p', before: '2026-03-10T11:50:00.000Z' },
    idempotencyKey: 'k',
    state: 'effective',
    entries: [],
    createdAt: '2026-03-10T11:50:00.000Z',
    createdBy: 'ak-x',
    effectiveAt: '2026-03-10T11:50:03.000Z',
    targetsExpireAt: '2026-03-11T23:50:00.000Z',
    version: 2,
    ...over,
  });

  it('flags live credentials a revocation that is not effective should have ended; reports the lag of effective ones', async () => {
    const store = { ...fakeStore(), listRevocations: jest.fn(async (_t: string) => [] as RevocationRecord[]) };
    store.listTenants.mockResolvedValue([tenant('acme')]);
    store.readLiveCounter.mockResolvedValue({ live: 3, auditedThrough: '2026-03-10T11:45:00.000Z' });
    store.listRevocations.mockResolvedValue([
      revocation({}),
      revocation({
        revocationId: 'rv2',
        state: 'pending',
        effectiveAt: undefined,
        target: { kind: 'partner', partnerId: 'q', before: '2026-03-10T11:55:00.000Z' },
      }),
    ]);
    store.partnerIssuedSince.mockImplementation(async (_t, partnerId) =>
      partnerId === 'q'
        ? [
            {
              issuanceId: 'q-old',
              partnerId: 'q',
              status: 'active',
              issuedAt: '2026-03-10T11:00:00.000Z',
              expiresAt: '2026-03-10T13:00:00.000Z',
            },
            {
              issuanceId: 'q-new',
              partnerId: 'q',
              status: 'active',
              issuedAt: '2026-03-10T11:56:00.000Z',
              expiresAt: '2026-03-10T13:00:00.000Z',
            },
          ]
        : [],
    );
    const result = await runAudit(deps(store));
    // Only the pending revocation's partner is read; the effective one is enforced by IAM.
    expect(store.partnerIssuedSince.mock.calls.map((c) => c[1])).toEqual(['q']);
    expect(result.reports[0]?.liveCredentialsOfDisabled.map((f) => [f.issuanceId, f.reason])).toEqual([
      ['q-old', 'revocation_not_effective'],
    ]);
    expect(result.reports[0]?.revocationLag).toEqual({ effectiveInWindow: 1, maxLagSeconds: 3, pending: 1 });
  });

  it('costs nothing when the store does not list revocations or the tenant has none', async () => {
    const store = { ...fakeStore(), listRevocations: jest.fn(async (_t: string) => [] as RevocationRecord[]) };
    store.listTenants.mockResolvedValue([tenant('acme')]);
    const result = await runAudit(deps(store));
    expect(store.listRevocations).toHaveBeenCalledWith('acme');
    expect(result.reports).toEqual([]);
  });
});

describe('live counts over whole runs', () => {
  const T0 = Date.parse('2026-03-10T00:00:00.000Z');
  const HOUR = 3_600_000;
  const TENANTS = ['t-a', 't-b'];
  const iso = (ms: number) => new Date(ms).toISOString();

  function issuance(n: number, tenantId: string, issuedAtMs: number, lifetimeMs: number): IssuanceRecord {
    return {
      issuanceId: `i-${n}`,
      tenantId,
      partnerId: 'p-one',
      keyId: 'k-1',
      mode: 'federation',
      accessKeyId: `ASIA${n}`,
      principalArn: 'arn:aws:sts::1:federated-user/x',
      principalId: '1:x',
      policyVersion: 1,
      policySha256: 'a'.repeat(64),
      durationSeconds: Math.max(900, Math.round(lifetimeMs / 1000)),
      issuedAt: iso(issuedAtMs),
      expiresAt: iso(issuedAtMs + lifetimeMs),
      sourceIp: '192.0.2.1',
      userAgent: 't',
      requestId: `r-${n}`,
      status: 'active',
    };
  }
  /** The definition the counters must meet: issued before `end`, expiring at or after it. */
  const liveAt = (records: IssuanceRecord[], tenantId: string, end: string) =>
    records.filter((r) => r.tenantId === tenantId && r.issuedAt < end && r.expiresAt >= end).length;
  const within = (records: IssuanceRecord[], tenantId: string, field: 'issuedAt' | 'expiresAt', start: string, end: string) =>
    records.filter((r) => r.tenantId === tenantId && r[field] >= start && r[field] < end).length;

  const memoryDeps = (store: AuditStore, now: Date, owner: string): AuditDeps =>
    deps(store, {
      now: () => now,
      owner,
      config: { lookbackHours: 30, maxWindowHours: 5, settleSeconds: 60, progressEvery: 1000, concurrency: 3, reportListLimit: 100 },
    });

  const KILL_POINTS = [
    'markExpired',
    'issuedItems',
    'recountItems',
    'readLiveCounter',
    'saveLiveCounter',
    'putReport',
    'saveCheckpoint',
  ] as const;

  it('are exact after every window, however often runs are killed and retried', async () => {
    // Tenant t-x issues but is not in the directory: its counter moves only in windows it expires in.
    const recordSpec = fc.record({
      tenant: fc.constantFrom('t-a', 't-b', 't-x'),
      issued: fc.integer({ min: -40 * HOUR, max: 20 * HOUR }),
      lifetime: fc.oneof(fc.integer({ min: 900_000, max: 36 * HOUR }), fc.constantFrom(900_000, HOUR, 36 * HOUR)),
    });
    const runSpec = fc.record({
      at: fc.integer({ min: 1, max: 20 * HOUR }),
      kill: fc.option(fc.record({ method: fc.constantFrom(...KILL_POINTS), after: fc.integer({ min: 0, max: 6 }) }), { nil: undefined }),
    });
    // What the runs below went through, so the property cannot pass without exercising anything.
    const seen = { properties: 0, withAWindow: 0, killed: 0, reportsChecked: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(recordSpec, { maxLength: 50 }), fc.array(runSpec, { minLength: 1, maxLength: 5 }), async (specs, runs) => {
        seen.properties++;
        const records = specs.map((s, n) => issuance(n, s.tenant, T0 + s.issued, s.lifetime));
        const store = new MemoryAuditStore(
          records,
          TENANTS.map((t) => tenant(t)),
        );
        const windows: { start: string; end: string }[] = [];
        for (const [k, spec] of [...runs].sort((a, b) => a.at - b.at).entries()) {
          const now = new Date(T0 + spec.at);
          for (let attempt = 0; attempt < 20; attempt++) {
            const killed = spec.kill && attempt === 0 ? failingAt<AuditStore>(store, spec.kill.method, spec.kill.after) : store;
            const result = await runAudit(memoryDeps(killed, now, `run-${k}`)).catch((err: Error) => {
              expect(err.message).toMatch(/^killed in /);
              seen.killed++;
              return undefined;
            });
            if (result?.status === 'completed') {
              const { start, end } = result.window!;
              windows.push({ start, end });
              expect(result.expiringInWindow).toBe(
                TENANTS.concat('t-x').reduce((n, t) => n + within(records, t, 'expiresAt', start, end), 0),
              );
              // A tenant the directory does not know is read only when something of it expires.
              const read = TENANTS.concat(within(records, 't-x', 'expiresAt', start, end) > 0 ? ['t-x'] : []);
              expect(result.issuedInWindow).toBe(read.reduce((n, t) => n + within(records, t, 'issuedAt', start, end), 0));
              expect(result.issuedAndExpiringInWindow).toBe(
                records.filter(
                  (r) => read.includes(r.tenantId) && r.issuedAt >= start && r.issuedAt < end && r.expiresAt >= start && r.expiresAt < end,
                ).length,
              );
              for (const t of TENANTS)
                expect({ t, ...store.counters.get(t) }).toEqual({ t, live: liveAt(records, t, end), auditedThrough: end });
            }
            if (result && (result.status === 'idle' || result.caughtUp)) break;
          }
        }
        if (windows.length > 0) seen.withAWindow++;
        // Every stored report, including those of runs killed and retried, says what the records say.
        for (const report of store.reports.values()) {
          const { tenantId: t, windowStart: start, windowEnd: end } = report;
          seen.reportsChecked++;
          expect(windows).toContainEqual({ start, end });
          expect({ t, end, live: report.liveCredentials, expired: report.expiredInWindow, issued: report.issuedInWindow }).toEqual({
            t,
            end,
            live: liveAt(records, t, end),
            expired: within(records, t, 'expiresAt', start, end),
            issued: t === 't-x' && within(records, t, 'expiresAt', start, end) === 0 ? 0 : within(records, t, 'issuedAt', start, end),
          });
        }
        // Records of both layouts (the store writes every other one as before sharding) are still
        // sound after the runs marked them: a status key in the other layout would show here.
        expect(store.items.filter((item) => issuanceProblems(item).length > 0)).toEqual([]);
        // And a tenant with anything to say about a window has its report.
        for (const { start, end } of windows) {
          for (const t of TENANTS) {
            const busy =
              liveAt(records, t, end) + within(records, t, 'expiresAt', start, end) + within(records, t, 'issuedAt', start, end) > 0;
            expect({ t, end, reported: [...store.reports.values()].some((r) => r.tenantId === t && r.windowEnd === end) }).toEqual({
              t,
              end,
              reported: busy,
            });
          }
        }
      }),
      { numRuns: 150, ...bounded() },
    );
    // Every scenario ran and completed at least one window (a run is killed on its first attempt
    // only), runs were killed for real, and the report checks had reports to check.
    expect(seen.properties).toBe(150);
    expect(seen.withAWindow).toBe(150);
    expect(seen.killed).toBeGreaterThan(20);
    expect(seen.reportsChecked).toBeGreaterThan(300);
  });

  it('a run over a window already in the counters changes nothing and reads nothing more', async () => {
    const records = [
      issuance(1, 't-a', T0 - 2 * HOUR, 3 * HOUR),
      issuance(2, 't-a', T0 + HOUR, 30 * 60_000),
      issuance(3, 't-a', T0 + 90 * 60_000, 10 * HOUR),
    ];
    const store = new MemoryAuditStore(records, [tenant('t-a')]);
    store.checkpoint = { version: 1, through: iso(T0) };
    const first = await runAudit(memoryDeps(store, new Date(T0 + 2 * HOUR + 60_000), 'one'));
    expect(first).toMatchObject({ status: 'completed', expiringInWindow: 2, issuedInWindow: 2, windowItems: 4, liveCredentials: 1 });
    expect(first.counters).toEqual({ advanced: 0, recounted: 1, alreadyApplied: 0, ahead: 0 });
    expect(first.reads).toMatchObject({ windowItems: 4, recountItems: 1 }); // record 1, issued before the window
    const counters = structuredClone([...store.counters]);

    store.checkpoint = { version: 5, through: iso(T0) }; // put back by hand: the same window again
    const again = await runAudit(memoryDeps(store, new Date(T0 + 2 * HOUR + 60_000), 'two'));
    expect(again).toMatchObject({ status: 'completed', liveCredentials: 1, reportsWritten: 0, reportsExisting: 1 });
    expect(again.counters).toEqual({ advanced: 0, recounted: 0, alreadyApplied: 1, ahead: 0 });
    expect(again.reads.recountItems).toBe(1); // nothing recounted this time
    expect([...store.counters]).toEqual(counters);
  });

  it('an overtaken run recounts for its report and leaves a counter that holds a later window', async () => {
    const records = [issuance(1, 't-a', T0 + HOUR, 10 * HOUR), issuance(2, 't-a', T0 + 3 * HOUR, 10 * HOUR)];
    const store = new MemoryAuditStore(records, [tenant('t-a')]);
    store.counters.set('t-a', { live: 2, auditedThrough: iso(T0 + 4 * HOUR) });
    store.checkpoint = { version: 1, through: iso(T0) };
    const result = await runAudit(memoryDeps(store, new Date(T0 + 2 * HOUR + 60_000), 'late'));
    expect(result).toMatchObject({ status: 'completed', liveCredentials: 1, counters: { ahead: 1 } });
    expect(store.counters.get('t-a')).toEqual({ live: 2, auditedThrough: iso(T0 + 4 * HOUR) });
  });
});
