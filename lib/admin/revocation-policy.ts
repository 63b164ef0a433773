// The Deny statements credvend writes to revoke credentials already issued (issue 16), and the
// inline policy that holds them. AWS applies a Deny in the principal's identity policy to sessions
// already issued; narrow conditions pick what to revoke:
//
//   a partner's assume-role sessions  aws:SourceIdentity = <partner identity>, aws:TokenIssueTime < before
//   a partner's federated sessions    aws:PrincipalTag/tenant = <t>, aws:PrincipalTag/partner = <p>, aws:TokenIssueTime < before
//   one issuance                      aws:userid = <its principal id>, aws:TokenIssueTime within its issue window
//
// Every value comes from credvend: the partner identity is derived from the tenant and partner ids
// (lib/vend/principal-names.ts), tags are the ones credvend sets on every session, a principal id is
// read from the tenant's own issuance ledger. Nothing a request says is written into a policy, and
// assertTenantScoped refuses any statement that is not tied to one tenant's principals: a role shared by
// several tenants must never get a Deny that reaches another tenant's sessions.
import { type IamStatement, ID_PATTERN, type IssuanceRecord } from '../core/model';
import { federationName, partnerIdentity } from '../vend/principal-names';

/** The one inline policy credvend owns on each bound role and on the federation user. */
export const REVOCATION_POLICY_NAME = 'credvend-revocations';

/** IAM's aggregate inline-policy quota per entity, whitespace not counted (IAM and STS quotas). */
export const INLINE_POLICY_LIMITS = { role: 10_240, user: 2_048 } as const;

/**
 * How far before credvend's recorded issuedAt (taken after STS answered) STS's own issue time may be:
 * the STS call's own time and the clock difference. A one-issuance Deny covers that window; another
 * session of the same principal id issued in it is revoked too (never less than asked).
 */
export const ISSUE_WINDOW_BEFORE_MS = 60_000;
export const ISSUE_WINDOW_AFTER_MS = 1_000;

/** Statement ids: IAM allows only letters and digits. */
export const SID_PATTERN = /^[A-Za-z0-9]{1,64}$/;

export type EntityKind = 'role' | 'user';

export class UnscopedRevocationError extends Error {
  override name = 'UnscopedRevocationError';
}

const iso = (ms: number): string => new Date(ms).toISOString();

function checkIds(tenantId: string, partnerId: string): void {
  if (!ID_PATTERN.test(tenantId) || !ID_PATTERN.test(partnerId))
    throw new UnscopedRevocationError('tenant and partner ids must be valid ids');
}

function checkSid(sid: string): void {
  if (!SID_PATTERN.test(sid)) throw new UnscopedRevocationError('a statement id must be 1-64 letters and digits');
}

/** A partner's assume-role sessions issued before `before`, on a role: selected by the partner's source identity. */
export function partnerRoleStatement(sid: string, tenantId: string, partnerId: string, before: Date): IamStatement {
  checkSid(sid);
  checkIds(tenantId, partnerId);
  return {
    Sid: sid,
    Effect: 'Deny',
    Action: '*',
    Resource: '*',
    Condition: {
      DateLessThan: { 'aws:TokenIssueTime': before.toISOString() },
      StringEquals: { 'aws:SourceIdentity': partnerIdentity(tenantId, partnerId) },
    },
  };
}

/** A partner's federated sessions issued before `before`, on the federation user: both identity tags. */
export function partnerFederationStatement(sid: string, tenantId: string, partnerId: string, before: Date): IamStatement {
  checkSid(sid);
  checkIds(tenantId, partnerId);
  return {
    Sid: sid,
    Effect: 'Deny',
    Action: '*',
    Resource: '*',
    Condition: {
      DateLessThan: { 'aws:TokenIssueTime': before.toISOString() },
      StringEquals: { 'aws:PrincipalTag/tenant': tenantId, 'aws:PrincipalTag/partner': partnerId },
    },
  };
}

/**
 * The principal id of an issuance, if it is one credvend could have issued for that tenant's partner:
 * `<role id>:<partner identity>.<suffix>` or `<account>:<federation name>[-<suffix>]`. A ledger record
 * that does not fit is never written into a policy.
 */
export function issuancePrincipalId(record: Pick<IssuanceRecord, 'tenantId' | 'partnerId' | 'mode' | 'principalId'>): string | undefined {
  if (!ID_PATTERN.test(record.tenantId) || !ID_PATTERN.test(record.partnerId)) return undefined;
  const [owner, name, ...rest] = record.principalId.split(':');
  if (rest.length > 0 || !owner || !name || /[*?$]/.test(record.principalId)) return undefined;
  if (record.mode === 'assume-role') {
    const prefix = `${partnerIdentity(record.tenantId, record.partnerId)}.`;
    return /^AROA[A-Z0-9]+$/.test(owner) && name.startsWith(prefix) && name.length > prefix.length ? record.principalId : undefined;
  }
  const base = federationName(record.tenantId, record.partnerId);
  return /^\d{12}$/.test(owner) && (name === base || name.startsWith(`${base}-`)) ? record.principalId : undefined;
}

/** One issuance: its principal id, issued within the window around its recorded issuedAt. */
export function issuanceStatement(
  sid: string,
  record: Pick<IssuanceRecord, 'tenantId' | 'partnerId' | 'mode' | 'principalId' | 'issuedAt'>,
): IamStatement {
  checkSid(sid);
  const principalId = issuancePrincipalId(record);
  if (principalId === undefined) throw new UnscopedRevocationError('the issuance record does not name a principal of its partner');
  const issuedAt = Date.parse(record.issuedAt);
  if (Number.isNaN(issuedAt)) throw new UnscopedRevocationError('the issuance record has no valid issuedAt');
  return {
    Sid: sid,
    Effect: 'Deny',
    Action: '*',
    Resource: '*',
    Condition: {
      DateGreaterThanEquals: { 'aws:TokenIssueTime': iso(issuedAt - ISSUE_WINDOW_BEFORE_MS) },
      DateLessThan: { 'aws:TokenIssueTime': iso(issuedAt + ISSUE_WINDOW_AFTER_MS) },
      StringEquals: { 'aws:userid': principalId },
    },
  };
}

/**
 * Refuses a statement that is not tied to one principal set of this tenant's partner: a Deny with no
 * condition, without an issue-time bound, with a wildcard in any condition value, or selecting principals
 * by anything but exactly this partner's source identity (partnerIdentity: tenant and partner prefixes and a
 * hash of both), both its identity tags, or a principal id whose name is exactly one of its session names
 * (issuancePrincipalId). A prefix of the tenant id is never enough: two tenant ids may share their first 16
 * (or, in a federation name, 4) characters. The last line of defence before a policy on a role or user that
 * other tenants may share.
 */
export function assertTenantScoped(statement: IamStatement, tenantId: string, partnerId: string): void {
  const fail = (why: string): never => {
    throw new UnscopedRevocationError(`refusing revocation statement ${statement.Sid ?? ''}: ${why}`);
  };
  if (statement.Effect !== 'Deny') fail('not a Deny');
  if (!ID_PATTERN.test(tenantId) || !ID_PATTERN.test(partnerId)) fail('tenant and partner ids must be valid ids');
  const condition = statement.Condition ?? {};
  const values = Object.values(condition).flatMap((block) => Object.values(block).flatMap((v) => (Array.isArray(v) ? v : [v])));
  if (values.some((v) => typeof v !== 'string' || /[*?$]/.test(v))) fail('a condition value is not a literal');
  const dates = { ...condition.DateLessThan };
  if (typeof dates['aws:TokenIssueTime'] !== 'string') fail('no aws:TokenIssueTime bound');
  const equals = (condition.StringEquals ?? {}) as Record<string, string>;
  const keys = Object.keys(equals).sort().join(',');
  if (keys === 'aws:SourceIdentity') {
    if (equals['aws:SourceIdentity'] !== partnerIdentity(tenantId, partnerId)) fail("not this partner's source identity");
  } else if (keys === 'aws:PrincipalTag/partner,aws:PrincipalTag/tenant') {
    if (equals['aws:PrincipalTag/tenant'] !== tenantId || equals['aws:PrincipalTag/partner'] !== partnerId)
      fail("not this partner's sessions");
  } else if (keys === 'aws:userid') {
    const principalId = equals['aws:userid'] ?? '';
    const mode = principalId.startsWith('AROA') ? 'assume-role' : 'federation';
    if (issuancePrincipalId({ tenantId, partnerId, mode, principalId }) !== principalId) fail("not this partner's principal");
  } else {
    fail('selects principals by something other than a source identity, identity tags or a principal id');
  }
  for (const operator of Object.keys(condition)) {
    if (!['DateLessThan', 'DateGreaterThanEquals', 'StringEquals'].includes(operator)) fail(`unexpected operator ${operator}`);
  }
}

/** Longest life of a credential: 12 h assume-role (IAM's MaxSessionDuration ceiling), 36 h federation. */
export const MAX_CREDENTIAL_LIFE_MS = { role: 43_200_000, user: 129_600_000 } as const;

/**
 * When every credential a statement targets has expired: its latest issue time (the DateLessThan bound on
 * aws:TokenIssueTime) plus the longest life of a credential from that entity. Undefined when the
 * statement has no such bound (never pruned).
 */
export function prunableAt(statement: IamStatement, kind: EntityKind): number | undefined {
  const bound = statement.Condition?.DateLessThan?.['aws:TokenIssueTime'];
  const ms = typeof bound === 'string' ? Date.parse(bound) : Number.NaN;
  return Number.isNaN(ms) ? undefined : ms + MAX_CREDENTIAL_LIFE_MS[kind];
}

/** The statements of credvend's revocation policy text (its own policy: anything else in it is dropped). */
export function statementsOf(policyText: string | undefined): IamStatement[] {
  if (!policyText) return [];
  try {
    const doc = JSON.parse(policyText) as { Statement?: unknown };
    const list = Array.isArray(doc.Statement) ? doc.Statement : [];
    return list.filter(
      (s): s is IamStatement =>
        typeof s === 'object' && s !== null && (s as IamStatement).Effect === 'Deny' && SID_PATTERN.test(String((s as IamStatement).Sid)),
    );
  } catch {
    return [];
  }
}

/** The size IAM counts: characters other than whitespace. */
export const policySize = (text: string): number => text.replace(/\s/g, '').length;

export type MergeResult =
  | { text: string | undefined; size: number; compacted?: string[] }
  | { tooLarge: true; size: number; limit: number }
  | { shareFull: true; size: number; share: number };

/** The characters of `{"Version":"2012-10-17","Statement":[]}`: every statement's room is what is left. */
const EMPTY_POLICY_SIZE = policySize(JSON.stringify({ Version: '2012-10-17', Statement: [] }));

/**
 * On the federation user, which every tenant shares, one tenant's statements may take at most a third of the
 * room left for statements: two statements of any kind, whatever its ids' lengths (a partner statement is
 * 250-300 characters, a one-issuance statement about 320), so one tenant's admin can never take more than a
 * third of the user's revocations, and the other two thirds (4-6 statements) stay for the other tenants
 * (README "Revoking credentials", Size).
 */
export const TENANT_SHARE_DIVISOR = 3;

/** The characters one tenant's statements may take on an entity shared by every tenant (the federation user). */
export function tenantShare(kind: EntityKind, otherPoliciesSize: number): number {
  return Math.floor(Math.max(0, INLINE_POLICY_LIMITS[kind] - otherPoliciesSize - EMPTY_POLICY_SIZE) / TENANT_SHARE_DIVISOR);
}

/** The tenant a statement was written for: recorded by the writer (`owners`, by Sid), else its tenant tag. */
export function ownerOf(statement: IamStatement, owners: Readonly<Record<string, string>>): string | undefined {
  const recorded = Object.hasOwn(owners, statement.Sid ?? '') ? owners[statement.Sid ?? ''] : undefined;
  const tag = (statement.Condition?.StringEquals as Record<string, unknown> | undefined)?.['aws:PrincipalTag/tenant'];
  return recorded ?? (typeof tag === 'string' ? tag : undefined);
}

/** The characters statements take in a policy: each one, and the comma between them. */
export const statementsSize = (statements: readonly IamStatement[]): number =>
  statements.reduce((n, s, i) => n + policySize(JSON.stringify(s)) + (i > 0 ? 1 : 0), 0);

const cutoffOf = (s: IamStatement): number => {
  const bound = s.Condition?.DateLessThan?.['aws:TokenIssueTime'];
  return typeof bound === 'string' ? Date.parse(bound) : Number.NaN;
};

/** A partner statement's selector (its StringEquals), when it has only a cutoff: no lower bound, no principal id. */
function partnerSelector(s: IamStatement): Record<string, string> | undefined {
  const c = s.Condition ?? {};
  if (Object.keys(c).sort().join(',') !== 'DateLessThan,StringEquals' || Number.isNaN(cutoffOf(s))) return undefined;
  const eq = c.StringEquals as Record<string, unknown>;
  if (Object.values(eq).some((v) => typeof v !== 'string')) return undefined;
  const keys = Object.keys(eq).sort().join(',');
  return keys === 'aws:SourceIdentity' || keys === 'aws:PrincipalTag/partner,aws:PrincipalTag/tenant'
    ? (eq as Record<string, string>)
    : undefined;
}

/** Whether a partner statement's selector takes in every session of this principal id (credvend's names). */
function selectsPrincipal(selector: Record<string, string>, principalId: string): boolean {
  const name = principalId.split(':')[1] ?? '';
  const identity = selector['aws:SourceIdentity'];
  // Assume-role: the session name is the partner identity (the session's SourceIdentity) plus a suffix.
  if (identity !== undefined) return name.startsWith(`${identity}.`);
  // Federation: the name is derived from the tenant and partner, whose tags every federated session carries.
  const tenantId = selector['aws:PrincipalTag/tenant'] ?? '';
  const partnerId = selector['aws:PrincipalTag/partner'] ?? '';
  if (!ID_PATTERN.test(tenantId) || !ID_PATTERN.test(partnerId)) return false;
  const base = federationName(tenantId, partnerId);
  return name === base || name.startsWith(`${base}-`);
}

/**
 * Leaves out the statements another one already covers, exactly (never more revoked, never less):
 * of a partner's statements on this entity only the latest cutoff counts (it refuses every session the
 * earlier ones do), and a one-issuance statement whose whole window lies before a cutoff of the same
 * partner is covered by it. Answers the statements kept and the Sids left out.
 */
export function compactStatements(statements: IamStatement[]): { kept: IamStatement[]; dropped: string[] } {
  const latest = new Map<string, IamStatement>();
  for (const s of statements) {
    const selector = partnerSelector(s);
    if (!selector) continue;
    const key = JSON.stringify(Object.entries(selector).sort());
    const seen = latest.get(key);
    if (!seen || cutoffOf(s) > cutoffOf(seen)) latest.set(key, s);
  }
  const partners = [...latest.values()];
  const covered = (s: IamStatement): boolean => {
    const selector = partnerSelector(s);
    if (selector) return latest.get(JSON.stringify(Object.entries(selector).sort())) !== s;
    const userid = (s.Condition?.StringEquals as Record<string, unknown> | undefined)?.['aws:userid'];
    if (typeof userid !== 'string' || Number.isNaN(cutoffOf(s))) return false;
    return partners.some((p) => cutoffOf(p) >= cutoffOf(s) && selectsPrincipal(partnerSelector(p) ?? {}, userid));
  };
  const kept: IamStatement[] = [];
  const dropped: string[] = [];
  for (const s of statements) {
    if (covered(s)) dropped.push(s.Sid ?? '');
    else kept.push(s);
  }
  return { kept, dropped };
}

/**
 * The revocation policy with `add` put in (by Sid: a retried write replaces its own statement) and the
 * statements in `remove` left out; undefined text when nothing is left (delete the policy). Past IAM's
 * quota for the entity's kind (`otherPoliciesSize`: the entity's other inline policies, which credvend
 * does not own, count too) the statements others cover are left out (compactStatements, `compacted`
 * names them); refused (`tooLarge`) when even that does not fit.
 *
 * With `share` (the federation user, shared by every tenant): when `add` takes the tenant's statements
 * (ownerOf) past its share (tenantShare), that tenant's own statements are compacted first, others' left
 * as they are; refused (`shareFull`) when even that does not fit its share. Only an add is checked: a
 * removal or a prune only ever frees room.
 */
export function mergeRevocationPolicy(
  current: string | undefined,
  change: { add?: IamStatement[]; remove?: ReadonlySet<string> },
  kind: EntityKind,
  otherPoliciesSize: number,
  share?: { tenantId: string; owners: Readonly<Record<string, string>> },
): MergeResult {
  const added = new Map((change.add ?? []).map((s) => [s.Sid ?? '', s]));
  const kept = statementsOf(current).filter((s) => !added.has(s.Sid ?? '') && !change.remove?.has(s.Sid ?? ''));
  let statements = [...kept, ...added.values()].sort((a, b) => (a.Sid ?? '').localeCompare(b.Sid ?? ''));
  if (statements.length === 0) return { text: undefined, size: 0 };
  const early: string[] = [];
  if (share && added.size > 0) {
    const cap = tenantShare(kind, otherPoliciesSize);
    const mine = statements.filter((s) => ownerOf(s, share.owners) === share.tenantId);
    if (statementsSize(mine) > cap) {
      const compact = compactStatements(mine);
      const size = statementsSize(compact.kept);
      if (size > cap) return { shareFull: true, size, share: cap };
      const dropped = new Set(compact.dropped);
      statements = statements.filter((s) => !dropped.has(s.Sid ?? ''));
      early.push(...compact.dropped);
    }
  }
  const limit = INLINE_POLICY_LIMITS[kind];
  const text = JSON.stringify({ Version: '2012-10-17', Statement: statements });
  const size = policySize(text);
  if (size + otherPoliciesSize <= limit) return early.length > 0 ? { text, size, compacted: early } : { text, size };
  const compact = compactStatements(statements);
  const smaller = JSON.stringify({ Version: '2012-10-17', Statement: compact.kept });
  const smallerSize = policySize(smaller);
  if (smallerSize + otherPoliciesSize > limit) return { tooLarge: true, size: smallerSize + otherPoliciesSize, limit };
  return { text: smaller, size: smallerSize, compacted: [...early, ...compact.dropped] };
}

/** Why a revocation policy could not be written: a stable code for the record, never AWS's message. */
export type RevocationWriteCode =
  | 'iam_throttled'
  | 'iam_access_denied'
  | 'iam_no_such_entity'
  | 'iam_failed'
  | 'policy_full'
  | 'tenant_share_full'
  | 'policy_conflict';

export class RevocationWriteError extends Error {
  override name = 'RevocationWriteError';
  constructor(
    readonly code: RevocationWriteCode,
    options?: { cause?: unknown },
  ) {
    super(`revocation policy not written: ${code}`, options);
  }
}
