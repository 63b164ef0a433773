// The admin API's route table: API Gateway route key -> which keys it accepts and what it does.
// One Lambda serves every route; each entry only parses the request and calls a domain function.

import { NotFoundError } from '../core/errors';
import type { KeyKind } from '../core/model';
import type { HttpRequest, HttpResult } from '../http/handler';
import { parseWith } from '../http/validate';
import type { Authenticator, Caller } from '../identity/authenticate';
import { activateExternalId, getBinding, getTrust, parsePutBinding, putBinding, rotateExternalId } from './bindings';
import { listAuditReports, queryIssuances } from './issuances';
import { confirmMfaDeviceAsAdmin, confirmMfaDeviceAsPartner, deleteMfaDevice, enrolMfaDevice, listMfaDevices } from './mfa-devices';
import { createOperatorKey, listOperatorKeys, revokeOperatorKey } from './operator-keys';
import {
  createPartner,
  createPartnerKey,
  listPartnerKeys,
  listPartners,
  revokePartnerKey,
  rotatePartnerKey,
  setPartnerStatus,
} from './partners';
import { getPolicy, listPolicyVersions, putPolicy } from './policy';
import type { AdminDeps, PageRequest } from './ports';
import { previewPolicy } from './preview';
import { createRevocation, listRevocations, type RevocationInput } from './revocations';
import {
  BindingExpectationRequest,
  ConfirmMfaDeviceRequest,
  CreatePartnerRequest,
  CreateRevocationRequest,
  CreateTenantRequest,
  DEFAULT_PAGE_SIZE,
  DeleteWorkloadIdentityQuery,
  EmptyRequest,
  EnrolMfaDeviceRequest,
  IssuanceQuery,
  ListQuery,
  PreviewRequest,
  PutPolicyRequest,
  RevokeSessionsQuery,
} from './schemas';
import { createAdminKey, createTenant, listTenants, revokeAdminKey, setTenantStatus } from './tenants';
import {
  deleteWorkloadIdentity,
  getWorkloadIdentity,
  listWorkloadIdentities,
  parsePutWorkloadIdentity,
  putWorkloadIdentity,
} from './workload-identities';

export interface AdminRoute {
  /** Key kinds the route accepts; any other valid key gets 403 wrong_key_kind. */
  kinds: readonly KeyKind[];
  /** Status of a successful answer. */
  status: number;
  run(deps: AdminDeps, req: HttpRequest, caller: Caller): Promise<unknown>;
}

export const OPERATOR: readonly KeyKind[] = ['operator'];
/** Tenant routes: the tenant's own admin, or an operator (access.ts decides which tenant). */
export const TENANT_ADMIN: readonly KeyKind[] = ['admin', 'operator'];
/** A partner acting on its own records (tenant and partner from its key). */
export const PARTNER: readonly KeyKind[] = ['partner'];

const query = (req: HttpRequest) => req.event.queryStringParameters ?? {};
const empty = (req: HttpRequest) => parseWith(EmptyRequest, req.body);

function pageOf(q: { limit?: string; cursor?: string }): PageRequest {
  return { limit: q.limit === undefined ? DEFAULT_PAGE_SIZE : Number(q.limit), cursor: q.cursor };
}
const page = (req: HttpRequest) => pageOf(parseWith(ListQuery, query(req), 'query string'));

const operator = (status: number, run: AdminRoute['run']): AdminRoute => ({ kinds: OPERATOR, status, run });
const tenantAdmin = (status: number, run: AdminRoute['run']): AdminRoute => ({ kinds: TENANT_ADMIN, status, run });

export const ADMIN_ROUTES: Record<string, AdminRoute> = {
  'POST /v1/tenants': operator(201, (d, req, c) => createTenant(d, c, parseWith(CreateTenantRequest, req.body))),
  'GET /v1/tenants': operator(200, (d, req, c) => listTenants(d, c, page(req))),
  'POST /v1/tenants/{tenantId}/disable': operator(200, (d, req, c) => {
    empty(req);
    return setTenantStatus(d, c, req.path('tenantId'), 'disabled');
  }),
  'POST /v1/tenants/{tenantId}/enable': operator(200, (d, req, c) => {
    empty(req);
    return setTenantStatus(d, c, req.path('tenantId'), 'enabled');
  }),
  'POST /v1/tenants/{tenantId}/admin-keys': operator(201, (d, req, c) => {
    empty(req);
    return createAdminKey(d, c, req.path('tenantId'));
  }),
  'DELETE /v1/tenants/{tenantId}/admin-keys/{keyId}': operator(200, (d, req, c) =>
    revokeAdminKey(d, c, req.path('tenantId'), req.path('keyId')),
  ),
  'POST /v1/operator-keys': operator(201, (d, req, c) => {
    empty(req);
    return createOperatorKey(d, c);
  }),
  'GET /v1/operator-keys': operator(200, (d, req, c) => listOperatorKeys(d, c, page(req))),
  'DELETE /v1/operator-keys/{keyId}': operator(200, (d, req, c) => revokeOperatorKey(d, c, req.path('keyId'))),

  'GET /v1/tenants/{tenantId}/binding': operator(200, (d, req, c) => getBinding(d, c, req.path('tenantId'))),
  'PUT /v1/tenants/{tenantId}/binding': operator(200, (d, req, c) => putBinding(d, c, req.path('tenantId'), parsePutBinding(req.body))),
  'POST /v1/tenants/{tenantId}/binding/external-id/rotate': operator(200, (d, req, c) =>
    rotateExternalId(d, c, req.path('tenantId'), parseWith(BindingExpectationRequest, req.body)),
  ),
  'POST /v1/tenants/{tenantId}/binding/external-id/activate': operator(200, (d, req, c) =>
    activateExternalId(d, c, req.path('tenantId'), parseWith(BindingExpectationRequest, req.body)),
  ),
  'GET /v1/tenants/{tenantId}/trust': tenantAdmin(200, (d, req, c) => getTrust(d, c, req.path('tenantId'))),

  'GET /v1/tenants/{tenantId}/policy': tenantAdmin(200, (d, req, c) => getPolicy(d, c, req.path('tenantId'))),
  'PUT /v1/tenants/{tenantId}/policy': tenantAdmin(200, (d, req, c) =>
    putPolicy(d, c, req.path('tenantId'), parseWith(PutPolicyRequest, req.body)),
  ),
  'GET /v1/tenants/{tenantId}/policy/versions': tenantAdmin(200, (d, req, c) => listPolicyVersions(d, c, req.path('tenantId'), page(req))),
  'POST /v1/tenants/{tenantId}/policy/preview': tenantAdmin(200, (d, req, c) =>
    previewPolicy(d, c, req.path('tenantId'), parseWith(PreviewRequest, req.body)),
  ),

  'POST /v1/tenants/{tenantId}/partners': tenantAdmin(201, (d, req, c) =>
    createPartner(d, c, req.path('tenantId'), parseWith(CreatePartnerRequest, req.body)),
  ),
  'GET /v1/tenants/{tenantId}/partners': tenantAdmin(200, (d, req, c) => listPartners(d, c, req.path('tenantId'), page(req))),
  'POST /v1/tenants/{tenantId}/partners/{partnerId}/enable': tenantAdmin(200, (d, req, c) => {
    empty(req);
    return setPartnerStatus(d, c, req.path('tenantId'), req.path('partnerId'), 'enabled');
  }),
  'POST /v1/tenants/{tenantId}/partners/{partnerId}/keys': tenantAdmin(201, (d, req, c) => {
    empty(req);
    return createPartnerKey(d, c, req.path('tenantId'), req.path('partnerId'));
  }),
  'GET /v1/tenants/{tenantId}/partners/{partnerId}/keys': tenantAdmin(200, (d, req, c) =>
    listPartnerKeys(d, c, req.path('tenantId'), req.path('partnerId'), page(req)),
  ),
  'POST /v1/tenants/{tenantId}/partners/{partnerId}/keys/{keyId}/rotate': tenantAdmin(201, (d, req, c) => {
    empty(req);
    return rotatePartnerKey(d, c, req.path('tenantId'), req.path('partnerId'), req.path('keyId'));
  }),

  'PUT /v1/tenants/{tenantId}/partners/{partnerId}/workload-identities/{identityId}': tenantAdmin(200, (d, req, c) =>
    putWorkloadIdentity(d, c, req.path('tenantId'), req.path('partnerId'), req.path('identityId'), parsePutWorkloadIdentity(req.body)),
  ),
  'GET /v1/tenants/{tenantId}/partners/{partnerId}/workload-identities': tenantAdmin(200, (d, req, c) =>
    listWorkloadIdentities(d, c, req.path('tenantId'), req.path('partnerId'), page(req)),
  ),
  'GET /v1/tenants/{tenantId}/partners/{partnerId}/workload-identities/{identityId}': tenantAdmin(200, (d, req, c) =>
    getWorkloadIdentity(d, c, req.path('tenantId'), req.path('partnerId'), req.path('identityId')),
  ),
  'DELETE /v1/tenants/{tenantId}/partners/{partnerId}/workload-identities/{identityId}': tenantAdmin(200, (d, req, c) => {
    const { expectedVersion } = parseWith(DeleteWorkloadIdentityQuery, query(req), 'query string');
    return deleteWorkloadIdentity(d, c, req.path('tenantId'), req.path('partnerId'), req.path('identityId'), Number(expectedVersion));
  }),

  'GET /v1/tenants/{tenantId}/issuances': tenantAdmin(200, (d, req, c) => {
    const { limit, cursor, ...filter } = parseWith(IssuanceQuery, query(req), 'query string');
    return queryIssuances(d, c, req.path('tenantId'), filter, pageOf({ limit, cursor }));
  }),
  'GET /v1/tenants/{tenantId}/audit-reports': tenantAdmin(200, (d, req, c) => listAuditReports(d, c, req.path('tenantId'), page(req))),

  'POST /v1/tenants/{tenantId}/partners/{partnerId}/mfa-devices': tenantAdmin(201, (d, req, c) =>
    enrolMfaDevice(d, c, req.path('tenantId'), req.path('partnerId'), parseWith(EnrolMfaDeviceRequest, req.body)),
  ),
  'GET /v1/tenants/{tenantId}/partners/{partnerId}/mfa-devices': tenantAdmin(200, (d, req, c) =>
    listMfaDevices(d, c, req.path('tenantId'), req.path('partnerId')),
  ),
  'POST /v1/tenants/{tenantId}/partners/{partnerId}/mfa-devices/{deviceId}/confirm': tenantAdmin(200, (d, req, c) =>
    confirmMfaDeviceAsAdmin(
      d,
      c,
      req.path('tenantId'),
      req.path('partnerId'),
      req.path('deviceId'),
      parseWith(ConfirmMfaDeviceRequest, req.body).code,
    ),
  ),
  'DELETE /v1/tenants/{tenantId}/partners/{partnerId}/mfa-devices/{deviceId}': tenantAdmin(200, (d, req, c) =>
    deleteMfaDevice(d, c, req.path('tenantId'), req.path('partnerId'), req.path('deviceId')),
  ),
  'POST /v1/mfa-devices/{deviceId}/confirm': {
    kinds: PARTNER,
    status: 200,
    run: (d, req, c) => confirmMfaDeviceAsPartner(d, c, req.path('deviceId'), parseWith(ConfirmMfaDeviceRequest, req.body).code),
  },
};

const revokeSessions = (req: HttpRequest): boolean => parseWith(RevokeSessionsQuery, query(req), 'query string').revokeSessions === 'true';

/**
 * The routes that write IAM policies, served by their own function (serverless.yml `revocations`): only
 * it holds the IAM grants. Partner disable and partner key revoke are here too, for `?revokeSessions=true`.
 */
export const REVOCATION_ROUTES: Record<string, AdminRoute> = {
  'POST /v1/tenants/{tenantId}/revocations': tenantAdmin(201, (d, req, c) =>
    createRevocation(
      d,
      c,
      req.path('tenantId'),
      parseWith(CreateRevocationRequest, req.body) as RevocationInput,
      req.header('idempotency-key'),
    ),
  ),
  'GET /v1/tenants/{tenantId}/revocations': tenantAdmin(200, (d, req, c) => listRevocations(d, c, req.path('tenantId'), page(req))),
  'POST /v1/tenants/{tenantId}/partners/{partnerId}/disable': tenantAdmin(200, (d, req, c) => {
    empty(req);
    return setPartnerStatus(d, c, req.path('tenantId'), req.path('partnerId'), 'disabled', { revokeSessions: revokeSessions(req) });
  }),
  'DELETE /v1/tenants/{tenantId}/partners/{partnerId}/keys/{keyId}': tenantAdmin(200, (d, req, c) =>
    revokePartnerKey(d, c, req.path('tenantId'), req.path('partnerId'), req.path('keyId'), { revokeSessions: revokeSessions(req) }),
  ),
};

/** Authenticates for the route's key kinds, then runs it. */
export async function dispatchAdmin(
  routes: Record<string, AdminRoute>,
  deps: AdminDeps,
  authenticator: Pick<Authenticator, 'authenticate'>,
  req: HttpRequest,
): Promise<HttpResult> {
  const route = routes[req.event.routeKey];
  if (!route) throw new NotFoundError('route_not_found', 'Route not found');
  const caller = await authenticator.authenticate(req.header('authorization'), { kinds: route.kinds });
  return { statusCode: route.status, body: await route.run(deps, req, caller) };
}
