// The four STS actions, run for an already authenticated caller.
import { awsError, type AwsError } from './errors';
import { assumedRolePrincipal, federatedPrincipal, type KeyRecord, type KeyStore, type Principal } from './identity';
import {
  checkPackedSize,
  checkPolicyDocument,
  checkRoleDuration,
  LIMITS,
  packedPolicySize,
  validateAssumeRole,
  validateFederationToken,
  validateSessionToken,
} from './limits';
import { assumeRoleRequest, federationTokenRequest, sessionTokenRequest, type Params, type SessionInputs } from './params';
import type { RoleRegistry } from './roles';
import { assumeRoleContext, authorize, requiredActions, STS_ASSUME_ROLE, type AssumeRoleFacts } from './trust';
import { assumeRoleXml, callerIdentityXml, federationTokenXml, sessionTokenXml, type CredentialsXml } from './xml';

export interface ActionContext {
  accountId: string;
  nowMs: number;
  caller: KeyRecord;
  keys: KeyStore;
  roles: RoleRegistry;
  params: Params;
  requestId: string;
}

export type ActionResult = { body: string } | { error: AwsError };

const accessDenied = (message: string): ActionResult => ({ error: awsError(403, 'AccessDenied', message) });

/** Validated tags: keys and values are present. */
function sessionTags(input: SessionInputs): Array<{ key: string; value: string }> {
  return input.tags.map((t) => ({ key: t.key ?? '', value: t.value ?? '' }));
}

function credentialsOf(record: KeyRecord): CredentialsXml {
  return { accessKeyId: record.accessKeyId, secretAccessKey: record.secretAccessKey, sessionToken: record.sessionToken ?? '', expiresAt: record.expiresAt ?? 0 };
}

/** MalformedPolicyDocument, then the packed size; answers the size percentage when both pass. */
function checkSessionPolicy(input: SessionInputs): { error: AwsError } | { packed: number } {
  const malformed = input.policy === undefined ? undefined : checkPolicyDocument(input.policy);
  if (malformed) return { error: malformed };
  const packed = packedPolicySize(input);
  const tooLarge = checkPackedSize(packed);
  return tooLarge ? { error: tooLarge } : { packed };
}

function getFederationToken(ctx: ActionContext): ActionResult {
  // AWS refuses federation from any temporary credentials: it needs an IAM user's long-term keys.
  if (ctx.caller.source !== 'long-term') return accessDenied('Cannot call GetFederationToken with session credentials');
  const req = federationTokenRequest(ctx.params);
  const invalid = validateFederationToken(req);
  if (invalid) return { error: invalid };
  const policy = checkSessionPolicy(req);
  if ('error' in policy) return policy;
  const duration = Number(req.durationSeconds ?? LIMITS.federationDuration.default);
  const principal = federatedPrincipal(ctx.accountId, req.name!);
  const issued = ctx.keys.issue(principal, 'federation', ctx.nowMs + duration * 1000);
  return {
    body: federationTokenXml({ credentials: credentialsOf(issued), federatedUserId: principal.userId, arn: principal.arn, packedPolicySize: policy.packed, requestId: ctx.requestId }),
  };
}

function assumeRole(ctx: ActionContext): ActionResult {
  const req = assumeRoleRequest(ctx.params);
  const invalid = validateAssumeRole(req);
  if (invalid) return { error: invalid };
  const roleArn = req.roleArn!;
  const caller: Principal = ctx.caller.principal;
  const denied = (action: string): ActionResult => accessDenied(`User: ${caller.arn} is not authorized to perform: ${action} on resource: ${roleArn}`);
  // Federated users may call no STS action but GetCallerIdentity; unknown roles look like untrusted ones.
  const entry = ctx.roles.get(roleArn);
  if (caller.kind === 'federated-user' || !entry) return denied(STS_ASSUME_ROLE);
  const facts: AssumeRoleFacts = {
    roleSessionName: req.roleSessionName!,
    externalId: req.externalId,
    sourceIdentity: req.sourceIdentity,
    tags: sessionTags(req),
    transitiveTagKeys: req.transitiveTagKeys,
    temporaryCredentials: ctx.caller.source !== 'long-term',
  };
  const verdict = authorize(entry.trust, caller, requiredActions(facts), assumeRoleContext(caller, facts));
  if (!verdict.allowed) return denied(verdict.action);
  const role = entry.role;
  const duration = Number(req.durationSeconds ?? LIMITS.assumeRoleDuration.default);
  const tooLong = checkRoleDuration(duration, role.maxSessionDuration, ctx.caller.source === 'assume-role');
  if (tooLong) return { error: tooLong };
  const policy = checkSessionPolicy(req);
  if ('error' in policy) return policy;
  const principal = assumedRolePrincipal(ctx.accountId, roleArn, req.roleSessionName!);
  const issued = ctx.keys.issue(principal, 'assume-role', ctx.nowMs + duration * 1000);
  return {
    body: assumeRoleXml({
      credentials: credentialsOf(issued),
      assumedRoleId: principal.userId,
      arn: principal.arn,
      packedPolicySize: policy.packed,
      sourceIdentity: req.sourceIdentity,
      requestId: ctx.requestId,
    }),
  };
}

function getSessionToken(ctx: ActionContext): ActionResult {
  if (ctx.caller.source !== 'long-term') return accessDenied('Cannot call GetSessionToken with session credentials');
  const req = sessionTokenRequest(ctx.params);
  const invalid = validateSessionToken(req);
  if (invalid) return { error: invalid };
  const duration = Number(req.durationSeconds ?? LIMITS.sessionTokenDuration.default);
  // Session-token credentials act as the IAM user itself.
  const issued = ctx.keys.issue(ctx.caller.principal, 'session-token', ctx.nowMs + duration * 1000);
  return { body: sessionTokenXml({ credentials: credentialsOf(issued), requestId: ctx.requestId }) };
}

function getCallerIdentity(ctx: ActionContext): ActionResult {
  const { userId, arn } = ctx.caller.principal;
  return { body: callerIdentityXml({ userId, account: ctx.accountId, arn, requestId: ctx.requestId }) };
}

// A Map, so an Action such as 'toString' cannot reach Object.prototype.
export const STS_ACTIONS = new Map<string, (ctx: ActionContext) => ActionResult>([
  ['GetFederationToken', getFederationToken],
  ['AssumeRole', assumeRole],
  ['GetSessionToken', getSessionToken],
  ['GetCallerIdentity', getCallerIdentity],
]);
