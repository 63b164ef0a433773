// The issuance flow: tenant context -> rate limit -> render -> down-scope -> STS limits -> STS -> ledger.
// Fail closed: credentials are returned only after their issuance record is durably written.
import { createHash } from 'node:crypto';
import { AppError, ForbiddenError, UnauthorizedError, UnprocessableError } from '../core/errors';
import { logger } from '../core/log';
import {
  type AssumeRoleSettings,
  type BoundRole,
  IDENTITY_TAGS,
  type IssuanceRecord,
  MFA_TAG,
  type Mode,
  type ModeSettings,
  type TenantBinding,
  type TenantPolicy,
} from '../core/model';
import { required } from '../core/required';
import type { Caller } from '../identity/authenticate';
import { bindingProblems, CEILING_CODES, effectiveRateLimit } from '../policy/binding';
import { RenderedKeyCollisionError, renderStatements, renderTags, type TemplateValues, UnknownPlaceholderError } from '../policy/render';
import { assertScopeCovered, buildSessionPolicy } from '../policy/session';
import {
  type AssumeRoleRequest,
  assertAssumeRoleWithinLimits,
  assertFederationWithinLimits,
  type FederationRequest,
} from '../policy/sts-limits';
import type { IssuanceLedger, IssuedCredentials, MfaAssertion, MfaGate, PartnerDirectory, RateLimiter, StsPort } from './ports';
import { federationName, partnerIdentity, roleSessionName } from './principal-names';
import type { IssueRequest } from './request';

export type { IssueRequest } from './request';

export interface IssueDeps {
  directory: PartnerDirectory;
  ledger: IssuanceLedger;
  sts: StsPort;
  now: () => Date;
  newId: () => string;
  /** Counts every issuance request that reaches planning, against effectiveRateLimit (lib/policy/binding.ts). */
  rateLimiter?: RateLimiter;
  /** The operators' per-partner ceiling (issuances per minute): a tenant's own limit may only be lower. */
  partnerRateCeilingPerMinute?: number;
  /** The MFA gate (lib/vend/mfa-gate.ts); the wiring loads it only when the policy has a requirement or a code is sent. */
  mfa: MfaGate;
}

export interface IssueContext {
  caller: Caller;
  requestId: string;
  sourceIp: string;
  userAgent: string;
  /** A second factor the caller's authentication asserted (web-identity `amr`, see mfa-gate.ts): counts as MFA. */
  mfaAssertion?: MfaAssertion;
}

export interface IssueResult {
  record: IssuanceRecord;
  credentials: IssuedCredentials;
  refreshAfter: Date;
}

export interface ResolvedPolicy {
  policy: TenantPolicy;
  binding: TenantBinding;
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
  if (!tenant.binding) throw new ForbiddenError('binding_not_configured', 'An operator has not bound the tenant to any role yet');
  const mode = requestedMode ?? policy.document.defaultMode;
  const settings = policy.document.modes[mode];
  if (!settings) throw new ForbiddenError('mode_not_allowed', `The tenant does not allow ${mode} credentials`);
  return { policy, binding: tenant.binding, mode, settings };
}

/** Renders the tenant's statements; a partner id that would merge two condition keys is refused. */
export function renderPolicyStatements(statements: TenantPolicy['document']['statements'], values: TemplateValues) {
  try {
    return renderStatements(statements, values);
  } catch (err) {
    if (err instanceof RenderedKeyCollisionError) {
      throw new UnprocessableError('policy_key_collision', 'The tenant policy renders two identical keys for this partner', {
        details: [{ path: '$.statements', message: err.message }],
      });
    }
    if (err instanceof UnknownPlaceholderError) {
      // Only a policy stored before a placeholder was withdrawn ({{sessionName}}) gets here.
      throw new ForbiddenError('policy_needs_update', 'The tenant policy uses a placeholder credvend no longer fills; it must be updated', {
        details: [{ path: '$.statements', message: err.message }],
      });
    }
    throw err;
  }
}

/** The tenant's extra session tags, rendered; a withdrawn placeholder refuses like one in a statement. */
function renderSessionTags(tags: Record<string, string> | undefined, values: TemplateValues): Record<string, string> {
  try {
    return renderTags(tags, values);
  } catch (err) {
    if (!(err instanceof UnknownPlaceholderError)) throw err;
    throw new ForbiddenError('policy_needs_update', 'The tenant policy uses a placeholder credvend no longer fills; it must be updated', {
      details: [{ path: '$.sessionTags', message: err.message }],
    });
  }
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Refreshed a fifth of the way before expiry (at least a minute before it). */
export function refreshAfterOf(issuedAt: Date, expiration: Date): Date {
  const life = expiration.getTime() - issuedAt.getTime();
  return new Date(Math.min(issuedAt.getTime() + life * 0.8, expiration.getTime() - 60_000));
}

export type IssuancePlan =
  | { mode: 'federation'; policyText: string; sessionName: string; request: FederationRequest }
  | { mode: 'assume-role'; policyText: string; sessionName: string; request: AssumeRoleRequest };

/** The binding's word on this tenant's policy for the mode in use (it may have narrowed since the PUT). */
function assertWithinBinding(resolved: ResolvedPolicy, tenantId: string): void {
  const { policy, binding, mode, settings } = resolved;
  // Ceilings are applied below (duration, rate), not refused: a binding lowered after the PUT caps issuances.
  const problems = bindingProblems({ ...policy.document, modes: { [mode]: settings } }, binding, tenantId).filter(
    (p) => !CEILING_CODES.has(p.code),
  );
  if (problems.length) {
    // A withdrawn placeholder is the policy's own fault, whichever mode meets it first.
    const stale = problems.some((p) => p.code === 'unknown_placeholder');
    throw new ForbiddenError(
      stale ? 'policy_needs_update' : 'policy_outside_binding',
      stale
        ? 'The tenant policy uses a placeholder credvend no longer fills; it must be updated'
        : "The tenant policy asks for more than the operator's binding allows",
      {
        details: problems.map((p) => ({ ...p })),
      },
    );
  }
}

/**
 * Everything short of calling STS: the duration, the principal's names, the rendered and down-scoped
 * session policy and the exact STS request. Shared by issuance and the admin preview.
 */
export function planIssuance(
  resolved: ResolvedPolicy,
  who: { tenantId: string; partnerId: string; claimTags?: Record<string, string> },
  request: IssueRequest,
  issuanceId: string,
  /**
   * The session passed an MFA check: it carries the session tag mfa=true, not transitive (a role
   * chained from the session proved no second factor itself, as with AWS's own aws:MultiFactorAuthPresent).
   */
  mfa?: boolean,
): IssuancePlan {
  const { policy, binding, mode, settings } = resolved;
  const { tenantId, partnerId } = who;
  assertWithinBinding(resolved, tenantId);
  const maxDurationSeconds = Math.min(settings.maxDurationSeconds, binding.maxDurationSeconds ?? Number.POSITIVE_INFINITY);
  const durationSeconds = request.durationSeconds ?? Math.min(settings.defaultDurationSeconds, maxDurationSeconds);
  if (durationSeconds > maxDurationSeconds) {
    throw new UnprocessableError(
      'duration_not_allowed',
      `durationSeconds ${durationSeconds} exceeds the maximum of ${maxDurationSeconds} for ${mode}`,
      {
        details: [{ path: '$.durationSeconds', message: `at most ${maxDurationSeconds}`, limit: 'TenantMaxDuration' }],
      },
    );
  }

  // Only identifiers credvend controls are rendered; the request's sessionName is a name suffix only.
  const values: TemplateValues = { tenantId, partnerId };
  const rendered = renderPolicyStatements(policy.document.statements, values);
  if (request.scope) assertScopeCovered(rendered, request.scope);
  const policyText = JSON.stringify(buildSessionPolicy(rendered, request.scope));
  const policyArns = policy.document.managedPolicyArns ?? [];
  // On every session, federation included; the tenant cannot remove or override them. A token's claim
  // tags (`oidc:<claim>`, which tenant policies may not use) come between: they can override neither.
  // A policy stored before `oidc:` was reserved loses its `oidc:` tags (STS keys are case-insensitive).
  // `mfa` is credvend's alone too: a tenant tag of that name (refused at PUT since issue 19, but possibly
  // stored before) is dropped, whatever its case, and only a checked code or assertion sets it.
  const own = renderSessionTags(policy.document.sessionTags, values);
  for (const key of Object.keys(own)) if (/^(oidc:|mfa$)/i.test(key)) delete own[key];
  const tags: Record<string, string> = { ...own, ...who.claimTags, tenant: tenantId, partner: partnerId };
  if (mfa) tags[MFA_TAG] = 'true';

  if (mode === 'federation') {
    const sessionName = federationName(tenantId, partnerId, request.sessionName);
    return { mode, policyText, sessionName, request: { name: sessionName, durationSeconds, policy: policyText, policyArns, tags } };
  }
  const role = binding.roles[(settings as AssumeRoleSettings).role] as BoundRole;
  const sessionName = roleSessionName(tenantId, partnerId, request.sessionName ?? issuanceId.slice(0, 8));
  return {
    mode,
    policyText,
    sessionName,
    request: {
      roleArn: role.roleArn,
      roleSessionName: sessionName,
      durationSeconds,
      roleMaxSessionDuration: role.maxSessionDuration,
      policy: policyText,
      policyArns,
      externalId: binding.externalId,
      sourceIdentity: partnerIdentity(tenantId, partnerId),
      tags,
      transitiveTagKeys: [...IDENTITY_TAGS],
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
  // Counted before any planning: a request refused later (403 scope, 422 limits) uses the partner's budget
  // too, and a partner over it costs no rendering or scope matching.
  const perMinute = effectiveRateLimit(resolved.policy.document, resolved.binding, deps.partnerRateCeilingPerMinute);
  if (perMinute !== undefined && deps.rateLimiter) await deps.rateLimiter.consume(tenantId, partnerId, perMinute);
  // After the rate limit: guessing codes costs the partner's issuance budget. Only a policy with an MFA
  // requirement or a request with a code (never empty: six digits) loads the gate; any other issuance
  // is not MFA-verified (an asserted second factor, ctx.mfaAssertion, counts where MFA is required).
  const mfa = !!(request.mfaCode || resolved.policy.document.mfa) && (await deps.mfa.check(resolved, tenantId, partnerId, request, ctx));
  const issuanceId = deps.newId();
  const plan = planIssuance(resolved, { tenantId, partnerId, claimTags: ctx.caller.claimTags }, request, issuanceId, mfa);
  assertPlanWithinLimits(plan);
  let credentials: IssuedCredentials;
  try {
    credentials = plan.mode === 'federation' ? await deps.sts.getFederationToken(plan.request) : await deps.sts.assumeRole(plan.request);
  } catch (err) {
    // Counted for the STS-throttling alarm (EMF), after the SDK's own retries.
    if (err instanceof AppError && err.code === 'sts_throttled') logger.metric('StsThrottles', 1);
    throw err;
  }

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
    // The inline policy and the managed policy ARNs: what the session may do, both parts.
    policySha256: sha256Hex([plan.policyText, ...plan.request.policyArns].join('\n')),
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
    // Who the OIDC token named (never the token): the ledger answers "which workflow got this key".
    ...(ctx.caller.webIdentity ? { webIdentity: ctx.caller.webIdentity } : {}),
    mfa: mfa || undefined,
  };
  try {
    await deps.ledger.record(record);
  } catch (err) {
    // Fail closed (503, no credentials), and counted for the audit-write alarm (EMF).
    logger.metric('AuditWriteFailures', 1);
    throw err;
  }
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
