// The issuance flow: tenant context -> render -> down-scope -> STS limits -> STS -> ledger.
// Fail closed: credentials are returned only after their issuance record is durably written.
import { createHash } from 'node:crypto';
import { ForbiddenError, UnauthorizedError, UnprocessableError } from '../core/errors';
import { logger } from '../core/log';
import {
  type AssumeRoleSettings,
  IDENTITY_TAGS,
  type IssuanceRecord,
  type Mode,
  type ModeSettings,
  type TenantPolicy,
} from '../core/model';
import { required } from '../core/required';
import type { Caller } from '../identity/authenticate';
import { RenderedKeyCollisionError, renderStatements, renderTags, type TemplateValues } from '../policy/render';
import { assertScopeCovered, buildSessionPolicy } from '../policy/session';
import {
  type AssumeRoleRequest,
  assertAssumeRoleWithinLimits,
  assertFederationWithinLimits,
  type FederationRequest,
} from '../policy/sts-limits';
import type { IssuanceLedger, IssuedCredentials, PartnerDirectory, RateLimiter, StsPort } from './ports';
import type { IssueRequest } from './request';

export type { IssueRequest } from './request';

export interface IssueDeps {
  directory: PartnerDirectory;
  ledger: IssuanceLedger;
  sts: StsPort;
  now: () => Date;
  newId: () => string;
  /** Used only for tenants whose policy sets `rateLimit`; the others keep one DynamoDB write per issuance. */
  rateLimiter?: RateLimiter;
}

export interface IssueContext {
  caller: Caller;
  requestId: string;
  sourceIp: string;
  userAgent: string;
}

export interface IssueResult {
  record: IssuanceRecord;
  credentials: IssuedCredentials;
  refreshAfter: Date;
}

export interface ResolvedPolicy {
  policy: TenantPolicy;
  mode: Mode;
  settings: ModeSettings;
}

/** Loads the partner's tenant context and checks that everything is enabled; the 403s of the flow. */
export async function resolvePartnerPolicy(directory: PartnerDirectory, caller: Caller, requestedMode?: Mode): Promise<ResolvedPolicy> {
  if (caller.kind !== 'partner' || !caller.tenantId || !caller.partnerId) {
    throw new ForbiddenError('wrong_key_kind', 'Only partner keys can obtain credentials');
  }
  const { tenant, partner, policy } = await directory.getPartnerContext(caller.tenantId, caller.partnerId);
  if (!tenant || !partner) throw new UnauthorizedError('invalid_key', 'The API key is not valid');
  if (tenant.status !== 'enabled') throw new ForbiddenError('tenant_disabled', 'The tenant is disabled');
  if (partner.status !== 'enabled') throw new ForbiddenError('partner_disabled', 'The partner is disabled');
  if (!policy) throw new ForbiddenError('policy_not_configured', 'The tenant has no credential policy yet');
  const mode = requestedMode ?? policy.document.defaultMode;
  const settings = policy.document.modes[mode];
  if (!settings) throw new ForbiddenError('mode_not_allowed', `The tenant does not allow ${mode} credentials`);
  return { policy, mode, settings };
}

/** Renders the tenant's statements; a session name that would merge two condition keys is refused. */
export function renderPolicyStatements(statements: TenantPolicy['document']['statements'], values: TemplateValues) {
  try {
    return renderStatements(statements, values);
  } catch (err) {
    if (err instanceof RenderedKeyCollisionError) {
      throw new UnprocessableError('session_name_conflict', 'The sessionName would make two policy keys identical; choose another', {
        details: [{ path: '$.sessionName', message: err.message }],
      });
    }
    throw err;
  }
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Credentials should be refreshed once 80% of their life has passed (at least a minute before expiry). */
export function refreshAfterOf(issuedAt: Date, expiration: Date): Date {
  const life = expiration.getTime() - issuedAt.getTime();
  return new Date(Math.min(issuedAt.getTime() + life * 0.8, expiration.getTime() - 60_000));
}

export type IssuancePlan =
  | { mode: 'federation'; policyText: string; sessionName: string; request: FederationRequest }
  | { mode: 'assume-role'; policyText: string; sessionName: string; request: AssumeRoleRequest };

/**
 * Everything short of calling STS: the duration, the session name, the rendered and down-scoped
 * session policy and the exact STS request. Shared by issuance and the admin preview.
 */
export function planIssuance(
  resolved: ResolvedPolicy,
  who: { tenantId: string; partnerId: string },
  request: IssueRequest,
  issuanceId: string,
): IssuancePlan {
  const { policy, mode, settings } = resolved;
  const { tenantId, partnerId } = who;
  const durationSeconds = request.durationSeconds ?? settings.defaultDurationSeconds;
  if (durationSeconds > settings.maxDurationSeconds) {
    throw new UnprocessableError(
      'duration_not_allowed',
      `durationSeconds ${durationSeconds} exceeds the tenant's maximum of ${settings.maxDurationSeconds} for ${mode}`,
      { details: [{ path: '$.durationSeconds', message: `at most ${settings.maxDurationSeconds}`, limit: 'TenantMaxDuration' }] },
    );
  }

  // The defaults stay within the STS name limits: partner ids are at most 32 characters.
  const sessionName = request.sessionName ?? (mode === 'federation' ? partnerId : `${partnerId}.${issuanceId.slice(0, 12)}`);
  const values: TemplateValues = { tenantId, partnerId, sessionName };
  const rendered = renderPolicyStatements(policy.document.statements, values);
  if (request.scope) assertScopeCovered(rendered, request.scope);
  const policyText = JSON.stringify(buildSessionPolicy(rendered, request.scope));
  const policyArns = policy.document.managedPolicyArns ?? [];

  if (mode === 'federation') {
    return { mode, policyText, sessionName, request: { name: sessionName, durationSeconds, policy: policyText, policyArns } };
  }
  const role = settings as AssumeRoleSettings;
  const withTags = role.sessionTags !== false;
  return {
    mode,
    policyText,
    sessionName,
    request: {
      roleArn: role.roleArn,
      roleSessionName: sessionName,
      durationSeconds,
      roleMaxSessionDuration: role.roleMaxSessionDuration,
      policy: policyText,
      policyArns,
      externalId: role.externalId,
      sourceIdentity: partnerId,
      tags: withTags ? { ...renderTags(policy.document.sessionTags, values), tenant: tenantId, partner: partnerId } : {},
      transitiveTagKeys: withTags ? [...IDENTITY_TAGS] : [],
    },
  };
}

/** The STS limits of DESIGN.md, checked before STS is called (422 naming each limit). */
export function assertPlanWithinLimits(plan: IssuancePlan): void {
  if (plan.mode === 'federation') assertFederationWithinLimits(plan.request);
  else assertAssumeRoleWithinLimits(plan.request);
}

export async function issueCredentials(deps: IssueDeps, ctx: IssueContext, request: IssueRequest): Promise<IssueResult> {
  const resolved = await resolvePartnerPolicy(deps.directory, ctx.caller, request.mode);
  // resolvePartnerPolicy has refused any caller that is not a partner with both ids.
  const tenantId = required(ctx.caller.tenantId, "the partner caller's tenantId");
  const partnerId = required(ctx.caller.partnerId, "the partner caller's partnerId");
  const issuanceId = deps.newId();
  const plan = planIssuance(resolved, { tenantId, partnerId }, request, issuanceId);
  assertPlanWithinLimits(plan);
  // Counted after every up-front check, so a refused request never uses up the partner's quota.
  const rateLimit = resolved.policy.document.rateLimit;
  if (rateLimit && deps.rateLimiter) await deps.rateLimiter.consume(tenantId, partnerId, rateLimit.perMinute);
  const credentials =
    plan.mode === 'federation' ? await deps.sts.getFederationToken(plan.request) : await deps.sts.assumeRole(plan.request);

  const issuedAt = deps.now();
  const record: IssuanceRecord = {
    issuanceId,
    tenantId,
    partnerId,
    keyId: ctx.caller.keyId,
    mode: plan.mode,
    accessKeyId: credentials.accessKeyId,
    principalArn: credentials.principalArn,
    principalId: credentials.principalId,
    sourceIdentity: plan.mode === 'assume-role' ? plan.request.sourceIdentity : undefined,
    policyVersion: resolved.policy.version,
    policySha256: sha256Hex(plan.policyText),
    scope:
      request.scope?.actions?.length || request.scope?.resources?.length
        ? { actions: request.scope.actions ?? [], resources: request.scope.resources ?? [] }
        : undefined,
    durationSeconds: plan.request.durationSeconds,
    issuedAt: issuedAt.toISOString(),
    expiresAt: credentials.expiration.toISOString(),
    sourceIp: ctx.sourceIp,
    userAgent: ctx.userAgent.slice(0, 512),
    requestId: ctx.requestId,
    status: 'active',
  };
  await deps.ledger.record(record);
  logger.info('credentials issued', {
    issuanceId,
    tenantId,
    partnerId,
    keyId: record.keyId,
    mode: plan.mode,
    durationSeconds: record.durationSeconds,
  });
  return { record, credentials, refreshAfter: refreshAfterOf(issuedAt, credentials.expiration) };
}
