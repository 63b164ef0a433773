// Revoking credentials already issued (issue 16): a tenant admin (or an operator) revokes a partner's
// sessions issued before a time, or one issuance. The revocation is recorded first, then its Deny is
// written to every place it applies: each role bound to the tenant, and the federation user. What
// credvend may not modify (a role in another account, or outside the bound-role pattern) is said in the
// record as not-modifiable: the revocation is then `partial` or `recorded-only`, never `effective`. A
// failed IAM write leaves the entry pending, retried by the next call with the same idempotency key
// and by the scheduled sweep (a request writes only its own revocation); one still pending when every
// credential it targets has expired becomes `expired` (terminal, never effective).
//
// Every role, principal id and identity in a Deny comes from the caller's own tenant: its binding, its
// partner (which must exist), its issuance ledger. Another tenant's partner or issuance answers 404.
import { createHash } from 'node:crypto';
import { BadRequestError, ConflictError, NotFoundError } from '../core/errors';
import {
  type BoundRole,
  ID_PATTERN,
  type IssuanceRecord,
  type RevocationEntity,
  type RevocationRecord,
  type RevocationState,
  type RevocationTargetEntry,
  type Tenant,
} from '../core/model';
import type { Caller } from '../identity/authenticate';
import { patternCovers } from '../policy/match';
import { authorizeTenant } from './access';
import type { AdminDeps, PageRequest, RevocationDeps } from './ports';
import {
  assertTenantScoped,
  issuanceStatement,
  MAX_CREDENTIAL_LIFE_MS,
  partnerFederationStatement,
  partnerRoleStatement,
  RevocationWriteError,
} from './revocation-policy';

const ISSUANCE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{1,64}$/;
const APPLY_ATTEMPTS = 5;

export type RevocationInput =
  | { partnerId: string; before?: string; issuanceId?: undefined }
  | { issuanceId: string; partnerId?: undefined };

function revocationDeps(deps: AdminDeps): RevocationDeps {
  // The route exists only where the function is wired for it; elsewhere it is as unknown as any route.
  if (!deps.revocations) throw new NotFoundError('route_not_found', 'Revocations are not available here');
  return deps.revocations;
}

const invalid = (path: string, message: string) =>
  new BadRequestError('invalid_request', 'The request is invalid', { details: [{ path, message }] });

const accountOf = (arn: string): string => arn.split(':')[4] ?? '';
const nameOf = (arn: string): string => arn.slice(arn.lastIndexOf('/') + 1);

/** Roles credvend may write a policy on: in its own account, within the operator's bound-role pattern. */
function roleModifiable(deps: AdminDeps, roleArn: string, ownAccount: string): boolean {
  return accountOf(roleArn) === ownAccount && patternCovers(deps.trust.rolePattern, roleArn);
}

function entryFor(
  entity: RevocationEntity,
  statement: RevocationTargetEntry['statement'],
  modifiable: boolean,
  reason?: RevocationTargetEntry['reason'],
) {
  const entry: RevocationTargetEntry = { entity, statement, state: modifiable ? 'pending' : 'not-modifiable' };
  if (!modifiable) entry.reason = reason ?? 'outside_credvend_account';
  return entry;
}

export function stateOf(entries: readonly RevocationTargetEntry[]): RevocationState {
  if (entries.some((e) => e.state === 'pending')) return 'pending';
  const written = entries.filter((e) => e.state === 'written').length;
  if (written === 0) return 'recorded-only';
  return written === entries.length ? 'effective' : 'partial';
}

/** A derived key when the client gives none: the same issuance, or the same partner and cutoff, is one revocation. */
function derivedKey(tenantId: string, target: RevocationRecord['target']): string {
  const basis = target.kind === 'issuance' ? `issuance/${target.issuanceId}` : `partner/${target.partnerId}/${target.before}`;
  return `d-${createHash('sha256').update(`${tenantId}/${basis}`).digest('hex').slice(0, 40)}`;
}

async function partnerEntries(
  deps: AdminDeps,
  rd: RevocationDeps,
  tenant: Tenant,
  partnerId: string,
  before: Date,
  sid: string,
  ownAccount: string,
): Promise<RevocationTargetEntry[]> {
  const binding = tenant.binding;
  const entries: RevocationTargetEntry[] = [];
  for (const role of uniqueRoles(Object.values(binding?.roles ?? {}))) {
    const statement = partnerRoleStatement(sid, tenant.tenantId, partnerId, before);
    entries.push(entryFor({ kind: 'role', roleArn: role.roleArn }, statement, roleModifiable(deps, role.roleArn, ownAccount)));
  }
  if (binding?.federation) {
    const statement = partnerFederationStatement(sid, tenant.tenantId, partnerId, before);
    const user = rd.federationUser;
    entries.push(entryFor({ kind: 'user', userName: user ?? 'federation' }, statement, user !== undefined, 'federation_not_deployed'));
  }
  return entries;
}

function uniqueRoles(roles: BoundRole[]): BoundRole[] {
  return [...new Map(roles.map((r) => [r.roleArn, r])).values()];
}

function issuanceEntries(
  deps: AdminDeps,
  rd: RevocationDeps,
  tenant: Tenant,
  issuance: IssuanceRecord,
  sid: string,
  ownAccount: string,
): RevocationTargetEntry[] {
  const statement = issuanceStatement(sid, issuance);
  if (issuance.mode === 'federation') {
    const user = rd.federationUser;
    return [entryFor({ kind: 'user', userName: user ?? 'federation' }, statement, user !== undefined, 'federation_not_deployed')];
  }
  // arn:aws:sts::<account>:assumed-role/<role name>/<session>: the role must still be bound to this tenant.
  const [, , , , account = '', resource = ''] = issuance.principalArn.split(':');
  const roleName = resource.split('/')[1] ?? '';
  const bound = uniqueRoles(Object.values(tenant.binding?.roles ?? {})).find(
    (r) => accountOf(r.roleArn) === account && nameOf(r.roleArn) === roleName,
  );
  if (!bound) return [entryFor({ kind: 'role', roleArn: `arn:aws:iam::${account}:role/${roleName}` }, statement, false, 'role_not_bound')];
  return [entryFor({ kind: 'role', roleArn: bound.roleArn }, statement, roleModifiable(deps, bound.roleArn, ownAccount))];
}

/** At most this many IAM writes of one revocation at once (a tenant bound to many roles must not burst IAM). */
export const IAM_PARALLEL = 2;

/** Maps `items` through `fn`, at most `limit` at once, answers in order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * A pending revocation whose every target credential has expired (targetsExpireAt passed) has nothing left
 * to refuse: its pending entries say targets_expired and the revocation is `expired`, terminal (never
 * retried, never reported effective). Entries already written stay written (pruned with their statements).
 */
function expireIfDue(record: RevocationRecord, now: Date): RevocationRecord | undefined {
  if (record.state !== 'pending' || Date.parse(record.targetsExpireAt) > now.getTime()) return undefined;
  const entries = record.entries.map((e): RevocationTargetEntry => (e.state === 'pending' ? { ...e, reason: 'targets_expired' } : e));
  return { ...record, entries, state: 'expired', version: record.version + 1 };
}

/**
 * Writes every pending entry (IAM_PARALLEL at a time), then records the outcome under the record's version
 * (retried on a lost race). `sharedRoles`: the role ARNs bound to more than one tenant, where each tenant
 * writes within its share (revocation-writer).
 */
export async function applyRevocation(
  rd: RevocationDeps,
  record: RevocationRecord,
  now: () => Date,
  sharedRoles: ReadonlySet<string> = new Set(),
): Promise<RevocationRecord> {
  let current = record;
  for (let attempt = 0; attempt < APPLY_ATTEMPTS; attempt++) {
    const expired = expireIfDue(current, now());
    let next: RevocationRecord;
    if (expired) next = expired;
    else {
      const entries = await mapLimited(current.entries, IAM_PARALLEL, async (entry): Promise<RevocationTargetEntry> => {
        if (entry.state !== 'pending') return entry;
        try {
          const shared = entry.entity.kind === 'role' && sharedRoles.has(entry.entity.roleArn);
          // A one-issuance statement is needed only until that issuance expires (its own expiresAt).
          const expiresAt = current.target.kind === 'issuance' ? current.targetsExpireAt : undefined;
          await rd.writer.add(entry.entity, [entry.statement], current.tenantId, { shared, ...(expiresAt ? { expiresAt } : {}) });
          const { reason: _, ...written } = entry;
          return { ...written, state: 'written' };
        } catch (err) {
          if (err instanceof RevocationWriteError) return { ...entry, reason: err.code };
          return { ...entry, reason: 'iam_failed' };
        }
      });
      const state = stateOf(entries);
      next = { ...current, entries, state, version: current.version + 1 };
      if (state !== 'pending' && next.effectiveAt === undefined && entries.some((e) => e.state === 'written')) {
        next.effectiveAt = now().toISOString();
      }
    }
    if (await rd.store.update(next, current.version)) return next;
    const fresh = await rd.store.get(current.tenantId, current.revocationId);
    if (!fresh) return next;
    current = fresh;
    if (current.state !== 'pending') return current;
  }
  return current;
}

/** Role ARNs bound to more than one tenant (the operator may bind one role to several). */
export function sharedRolesOf(tenants: readonly Tenant[]): Set<string> {
  const tenantsOf = new Map<string, Set<string>>();
  for (const t of tenants)
    for (const role of Object.values(t.binding?.roles ?? {})) {
      const set = tenantsOf.get(role.roleArn) ?? new Set<string>();
      set.add(t.tenantId);
      tenantsOf.set(role.roleArn, set);
    }
  return new Set([...tenantsOf].filter(([, set]) => set.size > 1).map(([arn]) => arn));
}

async function allTenants(deps: AdminDeps, pageSize = 100): Promise<Tenant[]> {
  const tenants: Tenant[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.listTenants({ limit: pageSize, cursor });
    tenants.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return tenants;
}

export function revocationView(r: RevocationRecord) {
  return {
    revocationId: r.revocationId,
    tenantId: r.tenantId,
    target: r.target,
    state: r.state,
    createdAt: r.createdAt,
    createdBy: r.createdBy,
    ...(r.effectiveAt ? { effectiveAt: r.effectiveAt } : {}),
    targetsExpireAt: r.targetsExpireAt,
    entities: r.entries.map((e) => ({ ...e.entity, state: e.state, ...(e.reason ? { reason: e.reason } : {}) })),
  };
}

export async function createRevocation(
  deps: AdminDeps,
  caller: Caller,
  tenantId: string,
  input: RevocationInput,
  idempotencyKey?: string,
): Promise<{ created: boolean; revocation: ReturnType<typeof revocationView> }> {
  const tenant = await authorizeTenant(deps.lookup, caller, tenantId);
  const rd = revocationDeps(deps);
  if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
    throw invalid('Idempotency-Key', 'must be 1-64 letters, digits, _ or -');
  }
  const now = deps.now();
  const revocationId = rd.newId();
  const ownAccount = accountOf(await deps.trust.issuerPrincipal());
  let target: RevocationRecord['target'];
  let entries: RevocationTargetEntry[];
  let targetsExpireAt: string;
  if (input.issuanceId !== undefined) {
    // Looked up in this tenant's ledger only: another tenant's issuance id is as unknown as a made-up one.
    const issuance = ISSUANCE_ID.test(input.issuanceId) ? await rd.issuance(tenantId, input.issuanceId) : undefined;
    if (!issuance || issuance.tenantId !== tenantId) throw new NotFoundError('not_found', 'Issuance not found');
    target = { kind: 'issuance', issuanceId: issuance.issuanceId, partnerId: issuance.partnerId };
    entries = issuanceEntries(deps, rd, tenant, issuance, revocationId, ownAccount);
    targetsExpireAt = issuance.expiresAt;
  } else {
    const partner = ID_PATTERN.test(input.partnerId) ? await deps.lookup.getPartner(tenantId, input.partnerId) : undefined;
    if (!partner) throw new NotFoundError('not_found', 'Partner not found');
    const before = input.before === undefined ? now : new Date(input.before);
    if (Number.isNaN(before.getTime())) throw invalid('$.before', 'must be an ISO 8601 date-time');
    // A cutoff in the future would also refuse credentials issued from now until then.
    if (before.getTime() > now.getTime()) throw invalid('$.before', 'must not be in the future');
    target = { kind: 'partner', partnerId: partner.partnerId, before: before.toISOString() };
    entries = await partnerEntries(deps, rd, tenant, partner.partnerId, before, revocationId, ownAccount);
    const longest = Math.max(0, ...entries.map((e) => MAX_CREDENTIAL_LIFE_MS[e.entity.kind]));
    targetsExpireAt = new Date(before.getTime() + longest).toISOString();
  }
  for (const entry of entries) assertTenantScoped(entry.statement, tenantId, target.partnerId);
  const record: RevocationRecord = {
    revocationId,
    tenantId,
    target,
    idempotencyKey: idempotencyKey ?? derivedKey(tenantId, target),
    state: stateOf(entries),
    entries,
    createdAt: now.toISOString(),
    createdBy: caller.keyId,
    targetsExpireAt,
    version: 1,
  };
  const created = await rd.store.create(record);
  const stored = created.created ? record : created.existing;
  // A key names one revocation: the same key with another target is a client mistake, not a retry.
  if (!created.created && !sameTarget(stored.target, target, 'before' in input && input.before !== undefined)) {
    throw new ConflictError('idempotency_key_reused', 'This Idempotency-Key was used for another revocation');
  }
  // Only this revocation is written here: the tenant's other pending ones are the sweep's (one request
  // never fans out into IAM calls for others). Whether a role is shared needs every tenant's binding.
  const rolesPending = stored.state === 'pending' && stored.entries.some((e) => e.state === 'pending' && e.entity.kind === 'role');
  const shared = rolesPending ? sharedRolesOf(await allTenants(deps)) : new Set<string>();
  const applied = stored.state === 'pending' ? await applyRevocation(rd, stored, deps.now, shared) : stored;
  if (applied.state !== 'pending' && applied.state !== 'expired') deps.onRevocation?.();
  return { created: created.created, revocation: revocationView(applied) };
}

/** The same target; a partner's default cutoff (now) differs on every retry, so it is compared only when given. */
function sameTarget(a: RevocationRecord['target'], b: RevocationRecord['target'], compareBefore: boolean): boolean {
  if (a.kind === 'issuance' || b.kind === 'issuance')
    return a.kind === b.kind && a.kind === 'issuance' && b.kind === 'issuance' && a.issuanceId === b.issuanceId;
  return a.partnerId === b.partnerId && (!compareBefore || a.before === b.before);
}

export async function listRevocations(deps: AdminDeps, caller: Caller, tenantId: string, page: PageRequest) {
  await authorizeTenant(deps.lookup, caller, tenantId);
  const rd = revocationDeps(deps);
  const out = await rd.store.list(tenantId, page);
  return { items: out.items.map(revocationView), nextCursor: out.nextCursor };
}

/**
 * Retries the tenant's pending revocations among its newest `limit`, oldest first, one at a time (the
 * sweep, and callers that want one tenant settled).
 */
export async function retryPendingRevocations(
  rd: RevocationDeps,
  tenantId: string,
  now: () => Date,
  limit = 25,
  except?: string,
  sharedRoles: ReadonlySet<string> = new Set(),
): Promise<RevocationRecord[]> {
  const out: RevocationRecord[] = [];
  for (const r of await pendingOf(rd, tenantId, limit, except)) out.push(await applyRevocation(rd, r, now, sharedRoles));
  return out;
}

const oldestFirst = (a: RevocationRecord, b: RevocationRecord): number =>
  a.createdAt.localeCompare(b.createdAt) || a.revocationId.localeCompare(b.revocationId);

async function pendingOf(rd: RevocationDeps, tenantId: string, limit: number, except?: string): Promise<RevocationRecord[]> {
  const out = await rd.store.list(tenantId, { limit });
  return out.items.filter((r) => r.state === 'pending' && r.revocationId !== except).sort(oldestFirst);
}

export interface RevocationSweep {
  tenants: number;
  /** Pending revocations tried again, and how many of them are no longer pending. */
  retried: number;
  settled: number;
  /** Roles and users whose policy lost expired statements, and how many statements. */
  entitiesPruned: number;
  statementsPruned: number;
  /** Entities whose pruning or verifying failed (IAM or DynamoDB): tried again on the next run. */
  pruneFailures: number;
  /** Entities whose IAM policy differed from credvend's copy (a late stale write) and was put again. */
  entitiesRepaired: number;
}

/**
 * The scheduled pass of the revocations function (the one holding the IAM grants). First every policy
 * credvend may write (the tenants' modifiable bound roles, the federation user) loses the statements whose
 * targets have all expired, so the room they free is there before anything is retried; one with nothing to
 * prune is verified against credvend's copy (one Get) and put again if a late stale write changed it. Then the pending
 * revocations are tried again, one at a time, round-robin across tenants (each tenant's oldest first): a
 * tenant with a long backlog takes one turn like every other, never all the freed room before the next
 * tenant's turn. A pending revocation whose targets have all expired becomes `expired` (not retried again).
 */
export async function sweepRevocations(deps: AdminDeps, pageSize = 100): Promise<RevocationSweep> {
  const rd = revocationDeps(deps);
  const ownAccount = accountOf(await deps.trust.issuerPrincipal());
  const out: RevocationSweep = {
    tenants: 0,
    retried: 0,
    settled: 0,
    entitiesPruned: 0,
    statementsPruned: 0,
    pruneFailures: 0,
    entitiesRepaired: 0,
  };
  const entities = new Map<string, RevocationEntity>();
  if (rd.federationUser !== undefined) entities.set(`user#${rd.federationUser}`, { kind: 'user', userName: rd.federationUser });
  const tenants = await allTenants(deps, pageSize);
  out.tenants = tenants.length;
  for (const tenant of tenants)
    for (const role of uniqueRoles(Object.values(tenant.binding?.roles ?? {}))) {
      if (roleModifiable(deps, role.roleArn, ownAccount)) entities.set(`role#${role.roleArn}`, { kind: 'role', roleArn: role.roleArn });
    }
  for (const entity of entities.values()) {
    try {
      const pruned = await rd.writer.prune(entity);
      if (pruned > 0) {
        out.entitiesPruned += 1;
        out.statementsPruned += pruned;
        // A prune has just put the copy (and re-checked its version): nothing to verify.
      } else if (await rd.writer.verify(entity)) out.entitiesRepaired += 1;
    } catch {
      out.pruneFailures += 1;
    }
  }
  const shared = sharedRolesOf(tenants);
  const queues: RevocationRecord[][] = [];
  for (const tenant of tenants) {
    const pending = await pendingOf(rd, tenant.tenantId, 100).catch(() => []);
    if (pending.length > 0) queues.push(pending);
  }
  for (let round = 0; queues.some((q) => q.length > round); round++) {
    for (const queue of queues) {
      const record = queue[round];
      if (!record) continue;
      const applied = await applyRevocation(rd, record, deps.now, shared);
      out.retried += 1;
      if (applied.state !== 'pending') out.settled += 1;
    }
  }
  return out;
}
