// Just enough IAM (Query protocol, Version 2010-05-08) to create, list and delete an IAM user's
// access keys, as a deploy script rotating the federation user's keys does, and to keep the inline
// policies of roles and users (credvend's revocations). Keys made here sign requests at once; a
// deleted key stops at once. Of identity policies only explicit Deny statements are evaluated (server.ts).
import { type AwsError, awsError } from './errors';
import { ACCESS_KEYS_PER_USER, type IamUser, type KeyRecord, type KeyStore } from './identity';
import { type InlinePolicies, PolicyDocumentError, parseIdentityPolicy } from './identity-policy';
import { NAME_PATTERN } from './limits';
import type { Params } from './params';
import type { RoleRegistry } from './roles';
import { isoSeconds, xmlEscape } from './xml';

export const IAM_VERSION = '2010-05-08';
const IAM_NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/';

export interface IamContext {
  nowMs: number;
  caller: KeyRecord;
  keys: KeyStore;
  roles: RoleRegistry;
  policies: InlinePolicies;
  params: Params;
  requestId: string;
}

export type IamResult = { body: string } | { error: AwsError };

const el = (tag: string, value: string): string => `<${tag}>${xmlEscape(value)}</${tag}>`;

function envelope(action: string, result: string | undefined, requestId: string): string {
  const body = result === undefined ? '' : `<${action}Result>${result}</${action}Result>`;
  return `<${action}Response xmlns="${IAM_NAMESPACE}">${body}<ResponseMetadata>${el('RequestId', requestId)}</ResponseMetadata></${action}Response>\n`;
}

/** IAM's ErrorResponse shape (the same as STS's, in IAM's namespace). */
export function iamErrorXml(error: AwsError, requestId: string): string {
  const type = error.status >= 500 ? 'Receiver' : 'Sender';
  return `<ErrorResponse xmlns="${IAM_NAMESPACE}"><Error>${el('Type', type)}${el('Code', error.code)}${el('Message', error.message)}</Error>${el('RequestId', requestId)}</ErrorResponse>\n`;
}

const noSuchUser = (name: string): IamResult => ({ error: awsError(404, 'NoSuchEntity', `The user with name ${name} cannot be found.`) });

/** The user named by UserName, else (as IAM does) the IAM user who signed the request. */
function targetUser(ctx: IamContext): IamUser | IamResult {
  const named = ctx.params.get('UserName');
  if (named !== undefined) return ctx.keys.user(named) ?? noSuchUser(named);
  const principal = ctx.caller.principal;
  if (principal.kind !== 'user') {
    return { error: awsError(400, 'ValidationError', 'Must specify userName when calling with non-User credentials') };
  }
  return ctx.keys.user(principal.userName) ?? noSuchUser(principal.userName);
}

const isResult = (v: IamUser | IamResult): v is IamResult => 'body' in v || 'error' in v;

function getUser(ctx: IamContext): IamResult {
  const user = targetUser(ctx);
  if (isResult(user)) return user;
  const fields = el('Path', '/') + el('UserName', user.userName) + el('UserId', user.userId) + el('Arn', user.arn);
  return { body: envelope('GetUser', `<User>${fields}${el('CreateDate', isoSeconds(user.createdAt))}</User>`, ctx.requestId) };
}

function createAccessKey(ctx: IamContext): IamResult {
  const user = targetUser(ctx);
  if (isResult(user)) return user;
  const created = ctx.keys.createAccessKey(user.userName, ctx.nowMs);
  if (created === 'no-such-user') return noSuchUser(user.userName);
  if (created === 'limit-exceeded') {
    return { error: awsError(409, 'LimitExceeded', `Cannot exceed quota for AccessKeysPerUser: ${ACCESS_KEYS_PER_USER}`) };
  }
  const key =
    el('UserName', user.userName) +
    el('AccessKeyId', created.accessKeyId) +
    el('Status', 'Active') +
    el('SecretAccessKey', created.secretAccessKey) +
    el('CreateDate', isoSeconds(ctx.nowMs));
  return { body: envelope('CreateAccessKey', `<AccessKey>${key}</AccessKey>`, ctx.requestId) };
}

function listAccessKeys(ctx: IamContext): IamResult {
  const user = targetUser(ctx);
  if (isResult(user)) return user;
  const members = user.accessKeys
    .map(
      (k) =>
        `<member>${el('UserName', user.userName)}${el('AccessKeyId', k.accessKeyId)}${el('Status', 'Active')}${el('CreateDate', isoSeconds(k.createdAt))}</member>`,
    )
    .join('');
  return {
    body: envelope(
      'ListAccessKeys',
      `${el('UserName', user.userName)}<AccessKeyMetadata>${members}</AccessKeyMetadata><IsTruncated>false</IsTruncated>`,
      ctx.requestId,
    ),
  };
}

function deleteAccessKey(ctx: IamContext): IamResult {
  const user = targetUser(ctx);
  if (isResult(user)) return user;
  const accessKeyId = ctx.params.get('AccessKeyId');
  if (!accessKeyId) {
    return {
      error: awsError(
        400,
        'ValidationError',
        "1 validation error detected: Value null at 'accessKeyId' failed to satisfy constraint: Member must not be null",
      ),
    };
  }
  if (!ctx.keys.deleteAccessKey(user.userName, accessKeyId)) {
    return { error: awsError(404, 'NoSuchEntity', `The Access Key with id ${accessKeyId} cannot be found.`) };
  }
  return { body: envelope('DeleteAccessKey', undefined, ctx.requestId) };
}

const nullMember = (member: string): IamResult => ({
  error: awsError(
    400,
    'ValidationError',
    `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
  ),
});

type Entity = { kind: 'role' | 'user'; name: string };

/** The role (RoleName) or user (UserName) an inline-policy action names; it must exist. */
function policyEntity(ctx: IamContext, kind: 'role' | 'user'): Entity | IamResult {
  const param = kind === 'role' ? 'RoleName' : 'UserName';
  const name = ctx.params.get(param);
  if (!name) return nullMember(kind === 'role' ? 'roleName' : 'userName');
  if (kind === 'role') {
    if (!ctx.roles.byName(name)) return { error: awsError(404, 'NoSuchEntity', `The role with name ${name} cannot be found.`) };
  } else if (!ctx.keys.user(name)) return noSuchUser(name);
  return { kind, name };
}

function policyName(ctx: IamContext): string | IamResult {
  const name = ctx.params.get('PolicyName');
  if (!name) return nullMember('policyName');
  if (name.length > 128 || !NAME_PATTERN.test(name)) {
    return {
      error: awsError(
        400,
        'ValidationError',
        `1 validation error detected: Value '${name}' at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+`,
      ),
    };
  }
  return name;
}

const Title = { role: 'Role', user: 'User' } as const;

function putPolicy(kind: 'role' | 'user'): (ctx: IamContext) => IamResult {
  return (ctx) => {
    const entity = policyEntity(ctx, kind);
    if (!('kind' in entity)) return entity;
    const name = policyName(ctx);
    if (typeof name !== 'string') return name;
    const text = ctx.params.get('PolicyDocument');
    if (!text) return nullMember('policyDocument');
    let policy: ReturnType<typeof parseIdentityPolicy>;
    try {
      policy = parseIdentityPolicy(text);
    } catch (e) {
      if (e instanceof PolicyDocumentError) return { error: awsError(400, 'MalformedPolicyDocument', e.message) };
      throw e;
    }
    if (ctx.policies.put(kind, entity.name, name, policy) === 'limit-exceeded') {
      const limit = kind === 'role' ? 10240 : 2048;
      return { error: awsError(409, 'LimitExceeded', `Maximum policy size of ${limit} bytes exceeded for ${kind} ${entity.name}`) };
    }
    return { body: envelope(`Put${Title[kind]}Policy`, undefined, ctx.requestId) };
  };
}

function noSuchPolicy(kind: 'role' | 'user', name: string): IamResult {
  return { error: awsError(404, 'NoSuchEntity', `The ${kind} policy with name ${name} cannot be found.`) };
}

function getPolicy(kind: 'role' | 'user'): (ctx: IamContext) => IamResult {
  return (ctx) => {
    const entity = policyEntity(ctx, kind);
    if (!('kind' in entity)) return entity;
    const name = policyName(ctx);
    if (typeof name !== 'string') return name;
    const policy = ctx.policies.get(kind, entity.name, name);
    if (!policy) return noSuchPolicy(kind, name);
    // IAM answers the document URL-encoded (RFC 3986), as the real service does.
    const fields = el(`${Title[kind]}Name`, entity.name) + el('PolicyName', name) + el('PolicyDocument', encodeURIComponent(policy.text));
    return { body: envelope(`Get${Title[kind]}Policy`, fields, ctx.requestId) };
  };
}

function deletePolicy(kind: 'role' | 'user'): (ctx: IamContext) => IamResult {
  return (ctx) => {
    const entity = policyEntity(ctx, kind);
    if (!('kind' in entity)) return entity;
    const name = policyName(ctx);
    if (typeof name !== 'string') return name;
    if (!ctx.policies.delete(kind, entity.name, name)) return noSuchPolicy(kind, name);
    return { body: envelope(`Delete${Title[kind]}Policy`, undefined, ctx.requestId) };
  };
}

function listPolicies(kind: 'role' | 'user'): (ctx: IamContext) => IamResult {
  return (ctx) => {
    const entity = policyEntity(ctx, kind);
    if (!('kind' in entity)) return entity;
    const members = ctx.policies
      .list(kind, entity.name)
      .map((n) => el('member', n))
      .join('');
    return {
      body: envelope(`List${Title[kind]}Policies`, `<PolicyNames>${members}</PolicyNames><IsTruncated>false</IsTruncated>`, ctx.requestId),
    };
  };
}

// A Map, so an Action such as 'toString' cannot reach Object.prototype.
export const IAM_ACTIONS = new Map<string, (ctx: IamContext) => IamResult>([
  ['GetUser', getUser],
  ['CreateAccessKey', createAccessKey],
  ['ListAccessKeys', listAccessKeys],
  ['DeleteAccessKey', deleteAccessKey],
  ['PutRolePolicy', putPolicy('role')],
  ['GetRolePolicy', getPolicy('role')],
  ['DeleteRolePolicy', deletePolicy('role')],
  ['ListRolePolicies', listPolicies('role')],
  ['PutUserPolicy', putPolicy('user')],
  ['GetUserPolicy', getPolicy('user')],
  ['DeleteUserPolicy', deletePolicy('user')],
  ['ListUserPolicies', listPolicies('user')],
]);
