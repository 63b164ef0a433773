// A tenant's binding (DESIGN.md "Trust model"): operators set the roles its partners may receive,
// federation and its resource boundary, and the ceilings; credvend generates the external ID. Tenant
// admins read what their roles' trust policies must say (the trust view), never the binding's writes.
import { randomBytes } from 'node:crypto';
import { base32 } from '../core/base32';
import { type ErrorDetail, NotFoundError, UnprocessableError } from '../core/errors';
import type { Tenant, TenantBinding } from '../core/model';
import { parseWith } from '../http/validate';
import type { Caller } from '../identity/authenticate';
import { type IssuerRules, issuerProblem } from '../identity/oidc-rules';
import { patternCovers } from '../policy/match';
import { RESERVED_KEYS, reservedKeyPaths } from '../policy/reserved-keys';
import { assertOperator, authorizeTenant } from './access';
import type { AdminDeps } from './ports';
import { type BindingExpectation, type PutBindingBody, PutBindingRequest } from './schemas';

/** 32 base32 characters: 160 random bits. */
export function generateExternalId(): string {
  return `cv-${base32(randomBytes(32))}`;
}

/** A new tenant's binding: its external ID, no roles, no federation, until an operator binds some. */
export function initialBinding(at: string, updatedBy: string): TenantBinding {
  return { version: 1, externalId: generateExternalId(), roles: {}, updatedAt: at, updatedBy };
}

const bindingNotConfigured = () => new NotFoundError('binding_not_configured', 'The tenant has no binding yet');

function bindingOf(tenant: Tenant): TenantBinding {
  if (!tenant.binding) throw bindingNotConfigured();
  return tenant.binding;
}

export function bindingView(tenantId: string, b: TenantBinding) {
  return {
    tenantId,
    version: b.version,
    externalId: b.externalId,
    nextExternalId: b.nextExternalId ?? null,
    roles: b.roles,
    federation: b.federation ?? null,
    maxDurationSeconds: b.maxDurationSeconds ?? null,
    maxIssuancesPerMinute: b.maxIssuancesPerMinute ?? null,
    oidc: b.oidc ?? null,
    updatedAt: b.updatedAt,
    updatedBy: b.updatedBy ?? null,
  };
}

/**
 * The trust policy a bound role needs: credvend's principal may assume it only with the tenant's
 * external ID (the next one too during a rotation), and may tag the session and set its source
 * identity (credvend always does).
 */
export function trustPolicyFor(issuerPrincipalArn: string, b: TenantBinding) {
  const externalIds = b.nextExternalId ? [b.externalId, b.nextExternalId] : b.externalId;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'CredvendAssumesWithTheTenantsExternalId',
        Effect: 'Allow',
        Principal: { AWS: issuerPrincipalArn },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': externalIds } },
      },
      {
        Sid: 'CredvendTagsItsSessions',
        Effect: 'Allow',
        Principal: { AWS: issuerPrincipalArn },
        Action: ['sts:TagSession', 'sts:SetSourceIdentity'],
      },
    ],
  };
}

export async function getBinding(deps: AdminDeps, caller: Caller, tenantId: string) {
  assertOperator(caller);
  const tenant = await authorizeTenant(deps.lookup, caller, tenantId);
  return bindingView(tenantId, bindingOf(tenant));
}

/** What a tenant admin needs for its roles' trust policies: the same for its admins and operators. */
export async function getTrust(deps: AdminDeps, caller: Caller, tenantId: string) {
  const tenant = await authorizeTenant(deps.lookup, caller, tenantId);
  const b = bindingOf(tenant);
  const principal = await deps.trust.issuerPrincipal();
  return {
    tenantId,
    externalId: b.externalId,
    nextExternalId: b.nextExternalId ?? null,
    issuerPrincipalArn: principal,
    roles: Object.entries(b.roles).map(([name, role]) => ({ name, ...role })),
    federation: b.federation ?? null,
    maxDurationSeconds: b.maxDurationSeconds ?? null,
    maxIssuancesPerMinute: b.maxIssuancesPerMinute ?? null,
    trustPolicy: trustPolicyFor(principal, b),
  };
}

/**
 * The PUT body, parsed: 422 for a reserved key anywhere (a role named `__proto__` would be dropped by the
 * schema without a word, `constructor` kept as a role), else the schema's 400s.
 */
export function parsePutBinding(body: unknown): PutBindingBody {
  const reserved = reservedKeyPaths(body);
  if (reserved.length) {
    throw new UnprocessableError('invalid_binding', `The binding breaks ${reserved.length} rule(s)`, {
      details: reserved.map((path) => ({ path, code: 'reserved_key', message: `Keys named ${RESERVED_KEYS.join(', ')} are not allowed` })),
    });
  }
  return parseWith(PutBindingRequest, body);
}

/** The roles must match the pattern the function may assume (the serverless.yml grant): else STS would refuse. */
function roleArnProblems(body: PutBindingBody, rolePattern: string): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  for (const [name, role] of Object.entries(body.roles)) {
    if (!patternCovers(rolePattern, role.roleArn)) {
      problems.push({
        path: `$.roles.${name}.roleArn`,
        code: 'role_outside_allowed_pattern',
        message: `credvend may assume only roles matching ${rolePattern}`,
      });
    }
  }
  return problems;
}

/**
 * Allowed issuers follow the rules of the issuers themselves (https, a DNS name): an operator's typo
 * must not open a hole. Only here may an issuer have a port other than 443 (the operator's choice).
 */
function allowedIssuerProblems(body: PutBindingBody, rules: IssuerRules): ErrorDetail[] {
  return (body.oidc?.allowedIssuers ?? []).flatMap((issuer, i) => {
    const problem = issuerProblem(issuer, { ...rules, allowPort: true });
    return problem ? [{ path: `$.oidc.allowedIssuers[${i}]`, code: 'invalid_issuer', message: problem }] : [];
  });
}

export async function putBinding(deps: AdminDeps, caller: Caller, tenantId: string, body: PutBindingBody) {
  assertOperator(caller);
  const tenant = await authorizeTenant(deps.lookup, caller, tenantId);
  const problems = [...roleArnProblems(body, deps.trust.rolePattern), ...allowedIssuerProblems(body, deps.oidc ?? {})];
  if (problems.length)
    throw new UnprocessableError('invalid_binding', `The binding breaks ${problems.length} rule(s)`, { details: problems });
  const current = tenant.binding;
  const { expectedVersion, ...settings } = body;
  const next: TenantBinding = {
    // The external IDs are credvend's: a binding written over an older tenant's gets its first one here.
    externalId: current?.externalId ?? generateExternalId(),
    ...(current?.nextExternalId ? { nextExternalId: current.nextExternalId } : {}),
    ...settings,
    version: expectedVersion + 1,
    updatedAt: deps.now().toISOString(),
    updatedBy: caller.keyId,
  };
  await deps.store.putBinding(tenantId, next, expectedVersion);
  deps.onRevocation?.();
  return bindingView(tenantId, next);
}

/**
 * Rotation in three steps, since AssumeRole sends one external ID: `rotate` makes the next ID (the
 * trust view then lists both), the tenant adds it to its roles' trust policies, `activate` switches
 * credvend to it; the tenant then drops the old one.
 */
export async function rotateExternalId(deps: AdminDeps, caller: Caller, tenantId: string, body: BindingExpectation) {
  return changeExternalId(deps, caller, tenantId, body, (b) => {
    // Replacing a pending ID would break a tenant that already trusts it: activate it first.
    if (b.nextExternalId) {
      throw new UnprocessableError('invalid_binding', 'A next external ID is already pending; activate it first', {
        details: [{ path: '$.nextExternalId', message: 'pending' }],
      });
    }
    return { ...b, nextExternalId: generateExternalId() };
  });
}

export async function activateExternalId(deps: AdminDeps, caller: Caller, tenantId: string, body: BindingExpectation) {
  return changeExternalId(deps, caller, tenantId, body, (b) => {
    if (!b.nextExternalId) {
      throw new UnprocessableError('invalid_binding', 'There is no next external ID to activate; rotate first', {
        details: [{ path: '$', message: 'no nextExternalId' }],
      });
    }
    const { nextExternalId, ...rest } = b;
    return { ...rest, externalId: nextExternalId };
  });
}

async function changeExternalId(
  deps: AdminDeps,
  caller: Caller,
  tenantId: string,
  body: BindingExpectation,
  change: (b: TenantBinding) => TenantBinding,
) {
  assertOperator(caller);
  const tenant = await authorizeTenant(deps.lookup, caller, tenantId);
  const current = bindingOf(tenant);
  const next = { ...change(current), version: body.expectedVersion + 1, updatedAt: deps.now().toISOString(), updatedBy: caller.keyId };
  await deps.store.putBinding(tenantId, next, body.expectedVersion);
  deps.onRevocation?.();
  return bindingView(tenantId, next);
}
