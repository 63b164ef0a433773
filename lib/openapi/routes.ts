// Every route of the API as the OpenAPI document describes it. Tests hold this list to
// serverless.yml and to the admin route table (lib/admin/routes.ts), so none can drift.
import type { ComponentName, QUERIES } from './schemas';

export type Auth = 'none' | 'partner' | 'operator' | 'tenant';

export interface RouteSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Exactly as in serverless.yml, e.g. /v1/tenants/{tenantId}/policy. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: 'operator' | 'tenant admin' | 'partner' | 'service';
  auth: Auth;
  /** The request body; `optional` when the route reads an absent body as {}. */
  body?: { schema: ComponentName; optional?: boolean };
  query?: keyof typeof QUERIES;
  success: { status: number; schema: ComponentName | ComponentName[]; description: string; secret?: boolean };
  /** Statuses beyond those every route of its kind can answer (see document.ts). */
  errors?: number[];
}

const partnerRoute = { tag: 'partner', auth: 'partner' } as const;
const tenantRoute = { tag: 'tenant admin', auth: 'tenant' } as const;
const operatorRoute = { tag: 'operator', auth: 'operator' } as const;
const noBody = { schema: 'EmptyRequest', optional: true } as const;

export const ROUTES: RouteSpec[] = [
  // ---- service ----
  {
    method: 'GET',
    path: '/v1/health',
    operationId: 'getHealth',
    summary: 'Reachability of DynamoDB and STS',
    tag: 'service',
    auth: 'none',
    success: { status: 200, schema: 'Health', description: 'Every dependency answered' },
    errors: [503],
  },
  {
    method: 'GET',
    path: '/v1/openapi.json',
    operationId: 'getOpenApiDocument',
    summary: 'This document',
    tag: 'service',
    auth: 'none',
    success: { status: 200, schema: 'OpenApiDocument', description: 'The OpenAPI 3.1 document of the API' },
  },

  // ---- partner ----
  {
    method: 'POST',
    path: '/v1/credentials',
    operationId: 'issueCredentials',
    summary: 'Issue short-lived AWS credentials',
    description:
      'Renders the tenant policy for the calling partner, narrows it to `scope` if given (403 scope_not_allowed when the ' +
      'tenant policy does not cover it), checks the STS limits (422 sts_limit_exceeded) and answers only once the ' +
      'issuance is recorded. `?format=credential_process` answers with the credential_process document instead.',
    ...partnerRoute,
    body: { schema: 'IssueRequest', optional: true },
    query: 'IssueQuery',
    success: { status: 201, schema: ['IssueResponse', 'CredentialProcessDocument'], description: 'Credentials issued', secret: true },
    errors: [422, 429, 502],
  },
  {
    method: 'GET',
    path: '/v1/credentials',
    operationId: 'containerCredentials',
    summary: 'Credentials in the AWS container-credentials shape',
    description:
      'For AWS SDKs: set AWS_CONTAINER_CREDENTIALS_FULL_URI to this URL (with ?format=container) and ' +
      'AWS_CONTAINER_AUTHORIZATION_TOKEN to the partner key. The key is accepted with or without "Bearer ".',
    ...partnerRoute,
    query: 'ContainerQuery',
    success: { status: 200, schema: 'ContainerCredentials', description: 'Credentials issued with the tenant defaults', secret: true },
    errors: [400, 422, 429, 502],
  },
  {
    method: 'GET',
    path: '/v1/whoami',
    operationId: 'whoami',
    summary: "The partner key's tenant, partner and what it may ask for",
    ...partnerRoute,
    success: { status: 200, schema: 'Whoami', description: 'The caller' },
  },

  // ---- operator ----
  {
    method: 'POST',
    path: '/v1/tenants',
    operationId: 'createTenant',
    summary: 'Create a tenant (enabled, without a policy: issuance answers 403 policy_not_configured until one is PUT)',
    ...operatorRoute,
    body: { schema: 'CreateTenantRequest' },
    success: { status: 201, schema: 'Tenant', description: 'Tenant created' },
    errors: [409],
  },
  {
    method: 'GET',
    path: '/v1/tenants',
    operationId: 'listTenants',
    summary: 'List tenants',
    ...operatorRoute,
    query: 'ListQuery',
    success: { status: 200, schema: 'TenantList', description: 'A page of tenants' },
  },
  {
    method: 'POST',
    path: '/v1/tenants/{tenantId}/disable',
    operationId: 'disableTenant',
    summary: 'Disable a tenant: its partners stop obtaining credentials within the cache TTL, its admins are refused',
    ...operatorRoute,
    body: noBody,
    success: { status: 200, schema: 'Tenant', description: 'The tenant, disabled' },
  },
  {
    method: 'POST',
    path: '/v1/tenants/{tenantId}/enable',
    operationId: 'enableTenant',
    summary: 'Enable a tenant again',
    ...operatorRoute,
    body: noBody,
    success: { status: 200, schema: 'Tenant', description: 'The tenant, enabled' },
  },
  {
    method: 'POST',
    path: '/v1/tenants/{tenantId}/admin-keys',
    operationId: 'createTenantAdminKey',
    summary: 'Create a tenant admin key (the secret is in this response only)',
    ...operatorRoute,
    body: noBody,
    success: { status: 201, schema: 'NewApiKey', description: 'Key created; `apiKey` is shown once', secret: true },
  },
  {
    method: 'DELETE',
    path: '/v1/tenants/{tenantId}/admin-keys/{keyId}',
    operationId: 'revokeTenantAdminKey',
    summary: 'Revoke a tenant admin key (refused everywhere within the cache TTL); idempotent',
    ...operatorRoute,
    success: { status: 200, schema: 'ApiKey', description: 'The key, revoked' },
  },

  // ---- tenant admin ----
  {
    method: 'GET',
    path: '/v1/tenants/{tenantId}/policy',
    operationId: 'getPolicy',
    summary: 'The current policy (404 policy_not_configured before the first PUT, which takes expectedVersion 0)',
    ...tenantRoute,
    success: { status: 200, schema: 'TenantPolicy', description: 'The current version' },
  },
  {
    method: 'PUT',
    path: '/v1/tenants/{tenantId}/policy',
    operationId: 'putPolicy',
    summary: 'Write a new version of the policy',
    description:
      '`expectedVersion` is the version the change is based on (0 for the first policy). A stale one answers ' +
      '409 version_conflict: of concurrent writers with the same expectedVersion exactly one wins. A document that ' +
      'breaks a rule answers 422 invalid_policy with every problem in `details` ({path, code, message}; paths are ' +
      'relative to the policy document).',
    ...tenantRoute,
    body: { schema: 'PutPolicyRequest' },
    success: { status: 200, schema: 'TenantPolicy', description: 'The new version' },
    errors: [409, 422],
  },
  {
    method: 'GET',
    path: '/v1/tenants/{tenantId}/policy/versions',
    operationId: 'listPolicyVersions',
    summary: 'Every version of the policy, newest first',
    ...tenantRoute,
    query: 'ListQuery',
    success: { status: 200, schema: 'TenantPolicyList', description: 'A page of versions' },
  },
  {
    method: 'POST',
    path: '/v1/tenants/{tenantId}/policy/preview',
    operationId: 'previewPolicy',
    summary: 'Dry run: the session policy an issuance would send to STS, its size and every problem; issues nothing',
    description:
      'Previews the current policy, or the draft in `policy`. Problems include the validation problems of the ' +
      'document, STS limit violations, a scope the policy does not cover, a disabled tenant or partner, and a ' +
      'mode or duration the policy does not allow. `ok` is true when there are none.',
    ...tenantRoute,
    body: { schema: 'PreviewRequest' },
    success: { status: 200, schema: 'PolicyPreview', description: 'The preview' },
  },
  {
    method: 'POST',
    path: '/v1/tenants/{tenantId}/partners',
    operationId: 'createPartner',
    summary: 'Create a partner (enabled, without keys)',
    ...tenantRoute,
    body: { schema: 'CreatePartnerRequest' },
    success: { status: 201, schema: 'Partner', description: 'Partner created' },
    errors: [409],
  },
  {
    method: 'GET',
    path: '/v1/tenants/{tenantId}/partners',
    operationId: 'listPartners',
    summary: 'List partners',
    ...tenantRoute,
    query: 'ListQuery',
    success: { status: 200, schema: 'PartnerList', description: 'A page of partners' },
  },
  {
    method: 'POST',
    path: '/v1/tenants/{tenantId}/partners/{partnerId}/disable',
    operationId: 'disablePartner',
    summary: 'Disable a partner: it stops obtaining credentials within the cache TTL',
    ...tenantRoute,
    body: noBody,
    success: { status: 200, schema: 'Partner', description: 'The partner, disabled' },
  },
  {
    method: 'POST',
    path: '/v1/tenants/{tenantId}/partners/{partnerId}/enable',
    operationId: 'enablePartner',
    summary: 'Enable a partner again',
    ...tenantRoute,
    body: noBody,
    success: { status: 200, schema: 'Partner', description: 'The partner, enabled' },
  },
  {
    method: 'POST',
    path: '/v1/tenants/{tenantId}/partners/{partnerId}/keys',
    operationId: 'createPartnerKey',
    summary: 'Create a partner key (the secret is in this response only)',
    ...tenantRoute,
    body: noBody,
    success: { status: 201, schema: 'NewApiKey', description: 'Key created; `apiKey` is shown once', secret: true },
  },
  {
    method: 'GET',
    path: '/v1/tenants/{tenantId}/partners/{partnerId}/keys',
    operationId: 'listPartnerKeys',
    summary: "List a partner's keys (never their secrets)",
    ...tenantRoute,
    query: 'ListQuery',
    success: { status: 200, schema: 'ApiKeyList', description: 'A page of keys, oldest first' },
  },
  {
    method: 'POST',
    path: '/v1/tenants/{tenantId}/partners/{partnerId}/keys/{keyId}/rotate',
    operationId: 'rotatePartnerKey',
    summary: 'Create a successor key; the old key stays active until it is revoked',
    ...tenantRoute,
    body: noBody,
    success: {
      status: 201,
      schema: 'NewApiKey',
      description: 'The new key (`rotatedFrom` names the old one); `apiKey` is shown once',
      secret: true,
    },
    errors: [409],
  },
  {
    method: 'DELETE',
    path: '/v1/tenants/{tenantId}/partners/{partnerId}/keys/{keyId}',
    operationId: 'revokePartnerKey',
    summary: 'Revoke a partner key (refused everywhere within the cache TTL); idempotent',
    ...tenantRoute,
    success: { status: 200, schema: 'ApiKey', description: 'The key, revoked' },
  },
  {
    method: 'GET',
    path: '/v1/tenants/{tenantId}/issuances',
    operationId: 'queryIssuances',
    summary: 'The issuance ledger, newest first',
    description:
      'Filtered by issuedAt (`from` inclusive, `to` exclusive), partner and status. With both partnerId and status ' +
      'a page may hold fewer than `limit` items while `nextCursor` is present: keep paging until it is absent.',
    ...tenantRoute,
    query: 'IssuanceQuery',
    success: { status: 200, schema: 'IssuanceList', description: 'A page of issuances' },
  },
  {
    method: 'GET',
    path: '/v1/tenants/{tenantId}/audit-reports',
    operationId: 'listAuditReports',
    summary: 'Reports of the expiry audit, newest window first',
    ...tenantRoute,
    query: 'ListQuery',
    success: { status: 200, schema: 'AuditReportList', description: 'A page of reports' },
  },
];
