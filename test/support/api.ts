// Helpers for integration tests: the running API (serverless-offline) and direct access to the
// local tables and STS that global-setup started.
import { randomBytes } from 'node:crypto';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TenantBinding, TenantPolicyDocument } from '../../lib/core/model';
import { DynamoDirectoryAdmin } from '../../lib/store/directory-admin';
import { localDynamoClient } from '../../local/dynamo';
import { createApiKey, demoBinding, demoPolicy } from '../../local/seed';
import { assertMatchesOpenApi } from './openapi';
import { apiKeySecret, recordSecrets, secretsIn } from './secret-scan';

export interface TestStackInfo {
  stage: string;
  env: Record<string, string>;
  stsUrl: string;
  /** serverless-offline's Lambda Invoke API (POST /2015-03-31/functions/<name>/invocations). */
  lambdaUrl: string;
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

export interface TestTenantOptions {
  /** Default: the demo binding (the local demo role, sharing the stack's demo external ID). */
  binding?: TenantBinding | ((tenantId: string, at: string) => TenantBinding);
  /** Default: a fresh `t-xxxxxxxx`. */
  tenantId?: string;
  /** Default: a fresh `p-xxxxxxxx`. */
  partnerId?: string;
}

/**
 * The demo binding without federation: a partner revocation is then written on the role only. The stack's one
 * federation user is shared by every test tenant and holds about 7 revocation statements in all (README "Revoking
 * credentials"), so only the few tests that revoke federated sessions on purpose may bind federation and revoke.
 */
export function roleOnlyBinding(tenantId: string, at: string): TenantBinding {
  const { federation: _, ...binding } = demoBinding(tenantId, stackInfo().demoRoleArn, stackInfo().demoExternalId, at);
  return binding;
}

/** A fresh tenant with one partner and keys, written straight to the tables (the admin API is tested on its own). */
export async function createTestTenant(policy?: TenantPolicyDocument, options: TestTenantOptions = {}): Promise<TestTenant> {
  const { client, main } = tables();
  const admin = new DynamoDirectoryAdmin(client, main);
  const tenantId = options.tenantId ?? uniqueId('t');
  const partnerId = options.partnerId ?? uniqueId('p');
  const at = new Date().toISOString();
  const { demoRoleArn, demoExternalId } = stackInfo();
  const binding =
    typeof options.binding === 'function'
      ? options.binding(tenantId, at)
      : (options.binding ?? demoBinding(tenantId, demoRoleArn, demoExternalId, at));
  await admin.createTenant({ tenantId, name: tenantId, status: 'enabled', createdAt: at, binding });
  await admin.putPolicy(tenantId, policy ?? demoPolicy(), 0, at, 'test');
  const partner = await addTestPartner(tenantId, partnerId);
  const tenantAdmin = await createApiKey(admin, 'admin', { tenantId });
  recordSecrets([apiKeySecret(tenantAdmin.apiKey)]);
  return { tenantId, partnerId, partnerKey: partner.partnerKey, partnerKeyId: partner.partnerKeyId, adminKey: tenantAdmin.apiKey };
}

/** Another partner of an existing tenant, with a key, written straight to the tables. */
export async function addTestPartner(tenantId: string, partnerId: string = uniqueId('p')) {
  const { client, main } = tables();
  const admin = new DynamoDirectoryAdmin(client, main);
  await admin.createPartner({ tenantId, partnerId, name: partnerId, status: 'enabled', createdAt: new Date().toISOString() });
  const partner = await createApiKey(admin, 'partner', { tenantId, partnerId });
  recordSecrets([apiKeySecret(partner.apiKey)]);
  return { partnerId, partnerKey: partner.apiKey, partnerKeyId: partner.record.keyId };
}

/**
 * Writes a policy version straight to the table, past the admin API's validation: what a tenant
 * stored before today's rules (e.g. a withdrawn placeholder) looks like to the running code.
 */
export async function writeStoredPolicy(tenantId: string, document: unknown, expectedVersion: number): Promise<void> {
  const { client, main } = tables();
  const admin = new DynamoDirectoryAdmin(client, main);
  await admin.putPolicy(tenantId, document as TenantPolicyDocument, expectedVersion, new Date().toISOString(), 'pre-upgrade');
}

export function closeTables(): void {
  documentClient?.destroy();
  documentClient = undefined;
}
