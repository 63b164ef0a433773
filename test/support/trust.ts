// The trust model through the real API (DESIGN.md "Trust model"), as a tenant and an operator live
// it: the operator onboards a tenant, the tenant reads its trust view and registers a role with that
// trust policy (in the local STS), the operator binds the role. Each helper throws on an unexpected
// status, with the answer, so a failing setup names itself.
import type { TenantPolicyDocument } from '../../lib/core/model';
import { DEMO_ROLE, demoPolicy } from '../../local/seed';
import { type ApiResponse, call, uniqueId } from './api';
import { control } from './control';
import { logEntries } from './logs';

export const LOCAL_ACCOUNT = '123456789012';
/** The identity the suite's functions sign STS calls with (local/stack.ts functionUser). */
export const ISSUER_PRINCIPAL_ARN = `arn:aws:iam::${LOCAL_ACCOUNT}:user/credvend-function`;
/** credvend's external IDs: "cv-" and 32 lowercase base32 characters (160 random bits). */
export const EXTERNAL_ID = /^cv-[a-z2-7]{32}$/;

function expectStatus(res: ApiResponse, status: number, what: string): ApiResponse {
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status} ${res.text.slice(0, 1000)}`);
  return res;
}

export interface OnboardedTenant {
  tenantId: string;
  adminKey: string;
  partnerId: string;
  partnerKey: string;
}

/** A tenant created the way a real one is: operator API for the tenant and its admin key, admin API for a partner and its key. */
export async function onboardTenant(operatorKey: string, ids: { tenantId?: string; partnerId?: string } = {}): Promise<OnboardedTenant> {
  const tenantId = ids.tenantId ?? uniqueId('t');
  const partnerId = ids.partnerId ?? uniqueId('p');
  expectStatus(await call('POST', '/v1/tenants', { key: operatorKey, body: { tenantId, name: tenantId } }), 201, 'create tenant');
  const admin = expectStatus(await call('POST', `/v1/tenants/${tenantId}/admin-keys`, { key: operatorKey }), 201, 'create admin key');
  const adminKey = admin.body.apiKey as string;
  expectStatus(
    await call('POST', `/v1/tenants/${tenantId}/partners`, { key: adminKey, body: { partnerId, name: partnerId } }),
    201,
    'create partner',
  );
  const partner = expectStatus(
    await call('POST', `/v1/tenants/${tenantId}/partners/${partnerId}/keys`, { key: adminKey }),
    201,
    'create key',
  );
  return { tenantId, adminKey, partnerId, partnerKey: partner.body.apiKey as string };
}

export interface TrustView {
  tenantId: string;
  externalId: string;
  nextExternalId: string | null;
  issuerPrincipalArn: string;
  roles: { name: string; roleArn: string; maxSessionDuration: number }[];
  trustPolicy: { Version: string; Statement: Record<string, any>[] };
  [key: string]: unknown;
}

/** GET /v1/tenants/{tenantId}/trust with a tenant admin's (or an operator's) key. */
export async function trustOf(key: string, tenantId: string): Promise<TrustView> {
  return expectStatus(await call('GET', `/v1/tenants/${tenantId}/trust`, { key }), 200, 'read trust').body as TrustView;
}

/** A role in the local STS under credvend/ (the pattern the function may assume), trusting what `trustPolicy` says. */
export async function registerRole(
  trustPolicy: TrustView['trustPolicy'],
  opts: { arn?: string; maxSessionDuration?: number } = {},
): Promise<string> {
  const arn = opts.arn ?? `arn:aws:iam::${LOCAL_ACCOUNT}:role/credvend/${uniqueId('role')}`;
  await control.putStsRole({ arn, maxSessionDuration: opts.maxSessionDuration ?? 3600, trustPolicy: trustPolicy as never });
  return arn;
}

export interface BindingSettings {
  roles: Record<string, { roleArn: string; maxSessionDuration: number }>;
  federation?: { resourceBoundary: string[] };
  maxDurationSeconds?: number;
  maxIssuancesPerMinute?: number;
}

/** GET /v1/tenants/{tenantId}/binding (operator). */
export async function bindingOf(operatorKey: string, tenantId: string): Promise<Record<string, any>> {
  return expectStatus(await call('GET', `/v1/tenants/${tenantId}/binding`, { key: operatorKey }), 200, 'read binding').body;
}

/** The operator replaces the tenant's binding settings at its current version; answers the new binding. */
export async function bind(operatorKey: string, tenantId: string, settings: BindingSettings): Promise<Record<string, any>> {
  const { version } = await bindingOf(operatorKey, tenantId);
  const res = await call('PUT', `/v1/tenants/${tenantId}/binding`, { key: operatorKey, body: { expectedVersion: version, ...settings } });
  return expectStatus(res, 200, 'put binding').body;
}

/** The admin writes the next policy version; answers the written view. */
export async function putPolicy(adminKey: string, tenantId: string, policy: unknown): Promise<Record<string, any>> {
  const current = await call('GET', `/v1/tenants/${tenantId}/policy`, { key: adminKey });
  const expectedVersion = current.status === 404 ? 0 : (expectStatus(current, 200, 'read policy').body.version as number);
  const res = await call('PUT', `/v1/tenants/${tenantId}/policy`, { key: adminKey, body: { expectedVersion, policy } });
  return expectStatus(res, 200, 'put policy').body;
}

/** The demo binding's federation boundary, for a tenant bound through the API. */
export const demoBoundary = (tenantId: string) => ['arn:aws:s3:::demo-bucket', `arn:aws:s3:::demo-bucket/${tenantId}/*`];

export interface BoundTenant extends OnboardedTenant {
  roleArn: string;
  externalId: string;
}

/**
 * onboardTenant, then everything up to a working issuance: the tenant registers a role with its trust
 * view's trust policy, the operator binds it as the demo role (federation within the demo boundary),
 * the admin writes `policy` (default: the demo policy).
 */
export async function onboardBoundTenant(
  operatorKey: string,
  policy: TenantPolicyDocument = demoPolicy(),
  ids: { tenantId?: string; partnerId?: string } = {},
): Promise<BoundTenant> {
  const tenant = await onboardTenant(operatorKey, ids);
  const trust = await trustOf(tenant.adminKey, tenant.tenantId);
  const roleArn = await registerRole(trust.trustPolicy, { maxSessionDuration: 14_400 });
  await bind(operatorKey, tenant.tenantId, {
    roles: { [DEMO_ROLE]: { roleArn, maxSessionDuration: 14_400 } },
    federation: { resourceBoundary: demoBoundary(tenant.tenantId) },
  });
  await putPolicy(tenant.adminKey, tenant.tenantId, policy);
  return { ...tenant, roleArn, externalId: trust.externalId };
}

/** The RoleSessionName in an assumed-role ARN (arn:aws:sts::<acct>:assumed-role/<role>/<session>). */
export function roleSessionNameOf(principalArn: string): string {
  const m = /:assumed-role\/[^/]+\/([^/]+)$/.exec(principalArn);
  if (!m) throw new Error(`not an assumed-role ARN: ${principalArn}`);
  return m[1]!;
}

/** The Name in a federated-user ARN (arn:aws:sts::<acct>:federated-user/<name>). */
export function federationNameOf(principalArn: string): string {
  const m = /:federated-user\/([^/]+)$/.exec(principalArn);
  if (!m) throw new Error(`not a federated-user ARN: ${principalArn}`);
  return m[1]!;
}

/** The "request failed" log lines the functions wrote for this request id (5xx answers log one). */
export function errorLogLinesFor(logs: string, requestId: string): Record<string, any>[] {
  return logEntries(logs).filter((entry) => entry.requestId === requestId && entry.level === 'ERROR');
}
