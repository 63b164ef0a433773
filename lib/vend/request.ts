// The issuance request body: the one definition (zod), which gives the TypeScript type, the
// OpenAPI schema and lib/openapi/issue-request.schema.json (the vend path checks that JSON Schema,
// so zod itself stays out of the vend bundle: lib/http/json-schema.ts).
import * as z from 'zod/mini';
import { MODES, type Mode } from '../core/model';

const ACTION_PATTERN = /^(\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]+)$/;
const PRINTABLE_ASCII = /^[\x21-\x7E]+$/;
/** RFC 6238 codes as authenticator apps show them (SHA-1, 6 digits, 30 s). */
export const MFA_CODE_PATTERN = /^[0-9]{6}$/;

/** Shape only; STS limits (name length, charset, durations) are checked later and answered 422. */
export const IssueRequestSchema = z.strictObject({
  mode: z.optional(z.enum(MODES as [Mode, ...Mode[]])),
  durationSeconds: z.optional(z.int()),
  sessionName: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
  scope: z.optional(
    z.strictObject({
      actions: z.optional(z.array(z.string().check(z.maxLength(128), z.regex(ACTION_PATTERN))).check(z.maxLength(20))),
      resources: z.optional(z.array(z.string().check(z.maxLength(1024), z.regex(PRINTABLE_ASCII))).check(z.maxLength(20))),
    }),
  ),
  /** The current code of one of the partner's confirmed TOTP devices (issue 19): six digits. */
  mfaCode: z.optional(z.string().check(z.regex(MFA_CODE_PATTERN))),
});
export type IssueRequest = z.infer<typeof IssueRequestSchema>;
