// Public configuration and observation types of the local STS (re-exported by server.ts).
import type { TrustPolicyDocument } from './trust';

export type { TrustPolicyDocument, TrustPolicyStatement } from './trust';

/** Long-term IAM user keys (AKIA...), as seeded by the caller. */
export interface LocalStsUser {
  userName: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * An IAM role of the emulator's account. trustPolicy is the role's trust policy (IAM's
 * AssumeRolePolicyDocument), as a document or its JSON text; it decides who may assume the role
 * and under which conditions (README: "Trust policies").
 */
export interface LocalStsRole {
  arn: string;
  /** 3600–43200 seconds, as in IAM. */
  maxSessionDuration: number;
  trustPolicy: TrustPolicyDocument | string;
}

export interface LocalStsParameter {
  name: string;
  value: string;
  type: 'String' | 'SecureString';
}

export interface LocalStsOptions {
  /** 0 = a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default '123456789012'. */
  accountId?: string;
  users: LocalStsUser[];
  roles?: LocalStsRole[];
  parameters?: LocalStsParameter[];
  quiet?: boolean;
}

export interface LocalStsCall {
  /** Which API the request was for: STS and IAM (Query protocol, told apart by the signature's scope) or SSM. */
  service: 'sts' | 'iam' | 'ssm';
  action: string;
  accessKeyId?: string;
  status: number;
  code?: string;
}

/** Answered before authentication, so it also fires for badly signed requests; each one is recorded in calls. */
export interface LocalStsFault {
  /** Only requests for this action (STS or IAM Action, or SSM operation such as 'GetParameter'); any if absent. */
  action?: string;
  status: number;
  code: string;
  message?: string;
  /** How many matching requests get the fault; default 1. */
  times?: number;
  /** Wait this long before answering, e.g. to outlast a client's timeout. */
  delayMs?: number;
}

export interface LocalStsSessionTag {
  key: string;
  value: string;
  /** Listed in TransitiveTagKeys (AssumeRole only). */
  transitive: boolean;
}

/**
 * What the emulator knows about credentials it issued: facts of the request and the session,
 * never a secret (no secret access key, session token or external id: only whether one was sent).
 */
export interface LocalStsSession {
  accessKeyId: string;
  action: 'AssumeRole' | 'GetFederationToken' | 'GetSessionToken';
  /** The principal that signed the request. */
  callerArn: string;
  /** The session's own principal: assumed-role, federated-user, or the IAM user for GetSessionToken. */
  principalArn: string;
  principalId: string;
  roleArn?: string;
  sourceIdentity?: string;
  tags: LocalStsSessionTag[];
  /** The session policy text exactly as sent. */
  policy?: string;
  policyArns: string[];
  durationSeconds: number;
  /** ISO 8601, on the emulator clock. */
  issuedAt: string;
  expiresAt: string;
  /** Whether the AssumeRole request carried an ExternalId (its value is not kept). */
  externalIdPresent: boolean;
}

export interface LocalSts {
  url: string;
  port: number;
  /** Every request received, in order. */
  calls: LocalStsCall[];
  resetCalls(): void;
  /** Every credential issued, in order. */
  readonly sessions: readonly LocalStsSession[];
  sessionOf(accessKeyId: string): LocalStsSession | undefined;
  /** Adds a role or replaces the one with the same ARN; throws a clear Error when the role or its trust policy is invalid. */
  putRole(role: LocalStsRole): void;
  /** Removes a role (true if it existed); AssumeRole on it is then AccessDenied, like any unknown role. */
  deleteRole(arn: string): boolean;
  /** Moves the emulator's clock (issued credentials expire on it; signatures are checked against it). */
  advanceClock(ms: number): void;
  injectFault(f: LocalStsFault): void;
  clearFaults(): void;
  close(): Promise<void>;
}
