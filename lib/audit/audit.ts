// The scheduled expiry audit. One run:
//  1. claims the next window [checkpoint, now - settle) on the checkpoint item (a conditional write
//     with a lease), or resumes the window of a run whose lease ran out (it crashed);
//  2. reads the issuance records expiring in the window through the byExpiry index (hour buckets,
//     each in its write shards, expirySk BETWEEN), checks each, and marks active ones expired
//     (conditional, so never twice);
//  3. per tenant, reads the records issued in the window (the table's key, sk BETWEEN) and moves the
//     tenant's live counter over the window, once per window (lib/audit/live-counts.ts);
//  4. looks for live credentials of disabled tenants, disabled partners and revoked keys, and
//     stores one report per tenant (first write wins);
//  5. advances the checkpoint, conditioned on the claim still being this run's.
// Everything a run writes is keyed by or conditioned on the window, so a rerun or a retry after a
// crash counts nothing twice, and of two overlapping runs only one can move the checkpoint.
// The budget: each record expiring or issued in the window is read once (reads.windowItems).
import type { EntityStatus, TenantBinding, TenantPolicy } from '../core/model';
import type { PolicyProblem } from '../core/problems';
import { bindingProblems } from '../policy/binding';
import { validatePolicyDocument } from '../policy/validate';
import { durationExcess, issuanceProblems, type StoredItem, statusKeyOfItem, tenantOfItem } from './checks';
import { mapLimit } from './concurrency';
import type { AuditConfig } from './config';
import { counterStep, emptyIssuedTally, type IssuedTally, liveAtEndOf, recountFrom, removes, tallyIssued } from './live-counts';
import type { AuditReads, AuditStore, PendingRun } from './ports';
import {
  buildReport,
  invalidFlagOf,
  isReportable,
  type LiveCredentialFlag,
  liveFlagOf,
  overMaxFlagOf,
  type RevocationLag,
  type TenantAuditReport,
  type TenantFindings,
} from './report';
import { type AuditWindow, auditableUntil, hourBuckets, MAX_STS_DURATION_SECONDS, nextWindow, secondsBefore } from './window';

export interface AuditProgress {
  expiringInWindow: number;
  issuedInWindow: number;
  /** Records both issued and expiring in the window (in both counts above, read by both queries). */
  issuedAndExpiringInWindow: number;
  expiredNow: number;
  /** byExpiry partitions read (step 2). */
  buckets: { done: number; total: number };
  /** Tenants whose issued records were read and counter moved (step 3). */
  tenants: { done: number; total: number };
}

export interface AuditDeps {
  store: AuditStore;
  now: () => Date;
  /** Identifies this run on the lease; a retry of the same invocation may reuse it. */
  owner: string;
  /** How long the claim on a window holds before another run may take the window over. */
  leaseMs: number;
  /** Issuance records lacking a TTL get one: expiry + this many days. */
  retentionDays: number;
  config: Pick<AuditConfig, 'lookbackHours' | 'maxWindowHours' | 'settleSeconds' | 'progressEvery' | 'concurrency' | 'reportListLimit'>;
  onProgress?: (progress: AuditProgress) => void;
}

export type AuditRunStatus = 'completed' | 'idle' | 'locked' | 'superseded';

/** What happened to the tenants' live counters (lib/audit/live-counts.ts). */
export interface CounterMoves {
  /** Moved from the window's start to its end. */
  advanced: number;
  /** Missing or out of step: recounted and written. */
  recounted: number;
  /** Held the window already (a retry or an overlapping run wrote it): left alone. */
  alreadyApplied: number;
  /** Held a later window already (this run was overtaken): recounted for the report, left alone. */
  ahead: number;
}

export interface AuditRunResult {
  /**
   * completed: the window was audited and the checkpoint advanced. idle: nothing new to audit.
   * locked: another run holds the window. superseded: this run's lease ran out and another run took
   * the window over (this run's work stands, being idempotent; the other run moves the checkpoint).
   */
  status: AuditRunStatus;
  window?: AuditWindow;
  /**
   * What is audited through once this run is done: its window's end, or (idle, locked) the
   * checkpoint as read; undefined only before the first run. Its age is the audit's lag.
   */
  checkpoint?: string;
  /** This run took over the window of an earlier run that did not finish. */
  resumed: boolean;
  /** The window reached the latest time it may (the run's start less the settle time); false means more is waiting. */
  caughtUp: boolean;
  /** The items in the window: expiringInWindow + issuedInWindow. */
  windowItems: number;
  expiringInWindow: number;
  issuedInWindow: number;
  /**
   * Records in both counts: issued and expiring in the window. Each of the two queries reads them,
   * so counted once per record, the window holds windowItems - issuedAndExpiringInWindow records.
   */
  issuedAndExpiringInWindow: number;
  /** Records this run marked expired (a retry marks only what the failed run had not). */
  expiredNow: number;
  counters: CounterMoves;
  tenantsReported: number;
  reportsWritten: number;
  /** Reports of this window that already existed (a rerun); left as they were. */
  reportsExisting: number;
  liveCredentials: number;
  flags: { liveCredentialsOfDisabled: number; overMaxDuration: number; invalidRecords: number };
  reads: AuditReads;
  reports: TenantAuditReport[];
}

interface TenantScan {
  expiredInWindow: number;
  /** Expiring records issued before the window's end: what the window takes off the live count. */
  removes: number;
  overMax: TenantFindings['overMaxDuration'];
  invalid: TenantFindings['invalidRecords'];
}

const emptyScan = (): TenantScan => ({ expiredInWindow: 0, removes: 0, overMax: [], invalid: [] });

/** How often a run re-reads a counter another run wrote meanwhile before it gives up (and fails). */
const COUNTER_ATTEMPTS = 4;

type Claim =
  | { kind: 'idle' | 'locked'; through?: string }
  | { kind: 'run'; window: AuditWindow; version: number; resumed: boolean; now: Date };

async function claimWindow(deps: AuditDeps): Promise<Claim> {
  const now = deps.now();
  const state = await deps.store.readCheckpoint();
  let window: AuditWindow | undefined;
  let resumed = false;
  if (state.pending) {
    const { pending } = state;
    // A live lease of another run: leave the window to it. Our own (a retried invocation) or an
    // expired one (a crashed run): resume exactly its window, so its reports come out the same.
    if (pending.owner !== deps.owner && Date.parse(pending.leaseUntil) > now.getTime()) return { kind: 'locked', through: state.through };
    window = { start: pending.windowStart, end: pending.windowEnd, runId: pending.runId };
    resumed = true;
  } else {
    window = nextWindow(state.through, now, deps.config);
    if (!window) return { kind: 'idle', through: state.through };
  }
  const pending: PendingRun = {
    windowStart: window.start,
    windowEnd: window.end,
    runId: window.runId,
    owner: deps.owner,
    leaseUntil: new Date(now.getTime() + deps.leaseMs).toISOString(),
  };
  const claimed = await deps.store.saveCheckpoint({ through: state.through, pending }, state.version);
  if (!claimed) return { kind: 'locked', through: state.through };
  return { kind: 'run', window, version: state.version + 1, resumed, now };
}

/** Calls onProgress each time another `progressEvery` window items have been read. */
function progressReporter(deps: AuditDeps, progress: AuditProgress): () => void {
  let reported = 0;
  return () => {
    const steps = Math.floor((progress.expiringInWindow + progress.issuedInWindow) / deps.config.progressEvery);
    if (!deps.onProgress || steps <= reported) return;
    reported = steps;
    deps.onProgress(structuredClone(progress));
  };
}

/** Step 2: read, check and expire everything expiring in the window; returns what each tenant had. */
/** Each tenant's policy, read at most once per run, and only for tenants the window touches. */
function policyCache(store: AuditStore) {
  const policies = new Map<string, Promise<TenantPolicy | undefined>>();
  return {
    policyOf(tenantId: string) {
      let policy = policies.get(tenantId);
      if (!policy) {
        policy = store.getPolicy(tenantId);
        policies.set(tenantId, policy);
      }
      return policy;
    },
    /** The policy if this run read it already (no read of its own). */
    read: (tenantId: string) => policies.get(tenantId) ?? Promise.resolve(undefined),
  };
}

/**
 * What today's rules and the tenant's binding say of its stored policy: a policy written before a
 * rule (a withdrawn placeholder, a role the binding lacks) is refused at issuance and flagged here.
 */
function policyProblemsOf(policy: TenantPolicy | undefined, binding: TenantBinding | undefined, tenantId: string): PolicyProblem[] {
  if (!policy) return [];
  const validation = validatePolicyDocument(policy.document);
  if (!validation.ok) return validation.problems;
  return bindingProblems(validation.document, binding, tenantId);
}

async function scanWindow(
  deps: AuditDeps,
  window: AuditWindow,
  progress: AuditProgress,
  tick: () => void,
  policyOf: (tenantId: string) => Promise<TenantPolicy | undefined>,
): Promise<Map<string, TenantScan>> {
  const { store, config } = deps;
  const scans = new Map<string, TenantScan>();
  const buckets = hourBuckets(window.start, window.end);
  progress.buckets.total = buckets.length;

  for (const bucket of buckets) {
    for await (const page of store.expiringItems(bucket, window.start, window.end)) {
      await mapLimit(page, config.concurrency, async (item) => {
        const tenantId = tenantOfItem(item);
        let scan = scans.get(tenantId);
        if (!scan) {
          scan = emptyScan();
          scans.set(tenantId, scan);
        }
        scan.expiredInWindow++;
        if (removes(item, window)) scan.removes++;

        const problems = issuanceProblems(item);
        if (problems.length > 0) scan.invalid.push(invalidFlagOf(item, problems));
        const excess = durationExcess(item, await policyOf(tenantId));
        if (excess) scan.overMax.push(overMaxFlagOf(item, excess));

        if (item.status === 'active') {
          const expiresAt = Date.parse(String(item.expiresAt));
          const expirySeconds = Number.isNaN(expiresAt) ? Date.parse(window.end) / 1000 : expiresAt / 1000;
          const ttl = Math.floor(expirySeconds) + deps.retentionDays * 86_400;
          const key = { pk: String(item.pk), sk: String(item.sk) };
          if (await store.markExpired(key, statusKeyOfItem(item, 'expired'), ttl)) progress.expiredNow++;
        }
      });
      progress.expiringInWindow += page.length;
      tick();
    }
    progress.buckets.done++;
  }
  return scans;
}

type CounterMove = keyof CounterMoves;

/**
 * Step 3 for one tenant: moves its live counter over the window, or finds the window already in it.
 * Returns the tenant's live credentials at the window's end either way.
 */
async function settleCounter(
  store: AuditStore,
  tenantId: string,
  window: AuditWindow,
  issued: IssuedTally,
  scan: TenantScan,
): Promise<{ live: number; move: CounterMove }> {
  let lookedBack: Promise<number> | undefined;
  const recount = async () => {
    // Records issued in the look back before the window (none when the window is longer than it).
    const from = recountFrom(window.end);
    lookedBack ??= (async () => {
      let live = 0;
      if (from < window.start)
        for await (const page of store.recountItems(tenantId, from, window.start)) live += liveAtEndOf(page, window.end);
      return live;
    })();
    return issued.liveAtEnd + (await lookedBack);
  };

  for (let attempt = 1; ; attempt++) {
    const counter = await store.readLiveCounter(tenantId);
    const step = counterStep(counter, window, issued.adds - scan.removes);
    if (step.kind === 'applied') return { live: step.live, move: 'alreadyApplied' };
    const live = step.kind === 'advance' ? step.live : await recount();
    if (step.kind === 'recount' && !step.write) return { live, move: 'ahead' };
    if (await store.saveLiveCounter(tenantId, { live, auditedThrough: window.end }, counter?.auditedThrough)) {
      return { live, move: step.kind === 'advance' ? 'advanced' : 'recounted' };
    }
    // Another run wrote the counter since it was read: read it again and decide afresh.
    if (attempt === COUNTER_ATTEMPTS) throw new Error(`The live counter of tenant ${tenantId} kept changing during the audit`);
  }
}

/**
 * Live credentials of a disabled/missing tenant, of its disabled partners, and of revoked keys.
 * The disabled entities come from the directory, not from the window's records: a partner disabled
 * while its credentials live may have nothing expiring in this window, and by the time it has, those
 * credentials are no longer live. Only their recent records are read (bounded by the STS maximum).
 */
async function liveOfDisabled(
  deps: AuditDeps,
  tenantId: string,
  tenantStatus: EntityStatus | 'missing',
  liveCredentials: number,
  window: AuditWindow,
): Promise<LiveCredentialFlag[]> {
  const { store } = deps;
  // Nothing issued before this can still be live; the queries read only the last 36 hours.
  const since = secondsBefore(window.end, MAX_STS_DURATION_SECONDS);
  const isLive = (item: StoredItem) => item.status === 'active' && typeof item.expiresAt === 'string' && item.expiresAt >= window.end;

  if (tenantStatus !== 'enabled') {
    const reason = tenantStatus === 'missing' ? 'tenant_missing' : 'tenant_disabled';
    return (await store.activeIssuedSince(tenantId, since)).filter(isLive).map((item) => liveFlagOf(item, reason));
  }
  // The counter says nothing is live: no partner or key needs looking at (keeps idle tenants cheap).
  if (liveCredentials === 0) return [];
  // A key revoked before this cannot have a live credential: issuance stops within the cache TTL of
  // the revocation (seconds), and a credential lives at most 36 hours. An hour's margin for both.
  const revokedCutoff = secondsBefore(since, 3600);
  const partners = await store.listPartners(tenantId);
  const perPartner = await mapLimit(partners, 4, async (partner) => {
    if (partner.status !== 'enabled') {
      const items = await store.partnerIssuedSince(tenantId, partner.partnerId, since);
      return items.filter(isLive).map((item) => liveFlagOf(item, 'partner_disabled'));
    }
    const revoked = new Set(
      (await store.listPartnerKeys(tenantId, partner.partnerId))
        .filter((key) => key.status === 'revoked' && !(key.revokedAt !== undefined && key.revokedAt < revokedCutoff))
        .map((key) => key.keyId),
    );
    if (revoked.size === 0) return [];
    const items = await store.partnerIssuedSince(tenantId, partner.partnerId, since);
    return items.filter((item) => isLive(item) && revoked.has(item.keyId as string)).map((item) => liveFlagOf(item, 'key_revoked'));
  });
  return perPartner.flat();
}

/**
 * Revocations that are not effective (pending, partial, recorded only) while credentials they target
 * live: each such credential is flagged `revocation_not_effective`, an operator's to act on. And the
 * lag of revocations that became effective in the window.
 */
async function revocationFindings(
  deps: AuditDeps,
  tenantId: string,
  liveCredentials: number,
  window: AuditWindow,
): Promise<{ flags: LiveCredentialFlag[]; lag?: RevocationLag }> {
  const { store } = deps;
  if (!store.listRevocations) return { flags: [] };
  const revocations = await store.listRevocations(tenantId);
  if (revocations.length === 0) return { flags: [] };
  const effective = revocations.filter((r) => r.effectiveAt !== undefined && r.effectiveAt >= window.start && r.effectiveAt < window.end);
  const pending = revocations.filter((r) => r.state === 'pending').length;
  const lag =
    effective.length + pending > 0
      ? {
          effectiveInWindow: effective.length,
          maxLagSeconds: Math.max(
            0,
            ...effective.map((r) => Math.round((Date.parse(r.effectiveAt ?? r.createdAt) - Date.parse(r.createdAt)) / 1000)),
          ),
          pending,
        }
      : undefined;
  const unenforced = revocations.filter((r) => r.state !== 'effective' && r.targetsExpireAt >= window.end);
  if (unenforced.length === 0 || liveCredentials === 0) return { flags: [], lag };
  const since = secondsBefore(window.end, MAX_STS_DURATION_SECONDS);
  const isLive = (item: StoredItem) => item.status === 'active' && typeof item.expiresAt === 'string' && item.expiresAt >= window.end;
  const partners = [...new Set(unenforced.map((r) => r.target.partnerId))];
  const perPartner = await mapLimit(partners, 4, async (partnerId) => {
    const items = (await store.partnerIssuedSince(tenantId, partnerId, since)).filter(isLive);
    return items.filter((item) =>
      unenforced.some((r) =>
        r.target.kind === 'issuance'
          ? r.target.issuanceId === item.issuanceId
          : r.target.partnerId === item.partnerId && typeof item.issuedAt === 'string' && item.issuedAt < r.target.before,
      ),
    );
  });
  return { flags: perPartner.flat().map((item) => liveFlagOf(item, 'revocation_not_effective')), lag };
}

const noCounterMoves = (): CounterMoves => ({ advanced: 0, recounted: 0, alreadyApplied: 0, ahead: 0 });

function emptyResult(status: AuditRunStatus, checkpoint: string | undefined, reads: AuditReads): AuditRunResult {
  return {
    status,
    checkpoint,
    resumed: false,
    caughtUp: status === 'idle',
    windowItems: 0,
    expiringInWindow: 0,
    issuedInWindow: 0,
    issuedAndExpiringInWindow: 0,
    expiredNow: 0,
    counters: noCounterMoves(),
    tenantsReported: 0,
    reportsWritten: 0,
    reportsExisting: 0,
    liveCredentials: 0,
    flags: { liveCredentialsOfDisabled: 0, overMaxDuration: 0, invalidRecords: 0 },
    reads,
    reports: [],
  };
}

export async function runAudit(deps: AuditDeps): Promise<AuditRunResult> {
  const { store, config } = deps;
  const claim = await claimWindow(deps);
  if (claim.kind !== 'run') return emptyResult(claim.kind, claim.through, store.reads());
  const { window } = claim;

  const progress: AuditProgress = {
    expiringInWindow: 0,
    issuedInWindow: 0,
    issuedAndExpiringInWindow: 0,
    expiredNow: 0,
    buckets: { done: 0, total: 0 },
    tenants: { done: 0, total: 0 },
  };
  const tick = progressReporter(deps, progress);
  const policies = policyCache(store);
  const scans = await scanWindow(deps, window, progress, tick, policies.policyOf);

  // Steps 3 and 4, per tenant: every known tenant (live credentials or flags may exist without
  // anything expiring now), plus any tenant the window named that the directory does not know.
  const tenants = await store.listTenants();
  const statuses = new Map<string, EntityStatus | 'missing'>(tenants.map((t) => [t.tenantId, t.status]));
  const bindings = new Map(tenants.map((t) => [t.tenantId, t.binding]));
  const tenantIds = [...new Set([...statuses.keys(), ...scans.keys()])].sort();
  progress.tenants.total = tenantIds.length;
  const moves = noCounterMoves();

  const findings = await mapLimit(tenantIds, config.concurrency, async (tenantId): Promise<TenantFindings> => {
    const tenantStatus = statuses.get(tenantId) ?? 'missing';
    const scan = scans.get(tenantId) ?? emptyScan();
    const issued = emptyIssuedTally();
    for await (const page of store.issuedItems(tenantId, window.start, window.end)) {
      tallyIssued(issued, page, window);
      progress.issuedInWindow += page.length;
      tick();
    }
    progress.issuedAndExpiringInWindow += issued.alsoExpiring;
    const { live, move } = await settleCounter(store, tenantId, window, issued, scan);
    moves[move]++;
    const revoked = await revocationFindings(deps, tenantId, live, window);
    progress.tenants.done++;
    return {
      tenantId,
      tenantStatus,
      expiredInWindow: scan.expiredInWindow,
      issuedInWindow: issued.issued,
      liveCredentials: live,
      liveCredentialsOfDisabled: [...(await liveOfDisabled(deps, tenantId, tenantStatus, live, window)), ...revoked.flags],
      overMaxDuration: scan.overMax,
      invalidRecords: scan.invalid,
      policyProblems: policyProblemsOf(await policies.read(tenantId), bindings.get(tenantId), tenantId),
      ...(revoked.lag ? { revocationLag: revoked.lag } : {}),
    };
  });
  const run = { runId: window.runId, windowStart: window.start, windowEnd: window.end, createdAt: deps.now().toISOString() };
  const reports = findings.filter(isReportable).map((f) => buildReport(f, run, config.reportListLimit));
  const written = await mapLimit(reports, config.concurrency, (report) => store.putReport(report));

  // Step 5: only the run holding the claim moves the checkpoint.
  const committed = await store.saveCheckpoint({ through: window.end }, claim.version);

  const sum = (pick: (f: TenantFindings) => number) => findings.reduce((total, f) => total + pick(f), 0);
  return {
    status: committed ? 'completed' : 'superseded',
    window,
    checkpoint: window.end,
    resumed: claim.resumed,
    caughtUp: window.end === auditableUntil(claim.now, config.settleSeconds),
    windowItems: progress.expiringInWindow + progress.issuedInWindow,
    expiringInWindow: progress.expiringInWindow,
    issuedInWindow: progress.issuedInWindow,
    issuedAndExpiringInWindow: progress.issuedAndExpiringInWindow,
    expiredNow: progress.expiredNow,
    counters: moves,
    tenantsReported: reports.length,
    reportsWritten: written.filter(Boolean).length,
    reportsExisting: written.filter((w) => !w).length,
    liveCredentials: sum((f) => f.liveCredentials),
    flags: {
      liveCredentialsOfDisabled: sum((f) => f.liveCredentialsOfDisabled.length),
      overMaxDuration: sum((f) => f.overMaxDuration.length),
      invalidRecords: sum((f) => f.invalidRecords.length),
    },
    reads: store.reads(),
    reports,
  };
}
