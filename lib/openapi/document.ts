// Builds the OpenAPI 3.1 document from the route list and the zod schemas. Runs at build/test time
// (scripts/build-openapi.ts writes lib/openapi/openapi.json, which the openapi Lambda serves as is).
import * as z from 'zod/mini';
import { DEFAULT_PAGE_SIZE } from '../admin/schemas';
import { ID_PATTERN } from '../core/model';
import { ROUTES, type RouteSpec } from './routes';
import { COMPONENTS, type ComponentName, QUERIES } from './schemas';

type Json = Record<string, unknown>;

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed request: body not JSON (invalid_json) or nested too deep (body_too_deep), a body or query string that breaks its schema (invalid_request), an invalid cursor, limit or format (invalid_cursor, invalid_limit, invalid_format)',
  401:
    'No key (missing_key), or a malformed, unknown or revoked key (invalid_key); for an OIDC token, the check it failed: ' +
    'token_too_large, token_malformed, token_algorithm_not_allowed, token_audience_unknown, token_not_trusted (its issuer is ' +
    "not registered for its audience's tenant, its key is not the issuer's, or its signature is bad: one answer, so probing " +
    'learns nothing), token_expired, token_not_yet_valid, token_issued_in_future, token_subject_not_allowed, ' +
    'token_claims_invalid, token_identity_ambiguous',
  403: "Authenticated but not allowed: a key of the wrong kind (wrong_key_kind), a disabled tenant or partner (tenant_disabled, partner_disabled), no policy or binding yet (policy_not_configured, binding_not_configured), a mode or scope the policy does not allow (mode_not_allowed, scope_not_allowed), a policy asking for more than the operator's binding allows (policy_outside_binding), a stored policy using a withdrawn placeholder (policy_needs_update), an issuance the tenant policy gates on MFA sent without a code (mfa_required), with a wrong one (mfa_code_invalid), with one already used (mfa_code_replayed), or for a partner with no confirmed MFA device (mfa_not_enrolled)",
  404: "Unknown — another tenant's resources answer exactly as absent ones (not_found, policy_not_configured, binding_not_configured, route_not_found)",
  409: 'Conflict: the id exists (tenant_exists, partner_exists), the policy or binding is no longer at expectedVersion (version_conflict), the key is revoked (key_revoked), a key or operator key exists (key_exists, operator_key_exists), an operator key cannot revoke itself (own_operator_key), an Idempotency-Key reused with another request (idempotency_key_reused), a partner has as many MFA devices as allowed (mfa_device_limit), the MFA device is confirmed already (mfa_device_confirmed)',
  413: 'The body exceeds the size limit (payload_too_large)',
  415: 'The body is not JSON (unsupported_media_type)',
  422: 'Valid JSON that breaks a rule (invalid_policy, invalid_binding, invalid_workload_identity, policy_key_collision, sts_limit_exceeded, duration_not_allowed, scope_too_complex, mfa_code_invalid when confirming an MFA device), or STS refused the request for a reason the caller can fix (sts_malformed_policy, sts_packed_policy_too_large, sts_validation_error); `details` lists every problem',
  429: 'Rate limited (rate_limited), or the partner spent its budget of MFA code attempts (mfa_attempts_exceeded: 10 per 5 minutes, counted before the code is checked, so even a valid code is refused until the window ends); see Retry-After',
  500: 'Internal error (internal_error); never carries internals',
  502: 'STS refused for a reason the caller cannot fix (sts_access_denied, sts_region_disabled, sts_credentials_rejected)',
  503: 'A dependency is down or throttling (dynamodb_unavailable, audit_write_failed, dependency_timeout, sts_throttled, sts_unavailable, federation_not_configured, federation_keys_unavailable, federation_keys_invalid, oidc_issuer_unavailable: the issuer of an OIDC token could not be reached for its keys, mfa_unavailable); retry later, see Retry-After',
};

const PATH_PARAMETERS: Record<string, { description: string; pattern: string }> = {
  tenantId: { description: 'Tenant id', pattern: ID_PATTERN.source },
  partnerId: { description: 'Partner id', pattern: ID_PATTERN.source },
  keyId: { description: 'Key id (the public part of a key)', pattern: '^(pk|ak|ok)-[a-z2-7]{16}$' },
  deviceId: { description: 'MFA device id', pattern: '^mfa-[a-z2-7]{16}$' },
  identityId: { description: "Workload identity id (the tenant admin's choice)", pattern: ID_PATTERN.source },
};

const QUERY_PARAMETERS: Record<string, { description: string; schema?: Json }> = {
  // On the wire a string; documented as the integer it must spell.
  limit: { description: 'Page size', schema: { type: 'integer', minimum: 1, maximum: 100, default: DEFAULT_PAGE_SIZE } },
  cursor: { description: "The previous page's nextCursor, as is (opaque)" },
  from: { description: 'Issued at or after this time (ISO-8601 with a time zone)' },
  to: { description: 'Issued before this time (ISO-8601 with a time zone)' },
  partnerId: { description: "Only this partner's issuances" },
  status: { description: 'Only issuances in this status' },
  format: { description: 'The response shape' },
  expectedVersion: { description: 'The version the identity was read at', schema: { type: 'integer', minimum: 1 } },
  revokeSessions: {
    description: '`true`: also revoke the partner\'s sessions issued until now (a revocation, README "Revoking credentials")',
  },
};

const ref = (name: ComponentName) => ({ $ref: `#/components/schemas/${name}` });

const json = (schema: Json) => ({ 'application/json': { schema } });

/**
 * API Gateway may refuse a request before credvend runs (429 when a stage or account throttle is
 * exceeded), in its own shape. Declared on every operation as `4XX`; the statuses credvend answers
 * itself are declared exactly and take precedence.
 */
const GATEWAY_REFUSAL = {
  description:
    'Refused by API Gateway before credvend runs, e.g. 429 Too Many Requests when a throttle is exceeded: the body is API Gateway\'s own `{"message": "…"}`, not credvend\'s error shape',
  content: json({ type: 'object', properties: { message: { type: 'string' } }, required: ['message'] }),
};

/** The statuses a route can answer besides its success, from what it does. */
export function errorStatuses(route: RouteSpec): number[] {
  const out = new Set<number>([500]);
  const admin = route.auth === 'operator' || route.auth === 'tenant';
  if (route.auth !== 'none') for (const s of [401, 403, 503]) out.add(s);
  // The admin Lambda parses a JSON body on every route (an absent body reads as {}).
  if (route.body || admin) for (const s of [400, 413, 415]) out.add(s);
  if (route.query) out.add(400);
  if (route.path.includes('{')) out.add(404);
  for (const status of route.errors ?? []) out.add(status);
  return [...out].sort((a, b) => a - b);
}

export function toJsonSchema(schema: z.ZodMiniType): Json {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12' }) as Json;
  return rest;
}

function parameters(route: RouteSpec): Json[] {
  const params: Json[] = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => {
    const known = name === undefined ? undefined : PATH_PARAMETERS[name];
    if (!known) throw new Error(`${route.method} ${route.path}: undocumented path parameter ${name}`);
    return { name, in: 'path', required: true, description: known.description, schema: { type: 'string', pattern: known.pattern } };
  });
  if (route.query) {
    const schema = toJsonSchema(QUERIES[route.query]) as { properties: Record<string, Json>; required?: string[] };
    for (const [name, property] of Object.entries(schema.properties)) {
      const known = QUERY_PARAMETERS[name];
      if (!known) throw new Error(`${route.method} ${route.path}: undocumented query parameter ${name}`);
      params.push({
        name,
        in: 'query',
        required: schema.required?.includes(name) ?? false,
        description: known.description,
        schema: known.schema ?? property,
      });
    }
  }
  return params;
}

function operation(route: RouteSpec): Json {
  const success = route.success;
  const schema = Array.isArray(success.schema) ? { anyOf: success.schema.map(ref) } : ref(success.schema);
  const responses: Json = {
    [success.status]: {
      description: success.description,
      headers: success.secret
        ? { 'Cache-Control': { description: 'Responses carrying a secret are never cached', schema: { const: 'no-store' } } }
        : undefined,
      content: json(schema),
    },
  };
  for (const status of errorStatuses(route)) responses[status] = { $ref: `#/components/responses/Error${status}` };
  responses['4XX'] = { $ref: '#/components/responses/GatewayRefusal' };
  const keyKinds = { none: [], partner: ['partner'], operator: ['operator'], tenant: ['admin', 'operator'] }[route.auth];
  const op: Json = {
    operationId: route.operationId,
    summary: route.summary,
    description: route.description,
    tags: [route.tag],
    security: route.auth === 'none' ? [] : [{ apiKey: [] }],
    'x-credvend-key-kinds': keyKinds,
    parameters: parameters(route),
    requestBody: route.body ? { required: !route.body.optional, content: json(ref(route.body.schema)) } : undefined,
    responses,
  };
  return JSON.parse(JSON.stringify(op)) as Json; // drops the undefined members
}

function componentSchemas(): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(COMPONENTS)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { target: 'draft-2020-12', uri: (id) => `#/components/schemas/${id}` });
  return Object.fromEntries(
    Object.keys(COMPONENTS).map((id) => {
      const { $schema: _s, $id: _i, ...schema } = schemas[id] as Json;
      return [id, schema];
    }),
  );
}

export function buildOpenApiDocument(routes: RouteSpec[] = ROUTES): Json {
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const item = paths[route.path] ?? {};
    paths[route.path] = item;
    item[route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'credvend',
      version: '1',
      description:
        'Short-lived AWS credentials for partner applications, scoped by per-tenant policies. Keys travel as ' +
        '`Authorization: Bearer cv1.<keyId>.<secret>`. Every error is `{"error":{"code","message","requestId","details"}}` ' +
        'with a stable code. Lists take `limit` (1-100, default 25) and the opaque `cursor` of the previous page.',
    },
    // Relative: the API is served from wherever this document is (GET /v1/openapi.json), the stage's
    // execute-api URL, a custom domain or `npm start`'s http://localhost:3000.
    servers: [{ url: '/', description: 'The host serving this document' }],
    tags: [
      { name: 'partner', description: 'Partner key' },
      { name: 'tenant admin', description: "The tenant's admin key, or an operator key" },
      { name: 'operator', description: 'Operator key' },
      { name: 'service', description: 'No key' },
    ],
    paths,
    components: {
      schemas: componentSchemas(),
      responses: {
        ...Object.fromEntries(
          Object.entries(ERROR_DESCRIPTIONS).map(([status, description]) => [
            `Error${status}`,
            { description, content: json(ref('Error')) },
          ]),
        ),
        GatewayRefusal: GATEWAY_REFUSAL,
      },
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', bearerFormat: 'cv1.<keyId>.<secret>' },
      },
    },
  };
}
