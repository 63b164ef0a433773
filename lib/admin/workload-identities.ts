// Tenant admins register the OIDC identities their partners authenticate with (issue 17). What keeps
// one tenant's admin from reaching another tenant (lib/identity/oidc-rules.ts): every audience names
// the tenant, the issuer is an https URL on a DNS name (and among the binding's allowed issuers when
// the operator set them), and a subject pattern pins a literal prefix. Nothing is fetched here.

import { type ErrorDetail, NotFoundError, UnprocessableError } from '../core/errors';
import { ID_PATTERN, type Tenant, type WorkloadIdentity } from '../core/model';
import { parseWith } from '../http/validate';
import type { Caller } from '../identity/authenticate';
import {
  audienceProblem,
  type IssuerRules,
  issuerProblem,
  MAX_TENANT_IDENTITIES,
  REGISTERED_CLAIMS,
  subjectPatternProblem,
  TAGGABLE_REGISTERED_CLAIMS,
} from '../identity/oidc-rules';
import { RESERVED_KEYS, reservedKeyPaths } from '../policy/reserved-keys';
import { authorizePartner } from './partners';
import type { AdminDeps, PageRequest } from './ports';
import { type PutWorkloadIdentityBody, PutWorkloadIdentityRequest } from './schemas';

export function workloadIdentityView(w: WorkloadIdentity) {
  return {
    tenantId: w.tenantId,
    partnerId: w.partnerId,
    identityId: w.identityId,
    version: w.version,
    issuer: w.issuer,
    audiences: w.audiences,
    subject: w.subject,
    requiredClaims: w.requiredClaims ?? {},
    claimTags: w.claimTags ?? [],
    createdAt: w.createdAt,
    updatedAt: w.updatedAt,
    updatedBy: w.updatedBy ?? null,
  };
}

const invalid = (problems: ErrorDetail[]) =>
  new UnprocessableError('invalid_workload_identity', `The workload identity breaks ${problems.length} rule(s)`, { details: problems });

/** The body, parsed: 422 for a reserved key anywhere (a claim named `__proto__` would vanish in a record), else the schema's 400s. */
export function parsePutWorkloadIdentity(body: unknown): PutWorkloadIdentityBody {
  const reserved = reservedKeyPaths(body);
  if (reserved.length) {
    throw invalid(
      reserved.map((path) => ({ path, code: 'reserved_key', message: `Keys named ${RESERVED_KEYS.join(', ')} are not allowed` })),
    );
  }
  return parseWith(PutWorkloadIdentityRequest, body);
}

/** Every rule the body breaks, given its tenant (audiences) and binding (allowed issuers). */
export function workloadIdentityProblems(body: PutWorkloadIdentityBody, tenant: Tenant, rules: IssuerRules): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const allowed = tenant.binding?.oidc?.allowedIssuers;
  // A port other than 443 only when the operator listed this very issuer.
  const issuer = issuerProblem(body.issuer, { ...rules, allowPort: allowed?.includes(body.issuer) ?? false });
  if (issuer) problems.push({ path: '$.issuer', code: 'invalid_issuer', message: issuer });
  if (!issuer && allowed && !allowed.includes(body.issuer)) {
    problems.push({ path: '$.issuer', code: 'issuer_not_allowed', message: 'The operator has not allowed this issuer for the tenant' });
  }
  body.audiences.forEach((aud, i) => {
    const problem = audienceProblem(aud, tenant.tenantId);
    if (problem) problems.push({ path: `$.audiences[${i}]`, code: 'audience_not_tenant_scoped', message: problem });
  });
  if ('pattern' in body.subject) {
    const problem = subjectPatternProblem(body.subject.pattern);
    if (problem) problems.push({ path: '$.subject.pattern', code: 'subject_pattern_too_broad', message: problem });
  }
  const claims = Object.keys(body.requiredClaims ?? {});
  if (claims.length > 10) problems.push({ path: '$.requiredClaims', code: 'too_many_claims', message: 'At most 10 required claims' });
  for (const name of claims.filter((c) => REGISTERED_CLAIMS.includes(c))) {
    problems.push({ path: `$.requiredClaims.${name}`, code: 'registered_claim', message: 'credvend checks this claim itself' });
  }
  // Tag keys are case-insensitive at STS: two claims differing in case would be one tag twice.
  const seen = new Set<string>();
  (body.claimTags ?? []).forEach((name, i) => {
    if (REGISTERED_CLAIMS.includes(name) && !TAGGABLE_REGISTERED_CLAIMS.includes(name)) {
      problems.push({ path: `$.claimTags[${i}]`, code: 'registered_claim', message: 'Of the registered claims only sub may be a tag' });
    }
    if (seen.has(name.toLowerCase())) {
      problems.push({
        path: `$.claimTags[${i}]`,
        code: 'duplicate_claim_tag',
        message: 'Repeats an earlier claim (tag keys are case-insensitive)',
      });
    }
    seen.add(name.toLowerCase());
  });
  return problems;
}

const notFound = () => new NotFoundError('not_found', 'Workload identity not found');

/** Creates (`expectedVersion` 0) or replaces the identity at that version. */
export async function putWorkloadIdentity(
  deps: AdminDeps,
  caller: Caller,
  tenantId: string,
  partnerId: string,
  identityId: string,
  body: PutWorkloadIdentityBody,
) {
  const { tenant } = await authorizePartner(deps, caller, tenantId, partnerId);
  if (!ID_PATTERN.test(identityId)) {
    throw invalid([
      { path: 'identityId', code: 'invalid_id', message: 'Expected 3-32 characters: lowercase letters, digits and inner dashes' },
    ]);
  }
  const problems = workloadIdentityProblems(body, tenant, deps.oidc ?? {});
  if (problems.length) throw invalid(problems);
  if (body.expectedVersion === 0) {
    const current = await deps.store.listWorkloadIdentities(tenantId, undefined, { limit: MAX_TENANT_IDENTITIES });
    if (current.items.length >= MAX_TENANT_IDENTITIES) {
      throw invalid([
        { path: '$', code: 'too_many_identities', message: `A tenant has at most ${MAX_TENANT_IDENTITIES} workload identities` },
      ]);
    }
  }
  const at = deps.now().toISOString();
  const existing = body.expectedVersion === 0 ? undefined : await deps.lookup.getWorkloadIdentity(tenantId, partnerId, identityId);
  const { expectedVersion, ...fields } = body;
  const identity: WorkloadIdentity = {
    tenantId,
    partnerId,
    identityId,
    ...fields,
    audiences: [...new Set(fields.audiences)],
    version: expectedVersion + 1,
    createdAt: existing?.createdAt ?? at,
    updatedAt: at,
    updatedBy: caller.keyId,
  };
  await deps.store.putWorkloadIdentity(identity, expectedVersion);
  deps.onRevocation?.();
  return workloadIdentityView(identity);
}

export async function getWorkloadIdentity(deps: AdminDeps, caller: Caller, tenantId: string, partnerId: string, identityId: string) {
  await authorizePartner(deps, caller, tenantId, partnerId);
  const found = ID_PATTERN.test(identityId) ? await deps.lookup.getWorkloadIdentity(tenantId, partnerId, identityId) : undefined;
  if (!found) throw notFound();
  return workloadIdentityView(found);
}

export async function listWorkloadIdentities(deps: AdminDeps, caller: Caller, tenantId: string, partnerId: string, page: PageRequest) {
  await authorizePartner(deps, caller, tenantId, partnerId);
  const out = await deps.store.listWorkloadIdentities(tenantId, partnerId, page);
  return { items: out.items.map(workloadIdentityView), nextCursor: out.nextCursor };
}

export async function deleteWorkloadIdentity(
  deps: AdminDeps,
  caller: Caller,
  tenantId: string,
  partnerId: string,
  identityId: string,
  expectedVersion: number,
) {
  await authorizePartner(deps, caller, tenantId, partnerId);
  if (!ID_PATTERN.test(identityId)) throw notFound();
  const before = await deps.lookup.getWorkloadIdentity(tenantId, partnerId, identityId);
  if (!before) throw notFound();
  await deps.store.deleteWorkloadIdentity(tenantId, partnerId, identityId, expectedVersion);
  deps.onRevocation?.();
  // The identity as it was when deleted.
  return workloadIdentityView(before);
}
