// Inline identity policies of the emulator's roles and users (IAM Put/Get/Delete/List Role/User Policy),
// and the one part of identity-policy evaluation the emulator does: an explicit Deny. Allow statements
// are stored and returned but not evaluated (any known caller keeps every permission it had), so a
// Deny written by credvend to revoke sessions refuses them here as it would at AWS.
import type { KeyRecord } from './identity';
import { STATEMENT_KEYS, VERSIONS } from './limits';
import { conditionHolds, glob, type ParsedCondition, parseCondition, type RequestContext } from './trust';
import type { LocalStsSessionTag } from './types';

/** IAM's aggregate inline-policy size per entity, whitespace not counted (IAM and STS quotas). */
export const INLINE_POLICY_LIMITS = { role: 10_240, user: 2_048 } as const;

export class PolicyDocumentError extends Error {
  override name = 'PolicyDocumentError';
}

interface IdentityStatement {
  effect: 'Allow' | 'Deny';
  actions: string[];
  notAction: boolean;
  resources: string[];
  notResource: boolean;
  conditions: ParsedCondition[];
}

export interface IdentityPolicy {
  /** The document exactly as put. */
  text: string;
  statements: IdentityStatement[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const ACTION = /^(?:\*|[a-z0-9-]+:[A-Za-z0-9*?]+)$/;

function strings(value: unknown, what: string, fail: (m: string) => never): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) fail(`${what} is an empty list`);
  for (const item of list) if (typeof item !== 'string' || item.length === 0) fail(`${what} must be a non-empty string or a list of them`);
  return list as string[];
}

/** Validates an identity policy as IAM's MalformedPolicyDocument would; throws PolicyDocumentError naming the problem. */
export function parseIdentityPolicy(text: string): IdentityPolicy {
  const fail = (message: string): never => {
    throw new PolicyDocumentError(message);
  };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return fail('Syntax errors in policy.');
  }
  if (!isRecord(doc)) return fail('Syntax errors in policy.');
  if (doc.Version !== undefined && (typeof doc.Version !== 'string' || !VERSIONS.has(doc.Version)))
    fail('The policy must contain a valid version string');
  for (const key of Object.keys(doc)) if (!['Version', 'Id', 'Statement'].includes(key)) fail(`Unknown field ${key}`);
  const raw = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement === undefined ? [] : [doc.Statement];
  if (raw.length === 0) fail('Policy document should not be empty.');
  const statements = raw.map((s, i): IdentityStatement => {
    const at = `Statement[${i}]`;
    if (!isRecord(s)) return fail(`${at} must be an object`);
    for (const key of Object.keys(s)) if (!STATEMENT_KEYS.has(key)) fail(`${at}: unknown field ${key}`);
    if ('Principal' in s || 'NotPrincipal' in s) fail('Policy document should not specify a principal.');
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') fail(`${at}: Effect must be Allow or Deny`);
    if ('Action' in s === 'NotAction' in s) fail(`${at}: needs exactly one of Action and NotAction`);
    if ('Resource' in s === 'NotResource' in s) fail(`${at}: needs exactly one of Resource and NotResource`);
    const actionKey = 'Action' in s ? 'Action' : 'NotAction';
    const resourceKey = 'Resource' in s ? 'Resource' : 'NotResource';
    const actions = strings(s[actionKey], `${at}.${actionKey}`, fail);
    for (const a of actions) if (!ACTION.test(a)) fail(`Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.`);
    return {
      effect: s.Effect as 'Allow' | 'Deny',
      actions,
      notAction: actionKey === 'NotAction',
      resources: strings(s[resourceKey], `${at}.${resourceKey}`, fail),
      notResource: resourceKey === 'NotResource',
      conditions: s.Condition === undefined ? [] : parseCondition(s.Condition, at, fail, { dates: true }),
    };
  });
  return { text, statements };
}

/** The size IAM counts against its quota: characters other than whitespace. */
export const policySize = (text: string): number => text.replace(/\s/g, '').length;

type Entity = 'role' | 'user';

/** Inline policies per role (by role name) and per user (by user name), each by policy name. */
export class InlinePolicies {
  private readonly byEntity = {
    role: new Map<string, Map<string, IdentityPolicy>>(),
    user: new Map<string, Map<string, IdentityPolicy>>(),
  };

  list(kind: Entity, name: string): string[] {
    return [...(this.byEntity[kind].get(name)?.keys() ?? [])].sort();
  }

  get(kind: Entity, name: string, policyName: string): IdentityPolicy | undefined {
    return this.byEntity[kind].get(name)?.get(policyName);
  }

  all(kind: Entity, name: string): IdentityPolicy[] {
    return [...(this.byEntity[kind].get(name)?.values() ?? [])];
  }

  /** Adds or replaces; 'limit-exceeded' (and nothing changed) when the entity's total would pass IAM's quota. */
  put(kind: Entity, name: string, policyName: string, policy: IdentityPolicy): 'ok' | 'limit-exceeded' {
    const current = this.byEntity[kind].get(name) ?? new Map<string, IdentityPolicy>();
    let total = policySize(policy.text);
    for (const [n, p] of current) if (n !== policyName) total += policySize(p.text);
    if (total > INLINE_POLICY_LIMITS[kind]) return 'limit-exceeded';
    current.set(policyName, policy);
    this.byEntity[kind].set(name, current);
    return 'ok';
  }

  delete(kind: Entity, name: string, policyName: string): boolean {
    return this.byEntity[kind].get(name)?.delete(policyName) ?? false;
  }

  dropEntity(kind: Entity, name: string): void {
    this.byEntity[kind].delete(name);
  }
}

function statementDenies(st: IdentityStatement, action: string, resource: string, context: RequestContext): boolean {
  if (st.effect !== 'Deny') return false;
  const named = st.actions.some((a) => glob(a, 'i').test(action));
  if (named === st.notAction) return false;
  const onResource = st.resources.some((r) => glob(r).test(resource));
  if (onResource === st.notResource) return false;
  return st.conditions.every((c) => conditionHolds(c, context));
}

/** Whether any statement of the policies explicitly denies the action on the resource in this context. */
export function explicitlyDenied(policies: IdentityPolicy[], action: string, resource: string, context: RequestContext): boolean {
  return policies.some((p) => p.statements.some((st) => statementDenies(st, action, resource, context)));
}

const PRINCIPAL_TYPE = { user: 'User', 'assumed-role': 'AssumedRole', 'federated-user': 'FederatedUser' } as const;

/** The request context of the caller's own identity: the keys credvend's revocations name. */
export function principalContext(
  caller: KeyRecord,
  session: { sourceIdentity?: string; tags: LocalStsSessionTag[] } | undefined,
): RequestContext {
  const context: RequestContext = new Map();
  const set = (key: string, values: string[]): void => void context.set(key.toLowerCase(), values);
  const p = caller.principal;
  set('aws:PrincipalArn', [p.kind === 'assumed-role' ? p.roleArn : p.arn]);
  set('aws:PrincipalAccount', [p.arn.split(':')[4] ?? '']);
  set('aws:PrincipalType', [PRINCIPAL_TYPE[p.kind]]);
  set('aws:userid', [p.userId]);
  if (p.kind === 'user') set('aws:username', [p.userName]);
  if (caller.issuedAt !== undefined) set('aws:TokenIssueTime', [new Date(caller.issuedAt).toISOString()]);
  if (caller.sessionToken !== undefined) set('aws:MultiFactorAuthPresent', ['false']);
  if (session?.sourceIdentity !== undefined) set('aws:SourceIdentity', [session.sourceIdentity]);
  for (const tag of session?.tags ?? []) set(`aws:PrincipalTag/${tag.key}`, [tag.value]);
  return context;
}
