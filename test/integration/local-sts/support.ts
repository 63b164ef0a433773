// Shared helpers for the local STS integration tests: keys made at test time (never committed),
// SDK clients pointed at the emulator, and an assertion on the AWS error a call fails with.
import { randomBytes } from 'node:crypto';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { STSClient, type STSClientConfig } from '@aws-sdk/client-sts';
import { expect } from '@jest/globals';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';
import { NodeSha256 } from '../../../lib/aws/sha256';
import type { LocalSts, LocalStsUser, TrustPolicyDocument, TrustPolicyStatement } from '../../../local/sts/server';

export const ACCOUNT = '123456789012';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Fresh IAM-user keys shaped like AWS's (AKIA + 16), random per run. */
export function testUser(userName: string): LocalStsUser {
  const id = Array.from(randomBytes(16), (b) => ALNUM[b % ALNUM.length]).join('');
  return { userName, accessKeyId: `AKIA${id}`, secretAccessKey: randomBytes(30).toString('base64') };
}

/** What credvend asks of a role: assume it, tag the session, set the source identity. */
export const ALL_TRUST_ACTIONS = ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'];

/** A trust policy with one Allow statement for these AWS principals (all three STS actions unless told). */
export function trustPolicyFor(
  principals: string | string[],
  opts: { actions?: string[]; condition?: TrustPolicyStatement['Condition'] } = {},
): TrustPolicyDocument {
  const statement: TrustPolicyStatement = { Effect: 'Allow', Principal: { AWS: principals }, Action: opts.actions ?? ALL_TRUST_ACTIONS };
  if (opts.condition) statement.Condition = opts.condition;
  return { Version: '2012-10-17', Statement: [statement] };
}

export interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** The SDK's Credentials output as an identity another client can sign with. */
export function credsOf(c: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string } | undefined): Creds {
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('no credentials in response');
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

/** One character of the secret changed: a key that exists, signed with the wrong secret. */
export function withWrongSecret(c: Creds): Creds {
  const last = c.secretAccessKey.at(-1) === 'A' ? 'B' : 'A';
  return { ...c, secretAccessKey: c.secretAccessKey.slice(0, -1) + last };
}

/** A client for the emulator; maxAttempts 1 by default so an error surfaces as sent, without retries. */
export function stsClient(sts: LocalSts, credentials: Creds, extra: Partial<STSClientConfig> = {}): STSClient {
  return new STSClient({ endpoint: sts.url, region: 'us-east-1', credentials, maxAttempts: 1, ...extra });
}

/** The call fails with this SDK error name (and, for modeled errors, this wire code). */
export async function expectAwsError(
  call: Promise<unknown>,
  name: string,
  opts: { wireCode?: string; status?: number; message?: RegExp } = {},
): Promise<void> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e as { name?: string; Code?: string; message?: string; $metadata?: { httpStatusCode?: number } },
  );
  expect(err).toBeDefined();
  expect(err?.name).toBe(name);
  expect(err?.Code).toBe(opts.wireCode ?? name);
  if (opts.status !== undefined) expect(err?.$metadata?.httpStatusCode).toBe(opts.status);
  if (opts.message) expect(err?.message).toMatch(opts.message);
}

export { NodeSha256 };

/**
 * A raw request signed by the SDK's own signer (@smithy/signature-v4), for what the STS client
 * never sends: unknown actions, GET with a query string, presigned URLs.
 */
export async function signedRequest(
  sts: LocalSts,
  creds: Creds,
  req: {
    method?: string;
    query?: Record<string, string>;
    body?: string;
    headers?: Record<string, string>;
    service?: string;
    presign?: boolean;
  },
): Promise<{ url: string; init: RequestInit }> {
  const url = new URL(sts.url);
  const signer = new SignatureV4({ service: req.service ?? 'sts', region: 'us-east-1', credentials: creds, sha256: NodeSha256 });
  const request: HttpRequest = {
    method: req.method ?? 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    query: req.query ?? {},
    headers: { host: url.host, ...(req.body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...req.headers },
    body: req.body,
  };
  const signed = req.presign ? await signer.presign(request) : await signer.sign(request);
  const query = new URLSearchParams(signed.query as Record<string, string>).toString().replace(/\+/g, '%20');
  const headers = Object.fromEntries(Object.entries(signed.headers).filter(([name]) => name !== 'host'));
  return { url: `${sts.url}/${query ? `?${query}` : ''}`, init: { method: signed.method, headers, body: req.body } };
}

/**
 * Whether the emulator's IAM still honours credentials: `honoured`, or `AccessDenied` once an explicit
 * Deny in the principal's identity policies refuses them. Probes with SSM GetParameter, which IAM
 * authorizes for every kind of caller (a federated user may call no STS action but GetCallerIdentity,
 * and GetCallerIdentity is answered even under a Deny on *). A missing parameter is still honoured.
 */
export async function iamVerdict(endpoint: string, credentials: Creds): Promise<string> {
  const ssm = new SSMClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
  try {
    await ssm.send(new GetParameterCommand({ Name: '/credvend/probe' }));
    return 'honoured';
  } catch (e) {
    const name = (e as Error).name;
    if (name === 'ParameterNotFound') return 'honoured';
    return name === 'AccessDeniedException' ? 'AccessDenied' : name;
  } finally {
    ssm.destroy();
  }
}
