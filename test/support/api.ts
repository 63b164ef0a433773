// Helpers for integration tests: the running API (serverless-offline) and direct access to the
// local tables and STS that global-setup started.
import { randomBytes } from 'node:crypto';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TenantPolicyDocument } from '../../lib/core/model';
import { DynamoDirectoryAdmin } from '../../lib/store/directory-admin';
import { localDynamoClient } from '../../local/dynamo';
import { createApiKey, demoPolicy } from '../../local/seed';
import { assertMatchesOpenApi } from './openapi';
import { apiKeySecret, recordSecrets, secretsIn } from './secret-scan';

export interface TestStackInfo {
  stage: string;
  env: Record<string, string>;
  stsUrl: string;
  demoRoleArn: string;
  /** What the demo role's trust policy requires as sts:ExternalId. */
  demoExternalId: string;
  federationUser: { userName: string; accessKeyId: string };
}

export function stackInfo(): TestStackInfo {
  const raw = process.env.CREDVEND_TEST_STACK;
  if (!raw) throw new Error('integration tests need the global setup (run them through jest projects)');
  return JSON.parse(raw) as TestStackInfo;
}

export const apiUrl = (): string => process.env.CREDVEND_TEST_API!;

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export async function call<T = any>(
  method: string,
  path: string,
  opts: {
    key?: string;
    authorization?: string;
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
    /** Skip the OpenAPI check, for answers serverless-offline gives itself (unknown routes, Lambda timeouts). */
    unchecked?: boolean;
  } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.authorization !== undefined) headers.authorization = opts.authorization;
  else if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  let body: string | undefined = opts.rawBody;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${apiUrl()}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  recordSecrets(secretsIn(parsed));
  // Every real response of the suite must match the published contract.
  if (!opts.unchecked) assertMatchesOpenApi(method, path, res.status, parsed);
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

let documentClient: DynamoDBDocumentClient | undefined;
export function tables() {
  const { env } = stackInfo();
  documentClient ??= DynamoDBDocumentClient.from(localDynamoClient(env.AWS_ENDPOINT_URL_DYNAMODB!), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return { client: documentClient, main: env.MAIN_TABLE!, issuances: env.ISSUANCE_TABLE! };
}

export function uniqueId(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export interface TestTenant {
  tenantId: string;
  partnerId: string;
  partnerKey: string;
  partnerKeyId: string;
  adminKey: string;
}

/** A fresh tenant with one partner and keys, written straight to the tables (the admin API is tested on its own). */
export async function createTestTenant(policy?: TenantPolicyDocument): Promise<TestTenant> {
  const { client, main } = tables();
  const admin = new DynamoDirectoryAdmin(client, main);
  const tenantId = uniqueId('t');
  const partnerId = uniqueId('p');
  const at = new Date().toISOString();
  await admin.createTenant({ tenantId, name: tenantId, status: 'enabled', createdAt: at });
  await admin.putPolicy(tenantId, policy ?? demoPolicy(stackInfo().demoRoleArn, stackInfo().demoExternalId), 0, at, 'test');
  await admin.createPartner({ tenantId, partnerId, name: partnerId, status: 'enabled', createdAt: at });
  const partner = await createApiKey(admin, 'partner', { tenantId, partnerId });
  const tenantAdmin = await createApiKey(admin, 'admin', { tenantId });
  recordSecrets([apiKeySecret(partner.apiKey), apiKeySecret(tenantAdmin.apiKey)]);
  return { tenantId, partnerId, partnerKey: partner.apiKey, partnerKeyId: partner.record.keyId, adminKey: tenantAdmin.apiKey };
}

export function closeTables(): void {
  documentClient?.destroy();
  documentClient = undefined;
}
