// Just enough IAM (Query protocol, Version 2010-05-08) to create, list and delete an IAM user's
// access keys, as a deploy script rotating the federation user's keys does. Keys made here sign
// requests at once; a deleted key stops at once. Identity policies are not evaluated.
import { type AwsError, awsError } from './errors';
import { ACCESS_KEYS_PER_USER, type IamUser, type KeyRecord, type KeyStore } from './identity';
import type { Params } from './params';
import { isoSeconds, xmlEscape } from './xml';

export const IAM_VERSION = '2010-05-08';
const IAM_NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/';

export interface IamContext {
  nowMs: number;
  caller: KeyRecord;
  keys: KeyStore;
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

// A Map, so an Action such as 'toString' cannot reach Object.prototype.
export const IAM_ACTIONS = new Map<string, (ctx: IamContext) => IamResult>([
  ['GetUser', getUser],
  ['CreateAccessKey', createAccessKey],
  ['ListAccessKeys', listAccessKeys],
  ['DeleteAccessKey', deleteAccessKey],
]);
