// Role trust policies, parsed once when a role is registered and evaluated on every AssumeRole the
// way IAM does: an explicit Deny wins, otherwise some Allow must match, otherwise the implicit deny.
// Each action the request needs (sts:AssumeRole, and sts:TagSession / sts:SetSourceIdentity when
// it carries tags / a source identity) is decided on its own against the same request context.
import type { Principal } from './identity';
import { STATEMENT_KEYS, VERSIONS } from './limits';
import { required } from './required';

/** IAM policy document grammar for a trust policy; a JSON string of it is accepted too. */
export interface TrustPolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal: '*' | { AWS?: string | string[]; Service?: string | string[]; Federated?: string | string[] };
  Action?: string | string[];
  NotAction?: string | string[];
  Condition?: Record<string, Record<string, ConditionValue | ConditionValue[]>>;
}
export type ConditionValue = string | number | boolean;
export interface TrustPolicyDocument {
  Version?: string;
  Id?: string;
  Statement: TrustPolicyStatement | TrustPolicyStatement[];
}

export const STS_ASSUME_ROLE = 'sts:AssumeRole';
export const STS_TAG_SESSION = 'sts:TagSession';
export const STS_SET_SOURCE_IDENTITY = 'sts:SetSourceIdentity';

type SetOperator = 'ForAnyValue' | 'ForAllValues';

export interface ParsedCondition {
  /** As written, for messages. */
  operator: string;
  base: string;
  set?: SetOperator;
  ifExists: boolean;
  /** Lower-cased: condition keys are case-insensitive. */
  key: string;
  values: string[];
}

interface ParsedStatement {
  effect: 'Allow' | 'Deny';
  anyPrincipal: boolean;
  /** AWS principals: '*', account ids, account roots, user, role and assumed-role session ARNs. */
  aws: string[];
  actions: string[];
  notAction: boolean;
  conditions: ParsedCondition[];
}

/** A validated trust policy, ready to evaluate. */
export interface TrustPolicy {
  statements: ParsedStatement[];
}

/** Context keys (lower-cased) to their values; a key that is absent from the request has no entry. */
export type RequestContext = Map<string, string[]>;

export class TrustPolicyError extends Error {
  override name = 'TrustPolicyError';
}

const DOCUMENT_KEYS = new Set(['Version', 'Id', 'Statement']);
const PRINCIPAL_TYPES = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser']);
/** IAM: "AssumeRole policy may only specify STS AssumeRole actions." */
const TRUST_ACTION = /^(?:\*|sts:[a-z*?]+)$/i;
const NAME = '[\\w+=,.@-]+';
const AWS_PRINCIPAL = new RegExp(
  `^(?:\\*|\\d{12}|arn:aws[a-z-]*:iam::\\d{12}:(?:root|user/(?:${NAME}/)*${NAME}|role/(?:${NAME}/)*${NAME})|arn:aws[a-z-]*:sts::\\d{12}:assumed-role/${NAME}/${NAME})$`,
);

/** Positive operators, and the negated ones with the positive form they negate. */
const POSITIVE = new Set(['StringEquals', 'StringEqualsIgnoreCase', 'StringLike', 'ArnEquals', 'ArnLike', 'Bool']);
const NEGATED = new Map([
  ['StringNotEquals', 'StringEquals'],
  ['StringNotEqualsIgnoreCase', 'StringEqualsIgnoreCase'],
  ['StringNotLike', 'StringLike'],
  ['ArnNotEquals', 'ArnEquals'],
  ['ArnNotLike', 'ArnLike'],
]);
/** Date operators: identity policies only (a trust policy here refuses them, see README). */
const DATE_POSITIVE = new Set(['DateEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals']);
const DATE_NEGATED = new Map([['DateNotEquals', 'DateEquals']]);
const OPERATOR = /^(?:(ForAnyValue|ForAllValues):)?([A-Za-z]+?)(IfExists)?$/;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function stringList(value: unknown, what: string, fail: (message: string) => never): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) fail(`${what} is an empty list`);
  for (const item of list) if (typeof item !== 'string' || item.length === 0) fail(`${what} must be a non-empty string or a list of them`);
  return list as string[];
}

export function parseCondition(
  condition: unknown,
  at: string,
  fail: (message: string) => never,
  opts: { dates?: boolean } = {},
): ParsedCondition[] {
  if (!isRecord(condition)) fail(`${at}.Condition must be an object of operators`);
  const parsed: ParsedCondition[] = [];
  for (const [operator, block] of Object.entries(condition)) {
    const m = OPERATOR.exec(operator);
    const base = m?.[2] ?? '';
    const set = m?.[1] as SetOperator | undefined;
    const ifExists = m?.[3] !== undefined;
    const isDate = DATE_POSITIVE.has(base) || DATE_NEGATED.has(base);
    const known = POSITIVE.has(base) || NEGATED.has(base) || base === 'Null' || (opts.dates === true && isDate);
    if (!m || !known) fail(`${at}.Condition: unsupported condition operator ${JSON.stringify(operator)}`);
    if (base === 'Null' && (ifExists || set))
      fail(`${at}.Condition: ${JSON.stringify(operator)} is not a valid operator (Null takes no IfExists or set qualifier)`);
    if (base === 'Bool' && set) fail(`${at}.Condition: ${JSON.stringify(operator)} is not supported (Bool keys are single-valued)`);
    if (!isRecord(block) || Object.keys(block).length === 0) fail(`${at}.Condition.${operator} must be an object of condition keys`);
    for (const [key, raw] of Object.entries(block)) {
      const list = Array.isArray(raw) ? raw : [raw];
      if (list.length === 0) fail(`${at}.Condition.${operator}.${key} is an empty list`);
      const values = list.map((v) => {
        if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')
          fail(`${at}.Condition.${operator}.${key} values must be strings, numbers or booleans`);
        return String(v);
      });
      if (isDate && values.some((v) => dateOf(v) === undefined))
        fail(`${at}.Condition.${operator}.${key} takes dates (ISO 8601 or epoch seconds)`);
      if ((base === 'Null' || base === 'Bool') && values.some((v) => v.toLowerCase() !== 'true' && v.toLowerCase() !== 'false')) {
        fail(`${at}.Condition.${operator}.${key} takes "true" or "false"`);
      }
      parsed.push({ operator, base, set, ifExists, key: key.toLowerCase(), values });
    }
  }
  return parsed;
}

function parsePrincipal(principal: unknown, at: string, fail: (message: string) => never): { anyPrincipal: boolean; aws: string[] } {
  if (principal === '*') return { anyPrincipal: true, aws: [] };
  if (!isRecord(principal) || Object.keys(principal).length === 0)
    fail(`${at}.Principal must be "*" or an object such as {"AWS": "<principal ARN>"}`);
  const aws: string[] = [];
  for (const [type, value] of Object.entries(principal)) {
    if (!PRINCIPAL_TYPES.has(type)) fail(`${at}.Principal: unknown principal type ${JSON.stringify(type)}`);
    const list = stringList(value, `${at}.Principal.${type}`, fail);
    if (type !== 'AWS') continue; // Service and Federated principals never call AssumeRole with IAM credentials.
    for (const p of list) if (!AWS_PRINCIPAL.test(p)) fail(`${at}.Principal.AWS: invalid principal ${JSON.stringify(p)}`);
    aws.push(...list);
  }
  return { anyPrincipal: aws.includes('*'), aws };
}

/**
 * Validates a trust policy (a document or its JSON text) and prepares it for evaluation.
 * Throws TrustPolicyError naming the problem; `where` prefixes the message (e.g. the role ARN).
 */
export function parseTrustPolicy(input: unknown, where = 'trust policy'): TrustPolicy {
  const fail: (message: string) => never = (message) => {
    throw new TrustPolicyError(`${where}: ${message}`);
  };
  let doc: unknown = input;
  if (typeof input === 'string') {
    try {
      doc = JSON.parse(input);
    } catch {
      fail('the trust policy is not valid JSON');
    }
  }
  if (!isRecord(doc)) fail('the trust policy must be a JSON object with a Statement');
  const document = doc as Record<string, unknown>;
  for (const key of Object.keys(document)) if (!DOCUMENT_KEYS.has(key)) fail(`unknown policy element ${JSON.stringify(key)}`);
  if (document.Version !== undefined && (typeof document.Version !== 'string' || !VERSIONS.has(document.Version))) {
    fail(`Version must be "2012-10-17" or "2008-10-17"`);
  }
  const raw = Array.isArray(document.Statement) ? document.Statement : document.Statement === undefined ? [] : [document.Statement];
  if (raw.length === 0) fail('the trust policy has no Statement');
  const statements = raw.map((s, i): ParsedStatement => {
    const at = `Statement[${i}]`;
    if (!isRecord(s)) fail(`${at} must be an object`);
    const st = s as Record<string, unknown>;
    for (const key of Object.keys(st)) if (!STATEMENT_KEYS.has(key)) fail(`${at}: unknown element ${JSON.stringify(key)}`);
    if ('Resource' in st || 'NotResource' in st) fail(`${at}: a trust policy has no Resource (the role is the resource)`);
    if ('NotPrincipal' in st) fail(`${at}: NotPrincipal is not supported by the local STS`);
    if (st.Effect !== 'Allow' && st.Effect !== 'Deny') fail(`${at}.Effect must be "Allow" or "Deny"`);
    if (!('Principal' in st)) fail(`${at} has no Principal`);
    if ('Action' in st === 'NotAction' in st) fail(`${at} needs exactly one of Action and NotAction`);
    if (st.Sid !== undefined && typeof st.Sid !== 'string') fail(`${at}.Sid must be a string`);
    const element = 'Action' in st ? 'Action' : 'NotAction';
    const actions = stringList(st[element], `${at}.${element}`, fail);
    for (const a of actions)
      if (!TRUST_ACTION.test(a))
        fail(`${at}.${element}: ${JSON.stringify(a)} is not an STS action (a trust policy may only name sts: actions)`);
    return {
      effect: st.Effect,
      ...parsePrincipal(st.Principal, at, fail),
      actions,
      notAction: element === 'NotAction',
      conditions: st.Condition === undefined ? [] : parseCondition(st.Condition, at, fail),
    };
  });
  return { statements };
}

export function glob(pattern: string, flags = ''): RegExp {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, `s${flags}`);
}

/** ARN comparison as IAM does it: six colon-separated parts, each matched with * and ? wildcards. */
function arnMatches(pattern: string, value: string): boolean {
  const split = (arn: string): string[] | undefined => {
    const parts = arn.split(':');
    return parts.length < 6 ? undefined : [...parts.slice(0, 5), parts.slice(5).join(':')];
  };
  const p = split(pattern);
  const v = split(value);
  // Both have exactly six parts, so every index of p is one of v.
  return !!p && !!v && p.every((part, i) => glob(part).test(required(v[i], 'ARN part')));
}

/** ISO 8601 or epoch seconds, as IAM's date condition values; undefined when neither. */
function dateOf(value: string): number | undefined {
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  if (!/^\d{4}-\d{2}-\d{2}/.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

function dateMatch(base: string, requestValue: string, policyValue: string): boolean {
  const r = dateOf(requestValue);
  const p = dateOf(policyValue);
  if (r === undefined || p === undefined) return false;
  switch (base) {
    case 'DateEquals':
      return r === p;
    case 'DateLessThan':
      return r < p;
    case 'DateLessThanEquals':
      return r <= p;
    case 'DateGreaterThan':
      return r > p;
    case 'DateGreaterThanEquals':
      return r >= p;
    default:
      return false;
  }
}

function positiveMatch(base: string, requestValue: string, policyValue: string): boolean {
  if (DATE_POSITIVE.has(base)) return dateMatch(base, requestValue, policyValue);
  switch (base) {
    case 'StringEquals':
      return requestValue === policyValue;
    case 'StringEqualsIgnoreCase':
      return requestValue.toLowerCase() === policyValue.toLowerCase();
    case 'StringLike':
      return glob(policyValue).test(requestValue);
    case 'ArnEquals':
    case 'ArnLike':
      return arnMatches(policyValue, requestValue);
    case 'Bool':
      return requestValue.toLowerCase() === policyValue.toLowerCase();
    default:
      return false;
  }
}

/**
 * One condition against the request context. A key absent from the request fails a positive
 * operator and satisfies a negated one (IAM's rule), except that ...IfExists passes on absence,
 * Null tests presence itself, and ForAllValues holds over an empty set.
 */
export function conditionHolds(c: ParsedCondition, context: RequestContext): boolean {
  const values = context.get(c.key) ?? [];
  const present = values.length > 0;
  if (c.base === 'Null') return c.values.some((v) => (v.toLowerCase() === 'true' ? !present : present));
  const positive = NEGATED.get(c.base) ?? DATE_NEGATED.get(c.base);
  const negated = positive !== undefined;
  if (!present) {
    if (c.ifExists || c.set === 'ForAllValues') return true;
    if (c.set === 'ForAnyValue') return false;
    return negated;
  }
  // A negated operator with several values holds when the request value matches none of them.
  const matchesAny = (r: string): boolean => c.values.some((v) => positiveMatch(positive ?? c.base, r, v));
  const holdsFor = (r: string): boolean => (negated ? !matchesAny(r) : matchesAny(r));
  if (c.set === 'ForAllValues') return values.every(holdsFor);
  if (c.set === 'ForAnyValue') return values.some(holdsFor);
  // No set operator: single-valued keys; a multivalued key is matched if any of its values is.
  return negated ? !values.some(matchesAny) : values.some(matchesAny);
}

function accountOf(arn: string): string {
  return arn.split(':')[4] ?? '';
}

function principalMatches(st: ParsedStatement, caller: Principal): boolean {
  if (st.anyPrincipal) return true;
  const account = accountOf(caller.arn);
  return st.aws.some((p) => {
    if (p === account || p === caller.arn) return true;
    if (/^arn:[^:]+:iam::\d{12}:root$/.test(p)) return accountOf(p) === account;
    // A role ARN trusts that role's sessions (role chaining).
    return caller.kind === 'assumed-role' && p === caller.roleArn;
  });
}

function actionMatches(st: ParsedStatement, action: string): boolean {
  const named = st.actions.some((a) => glob(a, 'i').test(action));
  return st.notAction ? !named : named;
}

function statementApplies(st: ParsedStatement, caller: Principal, action: string, context: RequestContext): boolean {
  return principalMatches(st, caller) && actionMatches(st, action) && st.conditions.every((c) => conditionHolds(c, context));
}

export type Decision = 'allow' | 'explicit-deny' | 'implicit-deny';

/** IAM's order for one action: any matching Deny, else any matching Allow, else the implicit deny. */
export function decide(policy: TrustPolicy, caller: Principal, action: string, context: RequestContext): Decision {
  const applying = policy.statements.filter((st) => statementApplies(st, caller, action, context));
  if (applying.some((st) => st.effect === 'Deny')) return 'explicit-deny';
  return applying.some((st) => st.effect === 'Allow') ? 'allow' : 'implicit-deny';
}

/** Every action must be allowed; the answer names the first one that is not, as AWS's message does. */
export function authorize(
  policy: TrustPolicy,
  caller: Principal,
  actions: string[],
  context: RequestContext,
): { allowed: true } | { allowed: false; action: string; decision: Decision } {
  for (const action of actions) {
    const decision = decide(policy, caller, action, context);
    if (decision !== 'allow') return { allowed: false, action, decision };
  }
  return { allowed: true };
}

/** What an AssumeRole request asks of the trust policy, besides the principal. */
export interface AssumeRoleFacts {
  roleSessionName: string;
  externalId?: string;
  sourceIdentity?: string;
  tags: Array<{ key: string; value: string }>;
  transitiveTagKeys: string[];
  /** Temporary credentials signed the request (aws:MultiFactorAuthPresent is then "false"). */
  temporaryCredentials: boolean;
}

/** sts:AssumeRole, plus sts:TagSession with session tags and sts:SetSourceIdentity with a source identity. */
export function requiredActions(facts: AssumeRoleFacts): string[] {
  const actions = [STS_ASSUME_ROLE];
  if (facts.tags.length > 0 || facts.transitiveTagKeys.length > 0) actions.push(STS_TAG_SESSION);
  if (facts.sourceIdentity !== undefined) actions.push(STS_SET_SOURCE_IDENTITY);
  return actions;
}

const PRINCIPAL_TYPE = { user: 'User', 'assumed-role': 'AssumedRole', 'federated-user': 'FederatedUser' } as const;

/** The request context IAM builds for AssumeRole (keys lower-cased; absent facts have no key). */
export function assumeRoleContext(caller: Principal, facts: AssumeRoleFacts): RequestContext {
  const context: RequestContext = new Map();
  const set = (key: string, values: string[]): void => void context.set(key.toLowerCase(), values);
  // aws:PrincipalArn of a role session is the role's ARN, not the session's.
  set('aws:PrincipalArn', [caller.kind === 'assumed-role' ? caller.roleArn : caller.arn]);
  set('aws:PrincipalAccount', [accountOf(caller.arn)]);
  set('aws:PrincipalType', [PRINCIPAL_TYPE[caller.kind]]);
  set('aws:userid', [caller.userId]);
  if (caller.kind === 'user') set('aws:username', [caller.userName]);
  if (facts.temporaryCredentials) set('aws:MultiFactorAuthPresent', ['false']);
  set('sts:RoleSessionName', [facts.roleSessionName]);
  if (facts.externalId !== undefined) set('sts:ExternalId', [facts.externalId]);
  if (facts.sourceIdentity !== undefined) set('sts:SourceIdentity', [facts.sourceIdentity]);
  for (const tag of facts.tags) set(`aws:RequestTag/${tag.key}`, [tag.value]);
  if (facts.tags.length > 0)
    set(
      'aws:TagKeys',
      facts.tags.map((t) => t.key),
    );
  if (facts.transitiveTagKeys.length > 0) set('sts:TransitiveTagKeys', facts.transitiveTagKeys);
  return context;
}
