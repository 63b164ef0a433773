// Response shapes of every route, for the OpenAPI document (and so for the integration tests that
// validate real responses against it). Request shapes are the ones the handlers parse with.
// Build/test-time only: no Lambda imports this module.
import * as z from 'zod/mini';
import {
  CreatePartnerRequest,
  CreateTenantRequest,
  EmptyRequest,
  Id,
  IssuanceQuery,
  ListQuery,
  PreviewRequest,
  PutPolicyRequest,
} from '../admin/schemas';
import { MODES, type Mode } from '../core/model';
import { TenantPolicyDocumentSchema } from '../policy/validate';
import { IssueRequestSchema } from '../vend/request';

const ModeEnum = z.enum(MODES as [Mode, ...Mode[]]);
const Timestamp = z.iso.datetime();
const EntityStatus = z.enum(['enabled', 'disabled']);
const Text = z.string();

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

export const Partner = z.strictObject({
  tenantId: Id,
  partnerId: Id,
  name: Text,
  status: EntityStatus,
  createdAt: Timestamp,
  updatedAt: z.optional(Timestamp),
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
export const ApiKey = z.strictObject(KeyFields);

/** A key just created: the only response carrying the secret (`apiKey`), shown once. */
export const NewApiKey = z.strictObject({
  ...KeyFields,
  apiKey: z.string().check(z.regex(/^cv1\.(pk|ak|ok)-[a-z2-7]{16}\.[A-Za-z0-9_-]{43}$/)),
  rotatedFrom: z.optional(KeyFields.keyId),
});

export const TenantPolicy = z.strictObject({
  tenantId: Id,
  version: z.int().check(z.minimum(1)),
  document: TenantPolicyDocumentSchema,
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
  sessionName: z.nullable(Text),
  renderedPolicy: z.nullable(z.strictObject({ Version: z.literal('2012-10-17'), Statement: z.array(IamStatement) })),
  managedPolicyArns: z.array(Text),
  sessionTags: z.nullable(z.record(z.string(), z.string())),
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
  status: z.enum(['active', 'expired']),
});

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
  modes: z.array(z.strictObject({ mode: ModeEnum, defaultDurationSeconds: z.int(), maxDurationSeconds: z.int() })),
  policyVersion: z.int(),
});

export const Health = z.strictObject({
  status: z.enum(['ok', 'unavailable']),
  dependencies: z.record(z.string(), z.strictObject({ ok: z.boolean(), latencyMs: z.number(), error: z.optional(Text) })),
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
  AuditReport,
  AuditReportList: pageOf(AuditReport),
  CreateTenantRequest,
  CreatePartnerRequest,
  EmptyRequest,
  PutPolicyRequest: z.extend(PutPolicyRequest, { policy: TenantPolicyDocumentSchema }),
  PreviewRequest: z.extend(PreviewRequest, { policy: z.optional(TenantPolicyDocumentSchema) }),
  IssueRequest: IssueRequestSchema,
  IssueResponse,
  CredentialProcessDocument,
  ContainerCredentials,
  Whoami,
  Health,
  OpenApiDocument: OpenApiDocumentSchema,
} as const;

export type ComponentName = keyof typeof COMPONENTS;

export const QUERIES = { ListQuery, IssuanceQuery, IssueQuery, ContainerQuery } as const;
