// The domain records every capability shares (their DynamoDB layout: table-keys.ts).

export type Mode = 'assume-role' | 'federation';
export const MODES: readonly Mode[] = ['assume-role', 'federation'];

export type KeyKind = 'partner' | 'admin' | 'operator';
export type EntityStatus = 'enabled' | 'disabled';
export type KeyStatus = 'active' | 'revoked';
export type IssuanceStatus = 'active' | 'expired';

/** Session tags credvend sets on every assumed-role session (transitive); tenants may not set them. */
export const IDENTITY_TAGS = ['tenant', 'partner'] as const;

/** Tenant and partner ids: lowercase, safe inside ARNs, STS names, tags and DynamoDB keys. */
export const ID_PATTERN = /^[a-z0-9][a-z0-9-]{1,30}[a-z0-9]$/;

export interface IamStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string | string[] | boolean | number>>;
}

export interface ModeSettings {
  defaultDurationSeconds: number;
  maxDurationSeconds: number;
}

export interface AssumeRoleSettings extends ModeSettings {
  roleArn: string;
  externalId?: string;
  /** The role's own MaxSessionDuration, so over-long requests are refused before STS is called. */
  roleMaxSessionDuration: number;
  /** Session tags `tenant` / `partner` (default on); off for roles whose trust policy lacks sts:TagSession. */
  sessionTags?: boolean;
}

/** What a tenant admin writes. Statements are templates: {{tenantId}}, {{partnerId}}, {{sessionName}}. */
export interface TenantPolicyDocument {
  defaultMode: Mode;
  modes: {
    'assume-role'?: AssumeRoleSettings;
    federation?: ModeSettings;
  };
  statements: IamStatement[];
  managedPolicyArns?: string[];
  /** Extra session tags (assume-role only), values may use the same placeholders. */
  sessionTags?: Record<string, string>;
  /** Per-partner issuance limit, enforced across all Lambdas. */
  rateLimit?: { perMinute: number };
}

export interface TenantPolicy {
  tenantId: string;
  version: number;
  document: TenantPolicyDocument;
  updatedAt: string;
}

export interface Tenant {
  tenantId: string;
  name: string;
  status: EntityStatus;
  createdAt: string;
}

export interface Partner {
  tenantId: string;
  partnerId: string;
  name: string;
  status: EntityStatus;
  createdAt: string;
}

export interface ApiKeyRecord {
  keyId: string;
  kind: KeyKind;
  /** Absent only for operator keys. */
  tenantId?: string;
  /** Present only for partner keys. */
  partnerId?: string;
  /** SHA-256 (hex) of the secret part; the secret itself is never stored. */
  secretHash: string;
  status: KeyStatus;
  createdAt: string;
  revokedAt?: string;
  lastUsedAt?: string;
}

export interface IssuanceRecord {
  issuanceId: string;
  tenantId: string;
  partnerId: string;
  keyId: string;
  mode: Mode;
  accessKeyId: string;
  principalArn: string;
  principalId: string;
  sourceIdentity?: string;
  policyVersion: number;
  /** SHA-256 (hex) of the rendered session policy exactly as sent to STS. */
  policySha256: string;
  scope?: { actions: string[]; resources: string[] };
  durationSeconds: number;
  issuedAt: string;
  expiresAt: string;
  sourceIp: string;
  userAgent: string;
  requestId: string;
  status: IssuanceStatus;
}

export interface AuditReport {
  tenantId: string;
  runId: string;
  windowStart: string;
  windowEnd: string;
  createdAt: string;
  [key: string]: unknown;
}
