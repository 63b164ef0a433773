// Policy preview: what an issuance for this partner and request would send to STS, and every reason
// it would be refused — without calling STS or writing anything. It plans with the issuance flow's
// own planIssuance (lib/vend/issue.ts); where issuance stops at the first problem, the preview records it
// and plans again with that input set aside, so it lists them all.

import { AppError, type ErrorDetail } from '../core/errors';
import type { Mode, TenantBinding, TenantPolicyDocument } from '../core/model';
import type { Caller } from '../identity/authenticate';
import { bindingProblems } from '../policy/binding';
import { mfaBindingProblems, mfaRequired } from '../policy/mfa';
import { UnknownPlaceholderError } from '../policy/render';
import { buildSessionPolicy, type SessionPolicy } from '../policy/session';
import { STS_LIMITS } from '../policy/sts-limits';
import { validatePolicyDocument, worstCaseSessionPolicyLength } from '../policy/validate';
import { assertPlanWithinLimits, type IssuancePlan, type IssueRequest, planIssuance, type ResolvedPolicy } from '../vend/issue';
import { authorizePartner } from './partners';
import { policyNotConfigured } from './policy';
import type { AdminDeps } from './ports';
import type { PreviewBody } from './schemas';

/** Stands in for the issuance id in the default assume-role session name (same length as a UUID). */
export const PREVIEW_ISSUANCE_ID = '00000000-0000-0000-0000-000000000000';

export interface PreviewProblem extends ErrorDetail {
  code: string;
  message: string;
}

export interface PolicySize {
  /** Characters of the rendered session policy, as sent to STS. */
  policy: number;
  managedPolicyArns: number;
  /** What STS compares with its plaintext limit. */
  total: number;
  limit: number;
  /** The largest total this document can reach (without a scope), every placeholder at its longest value. */
  worstCase: number;
}

export interface PreviewResult {
  tenantId: string;
  partnerId: string;
  source: 'current' | 'draft';
  /** The current policy's version; null for a draft. */
  policyVersion: number | null;
  mode: Mode | null;
  durationSeconds: number | null;
  /** RoleSessionName or federation Name: derived from tenant and partner, the request adds only a suffix. */
  sessionName: string | null;
  /** The bound role an assume-role issuance would receive (credvend sends the tenant's external ID with it). */
  roleArn: string | null;
  sourceIdentity: string | null;
  renderedPolicy: SessionPolicy | null;
  managedPolicyArns: string[];
  /** Session tags of the session, `tenant` and `partner` included (null when nothing was planned). */
  sessionTags: Record<string, string> | null;
  size: PolicySize | null;
  problems: PreviewProblem[];
  /** True when an issuance with this request would pass every check credvend makes before STS. */
  ok: boolean;
  /** Whether the policy gates this issuance on an MFA code (the session then carries mfa=true); null when no mode was planned. */
  mfaRequired: boolean | null;
}

/** Keeps an error of the issuance flow as problems: one per detail, under the error's code. */
function record(problems: PreviewProblem[], err: AppError): void {
  const details = err.details.length ? err.details : [{ message: err.message }];
  for (const detail of details) problems.push({ ...detail, code: err.code, message: detail.message });
}

export async function previewPolicy(deps: AdminDeps, caller: Caller, tenantId: string, body: PreviewBody): Promise<PreviewResult> {
  const { tenant, partner } = await authorizePartner(deps, caller, tenantId, body.partnerId);
  const problems: PreviewProblem[] = [];
  if (tenant.status !== 'enabled') problems.push({ code: 'tenant_disabled', message: 'The tenant is disabled' });
  if (partner.status !== 'enabled') problems.push({ code: 'partner_disabled', message: 'The partner is disabled' });

  let document: TenantPolicyDocument | undefined;
  let policyVersion: number | null = null;
  if (body.policy !== undefined) {
    const validation = validatePolicyDocument(body.policy);
    if (validation.ok) document = validation.document;
    else problems.push(...validation.problems.map((p) => ({ ...p })));
  } else {
    const current = await deps.lookup.getPolicy(tenantId);
    if (!current) throw policyNotConfigured();
    document = current.document;
    policyVersion = current.version;
    // The stored document passed the rules of its day; report what today's rules say about it.
    const validation = validatePolicyDocument(current.document);
    if (!validation.ok) problems.push(...validation.problems.map((p) => ({ ...p })));
  }

  // What the operator's binding allows, for every mode of the document (issuance checks the mode in use).
  if (document) {
    problems.push(...bindingProblems(document, tenant.binding, tenantId).map((p) => ({ ...p })));
    problems.push(...mfaBindingProblems(document, tenant.binding).map((p) => ({ ...p })));
  }

  const { partnerId: _partner, policy: _draft, ...request } = body;
  const who = { tenantId, partnerId: partner.partnerId };
  const rendered =
    document && tenant.binding ? renderPreview(document, tenant.binding, policyVersion ?? 0, who, request, problems) : undefined;
  return {
    tenantId,
    partnerId: partner.partnerId,
    source: body.policy !== undefined ? 'draft' : 'current',
    policyVersion,
    mode: rendered?.mode ?? null,
    durationSeconds: rendered?.plan?.request.durationSeconds ?? null,
    sessionName: rendered?.plan?.sessionName ?? null,
    renderedPolicy: rendered?.plan ? (JSON.parse(rendered.plan.policyText) as SessionPolicy) : null,
    managedPolicyArns: document?.managedPolicyArns ?? [],
    roleArn: rendered?.plan?.mode === 'assume-role' ? rendered.plan.request.roleArn : null,
    sourceIdentity: rendered?.plan?.mode === 'assume-role' ? (rendered.plan.request.sourceIdentity ?? null) : null,
    sessionTags: rendered?.plan ? rendered.plan.request.tags : null,
    size: rendered?.plan && document ? sizeOf(rendered.plan, document) : null,
    problems,
    ok: problems.length === 0,
    mfaRequired: rendered?.plan ? rendered.mfaRequired : null,
  };
}

function renderPreview(
  document: TenantPolicyDocument,
  binding: TenantBinding,
  version: number,
  who: { tenantId: string; partnerId: string },
  request: IssueRequest,
  problems: PreviewProblem[],
): { mode: Mode; plan?: IssuancePlan; mfaRequired: boolean } {
  const mode = request.mode ?? document.defaultMode;
  const settings = document.modes[mode];
  if (!settings) {
    problems.push({ code: 'mode_not_allowed', path: '$.mode', message: `The policy does not allow ${mode} credentials` });
    return { mode, mfaRequired: false };
  }
  const resolved: ResolvedPolicy = { policy: { tenantId: who.tenantId, version, document, updatedAt: '' }, binding, mode, settings };
  // A session issued under the requirement carries mfa=true: the preview shows that session.
  const mfa = mfaRequired(document, mode, settings);
  const planned = planWithProblems(resolved, who, request, problems, mfa);
  if (!planned) return { mode, mfaRequired: mfa };
  let plan = planned.plan;
  if (planned.scopeLeftOut && request.scope) {
    // Show (and measure) the policy as issuance would have built it with the uncovered scope.
    const statements = (JSON.parse(plan.policyText) as SessionPolicy).Statement;
    const policyText = JSON.stringify(buildSessionPolicy(statements, request.scope));
    plan =
      plan.mode === 'federation'
        ? { ...plan, policyText, request: { ...plan.request, policy: policyText } }
        : { ...plan, policyText, request: { ...plan.request, policy: policyText } };
  }
  try {
    assertPlanWithinLimits(plan);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    record(problems, err);
  }
  return { mode, plan, mfaRequired: mfa };
}

/** Plans like issuance; on a refusal, records it and plans again without the refused input. */
function planWithProblems(
  resolved: ResolvedPolicy,
  who: { tenantId: string; partnerId: string },
  request: IssueRequest,
  problems: PreviewProblem[],
  mfa: boolean,
): { plan: IssuancePlan; scopeLeftOut: boolean } | undefined {
  let attempt = request;
  for (;;) {
    try {
      return { plan: planIssuance(resolved, who, attempt, PREVIEW_ISSUANCE_ID, mfa), scopeLeftOut: attempt.scope !== request.scope };
    } catch (err) {
      // Only a stored document can hold an unknown placeholder: drafts fail validation first.
      if (err instanceof UnknownPlaceholderError) {
        problems.push({ code: 'unknown_placeholder', message: err.message });
        return undefined;
      }
      if (!(err instanceof AppError)) throw err;
      // Already listed above, from the whole document against the binding.
      if (err.code === 'policy_outside_binding') return undefined;
      record(problems, err);
      if (err.code === 'duration_not_allowed' && attempt.durationSeconds !== resolved.settings.maxDurationSeconds) {
        attempt = { ...attempt, durationSeconds: resolved.settings.maxDurationSeconds };
      } else if (err.code === 'scope_not_allowed' && attempt.scope) {
        attempt = { ...attempt, scope: undefined };
      } else {
        return undefined;
      }
    }
  }
}

function sizeOf(plan: IssuancePlan, document: TenantPolicyDocument): PolicySize {
  const arnChars = plan.request.policyArns.reduce((sum, arn) => sum + arn.length, 0);
  return {
    policy: plan.policyText.length,
    managedPolicyArns: arnChars,
    total: plan.policyText.length + arnChars,
    limit: STS_LIMITS.policyPlaintext,
    worstCase: worstCaseSessionPolicyLength(document),
  };
}
