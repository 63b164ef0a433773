// The four STS actions, run for an already authenticated caller.
import type { MessageSealer } from './authorization-messages';
import { type AwsError, awsError } from './errors';
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
import { assumeRoleRequest, federationTokenRequest, type Params, type SessionInputs, sessionTokenRequest } from './params';
import { required } from './required';
import type { RoleRegistry } from './roles';
import { type AssumeRoleFacts, assumeRoleContext, authorize, requiredActions, STS_ASSUME_ROLE } from './trust';
import type { LocalStsSession, LocalStsSessionTag } from './types';
import {
  assumeRoleXml,
  type CredentialsXml,
  callerIdentityXml,
  decodedMessageXml,
  federationTokenXml,
  isoSeconds,
  sessionTokenXml,
} from './xml';

export interface ActionContext {
  accountId: string;
  nowMs: number;
  caller: KeyRecord;
  keys: KeyStore;
  roles: RoleRegistry;
  params: Params;
  requestId: string;
  /** Encodes the authorization failure messages AccessDenied answers carry, and decodes them. */
  messages: MessageSealer;
  /** Records the facts of credentials just issued. */
  observe(session: LocalStsSession): void;
}

export type ActionResult = { body: string } | { error: AwsError };

/** AccessDenied with an encoded authorization failure message, as EC2 and others append it; DecodeAuthorizationMessage reads it. */
function accessDenied(ctx: ActionContext, message: string, action: string, resource: string): ActionResult {
  const encoded = ctx.messages.encode(ctx.caller.principal, action, resource);
  return { error: awsError(403, 'AccessDenied', `${message} Encoded authorization failure message: ${encoded}`) };
}

/** Validated tags (keys and values present), marked transitive when TransitiveTagKeys names them (keys are case-insensitive). */
function sessionTags(input: SessionInputs): LocalStsSessionTag[] {
  const transitive = new Set(input.transitiveTagKeys.map((k) => k.toLowerCase()));
  return input.tags.map((t) => ({ key: t.key ?? '', value: t.value ?? '', transitive: transitive.has((t.key ?? '').toLowerCase()) }));
}

/** The observation of an issued credential; everything but the secrets. */
function observation(
  ctx: ActionContext,
  action: LocalStsSession['action'],
  issued: KeyRecord,
  durationSeconds: number,
  facts: { input?: SessionInputs; roleArn?: string; sourceIdentity?: string; externalIdPresent?: boolean },
): LocalStsSession {
  return {
    accessKeyId: issued.accessKeyId,
    action,
    callerArn: ctx.caller.principal.arn,
    principalArn: issued.principal.arn,
    principalId: issued.principal.userId,
    ...(facts.roleArn !== undefined ? { roleArn: facts.roleArn } : {}),
    ...(facts.sourceIdentity !== undefined ? { sourceIdentity: facts.sourceIdentity } : {}),
    tags: facts.input ? sessionTags(facts.input) : [],
    ...(facts.input?.policy !== undefined ? { policy: facts.input.policy } : {}),
    policyArns: facts.input ? [...facts.input.policyArns] : [],
    durationSeconds,
    issuedAt: isoSeconds(ctx.nowMs),
    expiresAt: isoSeconds(issued.expiresAt ?? ctx.nowMs),
    externalIdPresent: facts.externalIdPresent ?? false,
  };
}

function credentialsOf(record: KeyRecord): CredentialsXml {
  return {
    accessKeyId: record.accessKeyId,
    secretAccessKey: record.secretAccessKey,
    sessionToken: record.sessionToken ?? '',
    expiresAt: record.expiresAt ?? 0,
  };
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
  if (ctx.caller.source !== 'long-term') {
    return accessDenied(ctx, 'Cannot call GetFederationToken with session credentials', 'sts:GetFederationToken', '*');
  }
  const req = federationTokenRequest(ctx.params);
  const invalid = validateFederationToken(req);
  if (invalid) return { error: invalid };
  const policy = checkSessionPolicy(req);
  if ('error' in policy) return policy;
  const duration = Number(req.durationSeconds ?? LIMITS.federationDuration.default);
  // Name is validated as required above.
  const principal = federatedPrincipal(ctx.accountId, required(req.name, 'Name'));
  const issued = ctx.keys.issue(principal, 'federation', ctx.nowMs + duration * 1000, ctx.nowMs);
  ctx.observe(observation(ctx, 'GetFederationToken', issued, duration, { input: req }));
  return {
    body: federationTokenXml({
      credentials: credentialsOf(issued),
      federatedUserId: principal.userId,
      arn: principal.arn,
      packedPolicySize: policy.packed,
      requestId: ctx.requestId,
    }),
  };
}

function assumeRole(ctx: ActionContext): ActionResult {
  const req = assumeRoleRequest(ctx.params);
  const invalid = validateAssumeRole(req);
  if (invalid) return { error: invalid };
  // Both validated as required above.
  const roleArn = required(req.roleArn, 'RoleArn');
  const roleSessionName = required(req.roleSessionName, 'RoleSessionName');
  const caller: Principal = ctx.caller.principal;
  const denied = (action: string): ActionResult =>
    accessDenied(ctx, `User: ${caller.arn} is not authorized to perform: ${action} on resource: ${roleArn}`, action, roleArn);
  // Federated users may call no STS action but GetCallerIdentity; unknown roles look like untrusted ones.
  const entry = ctx.roles.get(roleArn);
  if (caller.kind === 'federated-user' || !entry) return denied(STS_ASSUME_ROLE);
  const facts: AssumeRoleFacts = {
    roleSessionName,
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
  const principal = assumedRolePrincipal(ctx.accountId, roleArn, roleSessionName);
  const issued = ctx.keys.issue(principal, 'assume-role', ctx.nowMs + duration * 1000, ctx.nowMs);
  ctx.observe(
    observation(ctx, 'AssumeRole', issued, duration, {
      input: req,
      roleArn,
      sourceIdentity: req.sourceIdentity,
      externalIdPresent: req.externalId !== undefined,
    }),
  );
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
  if (ctx.caller.source !== 'long-term') {
    return accessDenied(ctx, 'Cannot call GetSessionToken with session credentials', 'sts:GetSessionToken', '*');
  }
  const req = sessionTokenRequest(ctx.params);
  const invalid = validateSessionToken(req);
  if (invalid) return { error: invalid };
  const duration = Number(req.durationSeconds ?? LIMITS.sessionTokenDuration.default);
  // Session-token credentials act as the IAM user itself.
  const issued = ctx.keys.issue(ctx.caller.principal, 'session-token', ctx.nowMs + duration * 1000, ctx.nowMs);
  ctx.observe(observation(ctx, 'GetSessionToken', issued, duration, {}));
  return { body: sessionTokenXml({ credentials: credentialsOf(issued), requestId: ctx.requestId }) };
}

function getCallerIdentity(ctx: ActionContext): ActionResult {
  const { userId, arn } = ctx.caller.principal;
  return { body: callerIdentityXml({ userId, account: ctx.accountId, arn, requestId: ctx.requestId }) };
}

/**
 * Decodes a message this emulator encoded. Federated users may not (they may call no STS action but
 * GetCallerIdentity); any other caller of the account may, unless an explicit Deny in its identity
 * policies (checked by the server before any action runs) refuses it.
 */
function decodeAuthorizationMessage(ctx: ActionContext): ActionResult {
  if (ctx.caller.principal.kind === 'federated-user') {
    return accessDenied(
      ctx,
      `User: ${ctx.caller.principal.arn} is not authorized to perform: sts:DecodeAuthorizationMessage`,
      'sts:DecodeAuthorizationMessage',
      '*',
    );
  }
  const encoded = ctx.params.get('EncodedMessage');
  if (encoded === undefined || encoded.length === 0) {
    return {
      error: awsError(
        400,
        'ValidationError',
        "1 validation error detected: Value null at 'encodedMessage' failed to satisfy constraint: Member must not be null",
      ),
    };
  }
  const decoded = ctx.messages.decode(encoded);
  if (decoded === undefined) return { error: awsError(400, 'InvalidAuthorizationMessageException', 'The encoded message is invalid.') };
  return { body: decodedMessageXml({ decodedMessage: decoded, requestId: ctx.requestId }) };
}

// A Map, so an Action such as 'toString' cannot reach Object.prototype.
export const STS_ACTIONS = new Map<string, (ctx: ActionContext) => ActionResult>([
  ['GetFederationToken', getFederationToken],
  ['AssumeRole', assumeRole],
  ['GetSessionToken', getSessionToken],
  ['GetCallerIdentity', getCallerIdentity],
  ['DecodeAuthorizationMessage', decodeAuthorizationMessage],
]);
