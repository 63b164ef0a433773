// Request shapes of the admin API: bodies and query strings, checked at the edge. The OpenAPI
// document is generated from these same schemas (lib/openapi).
import * as z from 'zod/mini';
import { ID_PATTERN } from '../core/model';
import { IssueRequestSchema } from '../vend/request';

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

/** An issuance request plus the partner to preview it for, and optionally a draft document. */
export const PreviewRequest = z.extend(IssueRequestSchema, {
  partnerId: Id,
  policy: z.optional(z.unknown()),
});

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

export type CreateTenantBody = z.infer<typeof CreateTenantRequest>;
export type CreatePartnerBody = z.infer<typeof CreatePartnerRequest>;
export type PutPolicyBody = z.infer<typeof PutPolicyRequest>;
export type PreviewBody = z.infer<typeof PreviewRequest>;
