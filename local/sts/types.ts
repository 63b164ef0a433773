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
  action: string;
  accessKeyId?: string;
  status: number;
  code?: string;
}

/** Answered before authentication, so it also fires for badly signed requests; each one is recorded in calls. */
export interface LocalStsFault {
  /** Only requests for this action (STS Action, or SSM operation such as 'GetParameter'); any if absent. */
  action?: string;
  status: number;
  code: string;
  message?: string;
  /** How many matching requests get the fault; default 1. */
  times?: number;
  /** Wait this long before answering, e.g. to outlast a client's timeout. */
  delayMs?: number;
}

export interface LocalSts {
  url: string;
  port: number;
  /** Every request received, in order. */
  calls: LocalStsCall[];
  resetCalls(): void;
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
