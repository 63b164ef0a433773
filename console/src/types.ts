// The API's shapes the console reads (lib/openapi/openapi.json has them all).
export interface Issuance {
  issuanceId: string;
  partnerId: string;
  keyId: string;
  mode: 'assume-role' | 'federation';
  principalArn: string;
  policyVersion: number;
  durationSeconds: number;
  issuedAt: string;
  expiresAt: string;
  status: 'active' | 'expired';
}

export interface Partner {
  partnerId: string;
  name: string;
  status: 'enabled' | 'disabled';
  createdAt: string;
}

export interface ApiKey {
  keyId: string;
  kind: string;
  status: 'active' | 'revoked';
  createdAt: string;
  revokedAt?: string;
  lastUsedAt?: string;
}

export interface NewApiKey extends ApiKey {
  apiKey: string;
  rotatedFrom?: string;
}

export interface TenantPolicy {
  tenantId: string;
  version: number;
  policy: unknown;
  updatedAt: string;
  updatedBy?: string;
}

export interface Tenant {
  tenantId: string;
  name: string;
  status: 'enabled' | 'disabled';
  createdAt: string;
}

export interface AuditReport {
  runId: string;
  windowStart: string;
  windowEnd: string;
  createdAt: string;
  issuedInWindow?: number;
  expiredInWindow?: number;
  liveCredentials?: number;
  flagCounts?: { liveCredentialsOfDisabled: number; overMaxDuration: number; invalidRecords: number };
  liveCredentialsOfDisabled?: { reason: string }[];
  overMaxDuration?: unknown[];
  invalidRecords?: unknown[];
  policyProblems?: { code: string; path?: string; message: string }[];
  truncated?: boolean;
}

export interface PolicyPreview {
  ok: boolean;
  source: 'current' | 'draft';
  mode: string | null;
  durationSeconds: number | null;
  sessionName: string | null;
  roleArn: string | null;
  renderedPolicy: unknown;
  size: { policy: number; managedPolicyArns: number; total: number; limit: number; worstCase: number } | null;
  problems: { path?: string; code: string; message: string }[];
}

export interface WorkloadIdentity {
  tenantId: string;
  partnerId: string;
  identityId: string;
  version: number;
  issuer: string;
  audiences: string[];
  subject: { exact: string } | { pattern: string };
  requiredClaims: Record<string, string>;
  claimTags: string[];
  createdAt: string;
  updatedAt: string;
  updatedBy: string | null;
}

export interface RevocationEntity {
  kind: 'role' | 'user';
  roleArn?: string;
  userName?: string;
  state: 'pending' | 'written' | 'not-modifiable';
  reason?: string;
}

export interface Revocation {
  revocationId: string;
  tenantId: string;
  target: { kind: 'partner'; partnerId: string; before: string } | { kind: 'issuance'; issuanceId: string; partnerId: string };
  state: 'pending' | 'effective' | 'partial' | 'recorded-only' | 'expired';
  createdAt: string;
  createdBy: string;
  effectiveAt?: string;
  targetsExpireAt: string;
  entities: RevocationEntity[];
}

export interface RevocationCreated {
  created: boolean;
  revocation: Revocation;
}
