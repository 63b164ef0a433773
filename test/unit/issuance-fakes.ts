// In-memory ports and fixtures for the issuance-core unit tests (keys, auth, policy, STS, issue, HTTP).

import { RateLimitedError } from '../../lib/core/errors';
import type {
  ApiKeyRecord,
  IamStatement,
  IssuanceRecord,
  KeyKind,
  Partner,
  Tenant,
  TenantBinding,
  TenantPolicy,
  TenantPolicyDocument,
} from '../../lib/core/model';
import { generateKey, type NewKey } from '../../lib/identity/api-key';
import type { AssumeRoleRequest, FederationRequest } from '../../lib/policy/sts-limits';
import type { DirectoryReader } from '../../lib/store/directory';
import type { IssuanceLedger, IssuedCredentials, MfaGate, PartnerContext, RateLimiter, StsPort } from '../../lib/vend/ports';

/** A fake temporary access key id, built at runtime so no AWS-shaped key id is ever committed. */
export function fakeAccessKeyId(fill = 'X'): string {
  return `ASIA${fill.repeat(16)}`;
}

export const FAKE_SECRET_ACCESS_KEY = `fake-secret-access-key/${'s'.repeat(17)}`;
export const FAKE_SESSION_TOKEN = `fake-session-token+${'t'.repeat(40)}`;

export function fakeCredentials(overrides: Partial<IssuedCredentials> = {}): IssuedCredentials {
  return {
    accessKeyId: fakeAccessKeyId(),
    secretAccessKey: FAKE_SECRET_ACCESS_KEY,
    sessionToken: FAKE_SESSION_TOKEN,
    expiration: new Date('2030-01-02T03:04:05.678Z'),
    principalArn: 'arn:aws:sts::123456789012:assumed-role/demo/p1',
    principalId: 'AROAEXAMPLE:p1',
    packedPolicySize: 7,
    ...overrides,
  };
}

export const TENANT_ID = 'acme';
export const PARTNER_ID = 'partner-one';
export const ROLE_ARN = 'arn:aws:iam::123456789012:role/credvend/acme';
/** The name the tenant policy gives the bound role. */
export const ROLE_NAME = 'primary';
/** The tenant's external ID, as credvend generates them: cv- and 32 base32 characters. */
export const EXTERNAL_ID = 'cv-abcdefghijklmnopqrstuvwxyz234567';
/** Federation resources the operator allows acme: its bucket listing, and its own prefix. */
export const FEDERATION_BOUNDARY = ['arn:aws:s3:::acme-data', 'arn:aws:s3:::acme-data/acme/*'];

export const S3_STATEMENTS: IamStatement[] = [
  {
    Sid: 'TenantObjects',
    Effect: 'Allow',
    Action: ['s3:GetObject', 's3:PutObject'],
    Resource: 'arn:aws:s3:::acme-data/{{tenantId}}/{{partnerId}}/*',
  },
  { Sid: 'List', Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::acme-data' },
  { Sid: 'NoDelete', Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*' },
];

export function policyDocument(overrides: Partial<TenantPolicyDocument> = {}): TenantPolicyDocument {
  return {
    defaultMode: 'assume-role',
    modes: {
      'assume-role': { role: ROLE_NAME, defaultDurationSeconds: 3600, maxDurationSeconds: 7200 },
      federation: { defaultDurationSeconds: 1800, maxDurationSeconds: 43_200 },
    },
    statements: S3_STATEMENTS,
    ...overrides,
  };
}

export function tenantPolicy(document: TenantPolicyDocument = policyDocument(), version = 4): TenantPolicy {
  return { tenantId: TENANT_ID, version, document, updatedAt: '2026-01-01T00:00:00.000Z' };
}

/** What an operator bound acme to: one role (MaxSessionDuration 2 h), federation within its prefix, no ceilings. */
export function binding(overrides: Partial<TenantBinding> = {}): TenantBinding {
  return {
    version: 1,
    externalId: EXTERNAL_ID,
    roles: { [ROLE_NAME]: { roleArn: ROLE_ARN, maxSessionDuration: 7200 } },
    federation: { resourceBoundary: [...FEDERATION_BOUNDARY] },
    updatedAt: '2026-01-01T00:00:00.000Z',
    updatedBy: 'ok-aaaaaaaaaaaaaaaa',
    ...overrides,
  };
}

export function tenant(overrides: Partial<Tenant> = {}): Tenant {
  return { tenantId: TENANT_ID, name: 'Acme', status: 'enabled', createdAt: '2026-01-01T00:00:00.000Z', binding: binding(), ...overrides };
}

export function partner(overrides: Partial<Partner> = {}): Partner {
  return {
    tenantId: TENANT_ID,
    partnerId: PARTNER_ID,
    name: 'Partner One',
    status: 'enabled',
    createdAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

export interface IssuedKey extends NewKey {
  record: ApiKeyRecord;
}

/** A real key (generateKey) and the record the directory would hold for it. */
export function issuedKey(kind: KeyKind, overrides: Partial<ApiKeyRecord> = {}): IssuedKey {
  const key = generateKey(kind);
  const record: ApiKeyRecord = {
    keyId: key.keyId,
    kind,
    ...(kind !== 'operator' && { tenantId: TENANT_ID }),
    ...(kind === 'partner' && { partnerId: PARTNER_ID }),
    secretHash: key.secretHash,
    status: 'active',
    createdAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
  return { ...key, record };
}

/** A DirectoryReader over maps, counting every call. */
export class FakeDirectory implements DirectoryReader {
  readonly keys = new Map<string, ApiKeyRecord>();
  context: PartnerContext = { tenant: tenant(), partner: partner(), policy: tenantPolicy() };
  readonly calls = { getKey: 0, getTenant: 0, getPartnerContext: 0 };
  readonly contextRequests: [string, string][] = [];
  readonly touches: { keyId: string; at: string; notAfter: string }[] = [];
  touchError?: Error;

  async getKey(keyId: string) {
    this.calls.getKey++;
    return this.keys.get(keyId);
  }

  async getTenant(tenantId: string) {
    this.calls.getTenant++;
    return this.context.tenant?.tenantId === tenantId ? this.context.tenant : undefined;
  }

  async getPartnerContext(tenantId: string, partnerId: string) {
    this.calls.getPartnerContext++;
    this.contextRequests.push([tenantId, partnerId]);
    return this.context;
  }

  async touchKey(keyId: string, at: string, notAfter: string) {
    this.touches.push({ keyId, at, notAfter });
    if (this.touchError) throw this.touchError;
  }
}

export class FakeLedger implements IssuanceLedger {
  readonly records: IssuanceRecord[] = [];
  failWith?: Error;

  async record(record: IssuanceRecord) {
    if (this.failWith) throw this.failWith;
    this.records.push(structuredClone(record));
  }
}

/** Captures every request; answers credentials that expire `durationSeconds` after `issuedAt`. */
export class FakeSts implements StsPort {
  readonly federation: FederationRequest[] = [];
  readonly assumeRoles: AssumeRoleRequest[] = [];
  failWith?: Error;

  constructor(private readonly issuedAt: Date = new Date('2026-03-04T05:06:07.000Z')) {}

  get calls(): number {
    return this.federation.length + this.assumeRoles.length;
  }

  /** The session policy text of the only call made. */
  get onlyPolicy(): string {
    const all = [...this.federation, ...this.assumeRoles];
    if (all.length !== 1) throw new Error(`expected exactly one STS call, got ${all.length}`);
    return all[0]!.policy;
  }

  async getFederationToken(req: FederationRequest) {
    this.federation.push(structuredClone(req));
    if (this.failWith) throw this.failWith;
    return this.answer(req.durationSeconds, `arn:aws:sts::123456789012:federated-user/${req.name}`, `123456789012:${req.name}`);
  }

  async assumeRole(req: AssumeRoleRequest) {
    this.assumeRoles.push(structuredClone(req));
    if (this.failWith) throw this.failWith;
    return this.answer(
      req.durationSeconds,
      `arn:aws:sts::123456789012:assumed-role/acme/${req.roleSessionName}`,
      `AROAEXAMPLEROLEID:${req.roleSessionName}`,
    );
  }

  private answer(durationSeconds: number, principalArn: string, principalId: string): IssuedCredentials {
    return fakeCredentials({
      expiration: new Date(this.issuedAt.getTime() + durationSeconds * 1000),
      principalArn,
      principalId,
      packedPolicySize: 11,
    });
  }
}

/** A RateLimiter that records every consume and refuses (429, Retry-After 7) while `refuse` is set. */
export class FakeRateLimiter implements RateLimiter {
  readonly consumed: [string, string, number][] = [];
  refuse = false;

  async consume(tenantId: string, partnerId: string, perMinute: number) {
    this.consumed.push([tenantId, partnerId, perMinute]);
    if (this.refuse) throw new RateLimitedError('rate_limited', 'Too many requests', { retryAfterSeconds: 7 });
  }
}

/** For tests of issuances that never meet an MFA requirement or a code (issue 19): any call fails the test. */
export const NO_MFA: MfaGate = {
  check: async () => {
    throw new Error('this test has no MFA gate');
  },
};
