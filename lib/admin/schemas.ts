// Request shapes of the admin API: bodies and query strings, checked at the edge. The OpenAPI
// document is generated from these same schemas (lib/openapi).
import * as z from 'zod/mini';
import { ID_PATTERN } from '../core/model';
import { CLAIM_NAME, MAX_CLAIM_TAGS, MAX_ISSUER_LENGTH } from '../identity/oidc-rules';
import { isResourcePattern, MANAGED_POLICY_ARN_PATTERN, ROLE_ARN_PATTERN, ROLE_MAX_SESSION_DURATION } from '../policy/iam-syntax';
import { IssueRequestSchema, MFA_CODE_PATTERN } from '../vend/request';

export const Id = z.string().check(z.regex(ID_PATTERN, 'Expected 3-32 characters: lowercase letters, digits and inner dashes'));

export const CreateTenantRequest = z.strictObject({
  tenantId: Id,
  name: z.string().check(z.minLength(1), z.maxLength(128)),
});

export const CreatePartnerRequest = z.strictObject({
  partnerId: Id,
  name: z.string().check(z.minLength(1), z.maxLength(128)),
});

/** Routes that take no body accept none but `{}`: unknown fields are rejected, not ignored. */
export const EmptyRequest = z.strictObject({});

/** The document is checked by lib/policy/validate (422 with every problem), not here (400). */
export const PutPolicyRequest = z.strictObject({
  expectedVersion: z.int().check(z.minimum(0)),
  policy: z.unknown(),
});

const RoleArn = z.string().check(z.regex(ROLE_ARN_PATTERN, 'Expected a role ARN like "arn:aws:iam::123456789012:role/credvend/name"'));

/** The roles a tenant's partners may receive, by the name its policy uses. */
export const BoundRoleSchema = z.strictObject({
  roleArn: RoleArn,
  maxSessionDuration: z.int().check(z.minimum(ROLE_MAX_SESSION_DURATION.min), z.maximum(ROLE_MAX_SESSION_DURATION.max)),
});

const ResourcePattern = z
  .string()
  .check(z.minLength(1), z.maxLength(2048), z.refine(isResourcePattern, 'Expected an ARN pattern like "arn:aws:s3:::bucket/tenant/*"'));

/** The operator's part of a tenant (DESIGN.md "Trust model"); credvend keeps the external IDs. */
export const PutBindingRequest = z.strictObject({
  expectedVersion: z.int().check(z.minimum(0)),
  roles: z.record(Id, BoundRoleSchema).check(z.refine((r) => Object.keys(r).length <= 20, 'At most 20 roles')),
  federation: z.optional(
    z.strictObject({
      resourceBoundary: z.array(ResourcePattern).check(z.minLength(1), z.maxLength(50)),
      managedPolicyArns: z.optional(z.array(z.string().check(z.regex(MANAGED_POLICY_ARN_PATTERN))).check(z.maxLength(10))),
    }),
  ),
  maxDurationSeconds: z.optional(z.int().check(z.minimum(900), z.maximum(129_600))),
  maxIssuancesPerMinute: z.optional(z.int().check(z.minimum(1), z.maximum(100_000))),
  /** Issuers the tenant's workload identities may name (exact URLs); absent: any https issuer. */
  oidc: z.optional(
    z.strictObject({ allowedIssuers: z.array(z.string().check(z.minLength(1), z.maxLength(MAX_ISSUER_LENGTH))).check(z.maxLength(20)) }),
  ),
});

const ShortText = z.string().check(z.minLength(1), z.maxLength(256));

/**
 * A partner's workload identity (issue 17). The rules that need the tenant (audiences name it) or the
 * binding (allowed issuers) are checked by lib/admin/workload-identities.ts (422 with every problem).
 */
export const PutWorkloadIdentityRequest = z.strictObject({
  expectedVersion: z.int().check(z.minimum(0)),
  issuer: z.string().check(z.minLength(1), z.maxLength(MAX_ISSUER_LENGTH)),
  audiences: z.array(ShortText).check(z.minLength(1), z.maxLength(10)),
  subject: z.union([z.strictObject({ exact: ShortText }), z.strictObject({ pattern: ShortText })]),
  requiredClaims: z.optional(z.record(z.string().check(z.regex(CLAIM_NAME)), ShortText)),
  /** Claims whose values become session tags `oidc:<claim>` (lib/identity/oidc-rules.ts). */
  claimTags: z.optional(z.array(z.string().check(z.regex(CLAIM_NAME))).check(z.maxLength(MAX_CLAIM_TAGS))),
});

/** Deleting takes the version the identity was read at, as every versioned write does. */
export const DeleteWorkloadIdentityQuery = z.object({ expectedVersion: z.string().check(z.regex(/^[1-9][0-9]{0,9}$/)) });

/** Rotation steps take only the version they were read at. */
export const BindingExpectationRequest = z.strictObject({ expectedVersion: z.int().check(z.minimum(1)) });

/** An issuance request plus the partner to preview it for, and optionally a draft document. */
// Without mfaCode: a preview never checks a code (it reports whether issuance would need one).
export const PreviewRequest = z.extend(z.omit(IssueRequestSchema, { mfaCode: true }), {
  partnerId: Id,
  policy: z.optional(z.unknown()),
});

/** Enrolment of a partner's TOTP device: a label the admin and the person recognise it by. */
export const EnrolMfaDeviceRequest = z.strictObject({
  label: z.optional(z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[\x20-\x7E]+$/, 'Printable ASCII'))),
});

/** The device's current six-digit code: proves the seed reached an authenticator. */
export const ConfirmMfaDeviceRequest = z.strictObject({ code: z.string().check(z.regex(MFA_CODE_PATTERN, 'Six digits')) });

const Limit = z.string().check(z.regex(/^(100|[1-9][0-9]?)$/, 'Expected an integer from 1 to 100'));
const Cursor = z.string().check(z.minLength(1), z.maxLength(2048));

export const DEFAULT_PAGE_SIZE = 25;

/** Query of every list route; unknown parameters are ignored. */
export const ListQuery = z.object({
  limit: z.optional(Limit),
  cursor: z.optional(Cursor),
});

export const IssuanceQuery = z.extend(ListQuery, {
  from: z.optional(z.iso.datetime({ offset: true })),
  to: z.optional(z.iso.datetime({ offset: true })),
  partnerId: z.optional(Id),
  status: z.optional(z.enum(['active', 'expired'])),
});

const IssuanceId = z.string().check(z.regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'Expected an issuance id'));

/** A partner's sessions issued before a time (default now), or one issuance; never both. */
export const CreateRevocationRequest = z.union([
  z.strictObject({ partnerId: Id, before: z.optional(z.iso.datetime({ offset: true })) }),
  z.strictObject({ issuanceId: IssuanceId }),
]);

/** `?revokeSessions=true` on partner disable and partner key revoke: revoke the partner's live sessions too. */
export const RevokeSessionsQuery = z.object({ revokeSessions: z.optional(z.enum(['true', 'false'])) });

export type CreateTenantBody = z.infer<typeof CreateTenantRequest>;
export type CreatePartnerBody = z.infer<typeof CreatePartnerRequest>;
export type PutPolicyBody = z.infer<typeof PutPolicyRequest>;
export type PreviewBody = z.infer<typeof PreviewRequest>;
export type EnrolMfaDeviceBody = z.infer<typeof EnrolMfaDeviceRequest>;
export type PutBindingBody = z.infer<typeof PutBindingRequest>;
export type BindingExpectation = z.infer<typeof BindingExpectationRequest>;
export type PutWorkloadIdentityBody = z.infer<typeof PutWorkloadIdentityRequest>;
