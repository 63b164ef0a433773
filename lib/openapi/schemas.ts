// Response shapes of every route, for the OpenAPI document (and so for the integration tests that
// validate real responses against it). Request shapes are the ones the handlers parse with.
// Build/test-time only: no Lambda imports this module.
import * as z from 'zod/mini';
import {
  BindingExpectationRequest,
  BoundRoleSchema,
  ConfirmMfaDeviceRequest,
  CreatePartnerRequest,
  CreateRevocationRequest,
  CreateTenantRequest,
  DeleteWorkloadIdentityQuery,
  EmptyRequest,
  EnrolMfaDeviceRequest,
  Id,
  IssuanceQuery,
  ListQuery,
  PreviewRequest,
  PutBindingRequest,
  PutPolicyRequest,
  PutWorkloadIdentityRequest,
  RevokeSessionsQuery,
} from '../admin/schemas';
import { MODES, type Mode, REVOCATION_REASONS } from '../core/model';
import { DecodedMessageSchema, DecodeMessageRequestSchema } from '../decode/schemas';
import { TenantPolicyDocumentSchema } from '../policy/validate';
import { IssueRequestSchema } from '../vend/request';

const ModeEnum = z.enum(MODES as [Mode, ...Mode[]]);
const Timestamp = z.iso.datetime();
const EntityStatus = z.enum(['enabled', 'disabled']);
const Text = z.string();
const described = <T extends z.ZodMiniType>(schema: T, description: string) => schema.check(z.describe(description)) as T;

export const ErrorResponse = z.strictObject({
  error: z.strictObject({
    code: z.string().check(z.regex(/^[a-z][a-z0-9_]*$/)),
    message: Text,
    requestId: Text,
    details: z.array(z.looseObject({ message: Text, path: z.optional(Text) })),
  }),
});

export const Tenant = z.strictObject({
  tenantId: Id,
  name: Text,
  status: EntityStatus,
  createdAt: Timestamp,
  updatedAt: z.optional(Timestamp),
});

/** A revocation of credentials already issued, with where its Deny was written (README "Revoking credentials"). */
export const Revocation = z.strictObject({
  revocationId: z.string().check(z.regex(/^rv[a-z0-9]+$/)),
  tenantId: Id,
  target: z.union([
    z.strictObject({ kind: z.literal('partner'), partnerId: Id, before: Timestamp }),
    z.strictObject({ kind: z.literal('issuance'), issuanceId: Text, partnerId: Id }),
  ]),
  state: described(
    z.enum(['pending', 'effective', 'partial', 'recorded-only', 'expired']),
    'effective: written everywhere it applies; pending: a write failed and is retried (the same request again, the scheduled sweep), never reported effective meanwhile; expired: still pending when every credential it targets had expired (targets_expired), nothing left to refuse, no longer retried; partial / recorded-only: some / every place is one credvend may not modify (a role in another account): recorded, not enforced there',
  ),
  createdAt: Timestamp,
  createdBy: Text,
  effectiveAt: z.optional(Timestamp),
  targetsExpireAt: Timestamp,
  entities: z.array(
    z.strictObject({
      kind: z.enum(['role', 'user']),
      roleArn: z.optional(Text),
      userName: z.optional(Text),
      state: z.enum(['pending', 'written', 'not-modifiable']),
      reason: z.optional(
        described(
          z.enum(REVOCATION_REASONS),
          'pending (retried by the same request again and by the scheduled sweep): iam_throttled, iam_access_denied, iam_no_such_entity, ' +
            "iam_failed, policy_full (IAM's inline-policy quota, 2,048 characters on the federation user, 10,240 on a role, even " +
            'after compaction), tenant_share_full (the tenant holds its share of the federation user, which every tenant shares, or of a ' +
            'role bound to several tenants: a third of its room, even after compacting its own statements; retried as its earlier statements expire), policy_conflict; ' +
            'targets_expired (the revocation is expired: every credential it targets expired before it was written; terminal); not-modifiable (never written, the tenant must revoke there itself): ' +
            'outside_credvend_account (a bound role in another account or outside tenantRolePattern), role_not_bound, federation_not_deployed',
        ),
      ),
    }),
  ),
});

export const RevocationCreated = z.strictObject({
  created: described(
    z.boolean(),
    'false when the Idempotency-Key (or the same issuance / partner and cutoff) was already used: the first revocation',
  ),
  revocation: Revocation,
});

export const Partner = z.strictObject({
  tenantId: Id,
  partnerId: Id,
  name: Text,
  status: EntityStatus,
  createdAt: Timestamp,
  updatedAt: z.optional(Timestamp),
  /** Present after disable with ?revokeSessions=true. */
  revocation: z.optional(Revocation),
});

const KeyFields = {
  keyId: z.string().check(z.regex(/^(pk|ak|ok)-[a-z2-7]{16}$/)),
  kind: z.enum(['partner', 'admin', 'operator']),
  tenantId: z.optional(Id),
  partnerId: z.optional(Id),
  status: z.enum(['active', 'revoked']),
  createdAt: Timestamp,
  revokedAt: z.optional(Timestamp),
  lastUsedAt: z.optional(Timestamp),
};

/** A key as listed or revoked: never its secret, nor the secret's hash. */
export const ApiKey = z.strictObject({ ...KeyFields, revocation: z.optional(Revocation) });

/** A key just created: the only response carrying the secret (`apiKey`), shown once. */
export const NewApiKey = z.strictObject({
  ...KeyFields,
  apiKey: z.string().check(z.regex(/^cv1\.(pk|ak|ok)-[a-z2-7]{16}\.[A-Za-z0-9_-]{43}$/)),
  rotatedFrom: z.optional(KeyFields.keyId),
});

export const TenantPolicy = z.strictObject({
  tenantId: Id,
  version: z.int().check(z.minimum(1)),
  /** The field PUT takes: a GET, edited, goes back as is (with expectedVersion = version). */
  policy: TenantPolicyDocumentSchema,
  updatedAt: Timestamp,
  /** Id of the key that wrote this version. */
  updatedBy: z.optional(Text),
});

const IamStatement = z.looseObject({ Effect: z.enum(['Allow', 'Deny']) });

export const Problem = z.looseObject({
  code: Text,
  message: Text,
  path: z.optional(Text),
});

export const PolicyPreview = z.strictObject({
  tenantId: Id,
  partnerId: Id,
  source: z.enum(['current', 'draft']),
  policyVersion: z.nullable(z.int()),
  mode: z.nullable(ModeEnum),
  durationSeconds: z.nullable(z.int()),
  sessionName: described(
    z.nullable(Text),
    'RoleSessionName (assume-role) or federation Name: derived from tenant and partner, the request adds only a suffix',
  ),
  roleArn: described(
    z.nullable(Text),
    'The bound role an assume-role issuance would receive (AssumeRole sends the tenant external ID with it); null for federation',
  ),
  sourceIdentity: described(z.nullable(Text), 'The SourceIdentity of an assume-role session; null for federation'),
  renderedPolicy: z.nullable(z.strictObject({ Version: z.literal('2012-10-17'), Statement: z.array(IamStatement) })),
  managedPolicyArns: z.array(Text),
  sessionTags: described(
    z.nullable(z.record(z.string(), z.string())),
    'Session tags of the session in either mode, `tenant` and `partner` included; null when nothing could be planned',
  ),
  size: z.nullable(
    z.strictObject({
      policy: z.int(),
      managedPolicyArns: z.int(),
      total: z.int(),
      limit: z.int(),
      worstCase: z.int(),
    }),
  ),
  problems: z.array(Problem),
  ok: z.boolean(),
  mfaRequired: described(
    z.nullable(z.boolean()),
    'Whether the tenant policy gates this issuance on MFA (its session then carries mfa=true); null when nothing could be planned',
  ),
});

// ---- the tenant's binding (operator) and its trust view (tenant admin): lib/admin/bindings.ts ----

// credvend generates cv-<32 base32>; a migrated tenant may keep an older one, within STS's rule.
const ExternalIdValue = z.string().check(z.minLength(2), z.maxLength(1224), z.regex(/^[\w+=,.@:/-]+$/));
const ExternalId = described(
  ExternalIdValue,
  'Generated by credvend (160 random bits), sent as ExternalId on every AssumeRole for the tenant',
);
const NextExternalId = described(
  z.nullable(ExternalIdValue),
  "Generated by a rotation: to add to the roles' trust policies before an operator activates it; null when none is pending",
);
const Federation = described(
  z.nullable(z.strictObject({ resourceBoundary: z.array(Text), managedPolicyArns: z.optional(z.array(Text)) })),
  'Federation is enabled when present: every Allow resource of the tenant policy must stay within these ARN patterns, and its managed policies among managedPolicyArns',
);
const MaxDurationCeiling = described(z.nullable(z.int()), "Ceiling on any credential's duration, whatever the tenant policy says");
const MaxIssuancesCeiling = described(
  z.nullable(z.int()),
  "Ceiling on each partner's issuances per minute; the tenant policy's rateLimit may only be lower",
);

/** What an operator allows a tenant (DESIGN.md "Trust model"); credvend keeps the external IDs. */
export const TenantBinding = z.strictObject({
  tenantId: Id,
  version: described(z.int().check(z.minimum(1)), 'Pass it back as expectedVersion to change the binding'),
  externalId: ExternalId,
  nextExternalId: NextExternalId,
  roles: described(
    z.record(Id, BoundRoleSchema),
    "The roles the tenant's partners may receive, by the name the tenant policy uses in modes['assume-role'].role",
  ),
  federation: Federation,
  maxDurationSeconds: MaxDurationCeiling,
  maxIssuancesPerMinute: MaxIssuancesCeiling,
  oidc: described(
    z.nullable(z.strictObject({ allowedIssuers: z.array(Text) })),
    "The OIDC issuers the tenant's workload identities may name (exact URLs); null: any https issuer",
  ),
  updatedAt: Timestamp,
  updatedBy: described(z.nullable(Text), 'Id of the key that wrote this version'),
});

/** A partner's workload identity (issue 17): which OIDC tokens authenticate as the partner. */
export const WorkloadIdentity = z.strictObject({
  tenantId: Id,
  partnerId: Id,
  identityId: Id,
  version: described(z.int().check(z.minimum(1)), 'Pass it back as expectedVersion to replace or delete the identity'),
  issuer: described(Text, "The token's `iss`, exactly"),
  audiences: described(
    z.array(Text),
    "The token's `aud` must contain one of these; each is `credvend:<tenantId>` or `credvend:<tenantId>:<suffix>`",
  ),
  subject: z.union([z.strictObject({ exact: Text }), z.strictObject({ pattern: Text })]),
  requiredClaims: described(z.record(z.string(), Text), 'Claims the token must carry with exactly these string values'),
  claimTags: described(
    z.array(Text),
    'Claims whose string values the session carries as tags `oidc:<claim>` (a token lacking one, or with a value STS would refuse as a tag, is 401 token_claims_invalid)',
  ),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  updatedBy: described(z.nullable(Text), 'Id of the key that wrote this version'),
});

const TrustStatement = z.looseObject({
  Sid: z.optional(Text),
  Effect: z.literal('Allow'),
  Principal: z.strictObject({ AWS: Text }),
  Action: z.union([Text, z.array(Text)]),
  Condition: z.optional(z.record(z.string(), z.record(z.string(), z.union([Text, z.array(Text)])))),
});

/** What a tenant admin needs for its roles' trust policies; the same for its admins and operators. */
export const TenantTrust = z.strictObject({
  tenantId: Id,
  externalId: ExternalId,
  nextExternalId: NextExternalId,
  issuerPrincipalArn: described(Text, "The principal the roles must trust: the role credvend's issuing function runs as"),
  roles: described(
    z.array(z.extend(BoundRoleSchema, { name: Id })),
    "The bound roles, by the name the tenant policy uses in modes['assume-role'].role",
  ),
  federation: Federation,
  maxDurationSeconds: MaxDurationCeiling,
  maxIssuancesPerMinute: MaxIssuancesCeiling,
  trustPolicy: described(
    z.strictObject({ Version: z.literal('2012-10-17'), Statement: z.array(TrustStatement) }),
    'The trust policy every bound role needs: AssumeRole only with the external ID (both during a rotation), ' +
      'plus sts:TagSession and sts:SetSourceIdentity',
  ),
});

export const Issuance = z.strictObject({
  issuanceId: Text,
  tenantId: Id,
  partnerId: Id,
  keyId: Text,
  mode: ModeEnum,
  accessKeyId: Text,
  principalArn: Text,
  principalId: Text,
  sourceIdentity: z.optional(Text),
  policyVersion: z.int(),
  policySha256: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  scope: z.optional(z.strictObject({ actions: z.array(Text), resources: z.array(Text) })),
  durationSeconds: z.int(),
  issuedAt: Timestamp,
  expiresAt: Timestamp,
  sourceIp: Text,
  userAgent: Text,
  requestId: Text,
  status: described(z.enum(['active', 'expired', 'revoked']), 'revoked: an effective revocation covers it (see `revocation`)'),
  mfa: z.optional(described(z.boolean(), 'True when the session was issued after an MFA check; it carries the session tag mfa=true')),
  revocation: z.optional(
    z.strictObject({
      revocationId: Text,
      state: z.enum(['pending', 'effective', 'partial', 'recorded-only', 'expired']),
      revokedBy: described(Text, 'Id of the key that asked for the revocation'),
      revokedAt: Timestamp,
    }),
  ),
  webIdentity: described(
    z.optional(z.strictObject({ issuer: Text, subject: Text, identityId: Id, tokenId: z.optional(Text) })),
    'Issued to an OIDC token (keyId is then `oidc.<identityId>`): its issuer, subject and token id (jti); never the token',
  ),
});

// ---- MFA devices (issue 19): lib/mfa/devices.ts ----

export const MfaDevice = z.strictObject({
  deviceId: described(z.string().check(z.regex(/^mfa-[a-z2-7]{16}$/)), 'Generated by credvend'),
  partnerId: Id,
  label: Text,
  status: described(z.enum(['pending', 'active']), 'pending until confirmed with a first code; only active devices count at issuance'),
  createdAt: Timestamp,
  createdBy: described(Text, 'The key id that enrolled it'),
  confirmedAt: z.optional(Timestamp),
  lastUsedAt: z.optional(described(Timestamp, 'Start of the 30-second step of the last code accepted')),
});

export const NewMfaDevice = z.strictObject({
  device: MfaDevice,
  seed: described(z.string().check(z.regex(/^[A-Z2-7]+$/)), 'The TOTP seed (base32, 160 bits): shown in this response only'),
  otpauthUri: described(Text, 'otpauth://totp/… for an authenticator app (SHA-1, 6 digits, 30 s): shown in this response only'),
});

export const MfaDeviceList = z.strictObject({ items: z.array(MfaDevice) });
export const DeletedMfaDevice = z.strictObject({ deviceId: MfaDevice.shape.deviceId, deleted: z.literal(true) });

/** Written by the expiry audit (lib/audit); its findings vary by run, so extra fields are allowed. */
export const AuditReport = z.looseObject({
  tenantId: Id,
  runId: Text,
  windowStart: Timestamp,
  windowEnd: Timestamp,
  createdAt: Timestamp,
});

function pageOf<T extends z.ZodMiniType>(item: T) {
  return z.strictObject({
    items: z.array(item),
    /** Absent on the last page; pass it back as `cursor` for the next. */
    nextCursor: z.optional(Text),
  });
}

// ---- the partner routes (handlers/credentials.ts, whoami.ts, health.ts) -------------------------

const SdkCredentials = z.strictObject({
  accessKeyId: Text,
  secretAccessKey: Text,
  sessionToken: Text,
  expiration: Timestamp,
});

export const IssueResponse = z.strictObject({
  issuanceId: Text,
  tenantId: Id,
  partnerId: Id,
  mode: ModeEnum,
  credentials: SdkCredentials,
  serialized: z.string().check(z.regex(/^[A-Za-z0-9+/]+=*$/)),
  principal: z.strictObject({ arn: Text, id: Text }),
  packedPolicySize: z.int(),
  policyVersion: z.int(),
  serverTime: Timestamp,
  refreshAfter: Timestamp,
});

export const CredentialProcessDocument = z.strictObject({
  Version: z.literal(1),
  AccessKeyId: Text,
  SecretAccessKey: Text,
  SessionToken: Text,
  Expiration: Timestamp,
});

export const ContainerCredentials = z.strictObject({
  AccessKeyId: Text,
  SecretAccessKey: Text,
  Token: Text,
  Expiration: Timestamp,
});

export const Whoami = z.strictObject({
  tenantId: Id,
  partnerId: Id,
  keyId: Text,
  defaultMode: ModeEnum,
  modes: described(
    z.array(z.strictObject({ mode: ModeEnum, defaultDurationSeconds: z.int(), maxDurationSeconds: z.int() })),
    "The modes the tenant policy allows, durations already under the binding's ceiling",
  ),
  policyVersion: z.int(),
  roles: described(z.array(Id), 'Names of the roles bound to the tenant'),
  federation: described(z.boolean(), "Whether the tenant's binding enables federation"),
  principal: described(
    z.strictObject({
      roleSessionName: described(Text, 'RoleSessionName of assume-role sessions; the request chooses only the part in <>'),
      sourceIdentity: described(Text, 'SourceIdentity of every assume-role session: fixed per partner'),
      federationName: described(Text, 'Name of federation sessions without a sessionName'),
      federationNameWithSuffix: described(Text, 'Name of federation sessions with a sessionName (the part in <>)'),
      sessionTags: described(z.strictObject({ tenant: Id, partner: Id }), 'Session tags on every session, either mode'),
    }),
    "How STS names and tags this partner's sessions: derived from tenant and partner, never from the request",
  ),
});

export const Liveness = z.strictObject({ status: z.literal('ok') });

export const Health = z.strictObject({
  status: z.enum(['ok', 'unavailable']),
  dependencies: z.record(z.string(), z.strictObject({ ok: z.boolean(), latencyMs: z.number(), error: z.optional(Text) })),
  checkedAt: described(Timestamp, 'When the dependencies were checked: the answer is reused for 10 seconds'),
});

/** The document itself, loosely: it is generated, and checked by its own tests. */
export const OpenApiDocumentSchema = z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.looseObject({}) });

// ---- query strings the handlers parse by hand --------------------------------------------------

export const IssueQuery = z.object({ format: z.optional(z.enum(['json', 'credential_process'])) });
export const ContainerQuery = z.object({ format: z.literal('container') });

/**
 * Every schema that becomes a named component. Request schemas whose `policy` is checked by the
 * policy validator (422, not 400) are documented with the validator's schema for that field.
 */
export const COMPONENTS = {
  Id,
  Timestamp,
  Error: ErrorResponse,
  Tenant,
  TenantList: pageOf(Tenant),
  Partner,
  PartnerList: pageOf(Partner),
  ApiKey,
  ApiKeyList: pageOf(ApiKey),
  NewApiKey,
  TenantPolicyDocument: TenantPolicyDocumentSchema,
  TenantPolicy,
  TenantPolicyList: pageOf(TenantPolicy),
  PolicyPreview,
  Problem,
  Issuance,
  IssuanceList: pageOf(Issuance),
  MfaDevice,
  NewMfaDevice,
  MfaDeviceList,
  DeletedMfaDevice,
  EnrolMfaDeviceRequest,
  ConfirmMfaDeviceRequest,
  AuditReport,
  AuditReportList: pageOf(AuditReport),
  Revocation,
  RevocationList: pageOf(Revocation),
  RevocationCreated,
  CreateRevocationRequest,
  CreateTenantRequest,
  CreatePartnerRequest,
  EmptyRequest,
  PutPolicyRequest: z.extend(PutPolicyRequest, { policy: TenantPolicyDocumentSchema }),
  PreviewRequest: z.extend(PreviewRequest, { policy: z.optional(TenantPolicyDocumentSchema) }),
  TenantBinding,
  TenantTrust,
  PutBindingRequest,
  BindingExpectationRequest,
  WorkloadIdentity,
  WorkloadIdentityList: pageOf(WorkloadIdentity),
  PutWorkloadIdentityRequest,
  IssueRequest: IssueRequestSchema,
  IssueResponse,
  CredentialProcessDocument,
  ContainerCredentials,
  Whoami,
  DecodeMessageRequest: DecodeMessageRequestSchema,
  DecodedMessage: DecodedMessageSchema,
  Liveness,
  Health,
  OpenApiDocument: OpenApiDocumentSchema,
} as const;

export type ComponentName = keyof typeof COMPONENTS;

export const QUERIES = { ListQuery, IssuanceQuery, IssueQuery, ContainerQuery, DeleteWorkloadIdentityQuery, RevokeSessionsQuery } as const;
