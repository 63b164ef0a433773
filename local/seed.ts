// Demo data for the local stack: a tenant with a policy, a partner with a key, and admin and
// operator keys. Keys are generated fresh on every run and only ever printed to the terminal.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createApiKey } from '../lib/admin/api-keys';
import type { TenantBinding, TenantPolicyDocument } from '../lib/core/model';
import { DynamoDirectoryAdmin } from '../lib/store/directory-admin';

// Re-exported: test support creates keys through the same function the admin API uses.
export { createApiKey };

export const DEMO_TENANT = 'demo';
export const DEMO_PARTNER = 'demo-app';

/** The name the demo policy gives the bound demo role. */
export const DEMO_ROLE = 'demo';

/** What a tenant admin writes: the bound role by name, statements over {{tenantId}}/{{partnerId}}. */
export function demoPolicy(): TenantPolicyDocument {
  return {
    defaultMode: 'assume-role',
    modes: {
      'assume-role': { role: DEMO_ROLE, defaultDurationSeconds: 900, maxDurationSeconds: 3600 },
      federation: { defaultDurationSeconds: 900, maxDurationSeconds: 7200 },
    },
    statements: [
      {
        Sid: 'PartnerObjects',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject'],
        Resource: 'arn:aws:s3:::demo-bucket/{{tenantId}}/{{partnerId}}/*',
      },
      {
        Sid: 'PartnerListing',
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: 'arn:aws:s3:::demo-bucket',
        Condition: { StringLike: { 's3:prefix': '{{tenantId}}/{{partnerId}}/*' } },
      },
    ],
  };
}

/**
 * What an operator binds a demo tenant to: the local demo role (whose trust policy requires
 * `externalId`, the local stack's demoExternalId), and federation within the tenant's demo-bucket prefix.
 */
export function demoBinding(tenantId: string, roleArn: string, externalId: string, at = new Date().toISOString()): TenantBinding {
  return {
    version: 1,
    externalId,
    roles: { [DEMO_ROLE]: { roleArn, maxSessionDuration: 14_400 } },
    federation: { resourceBoundary: ['arn:aws:s3:::demo-bucket', `arn:aws:s3:::demo-bucket/${tenantId}/*`] },
    updatedAt: at,
    updatedBy: 'seed',
  };
}

/** The demo partner's workload identity: tokens of the local OIDC issuer with this subject and audience. */
export const DEMO_WEB_IDENTITY = {
  identityId: 'local-ci',
  audience: `credvend:${DEMO_TENANT}`,
  subject: 'repo:demo/app:ref:refs/heads/main',
};

/** Registers the demo workload identity for `issuer` (the local OIDC issuer, local/oidc.ts). */
export async function seedDemoWebIdentity(client: DynamoDBDocumentClient, mainTable: string, issuer: string): Promise<void> {
  const at = new Date().toISOString();
  await new DynamoDirectoryAdmin(client, mainTable).putWorkloadIdentity(
    {
      tenantId: DEMO_TENANT,
      partnerId: DEMO_PARTNER,
      identityId: DEMO_WEB_IDENTITY.identityId,
      issuer,
      audiences: [DEMO_WEB_IDENTITY.audience],
      subject: { exact: DEMO_WEB_IDENTITY.subject },
      version: 1,
      createdAt: at,
      updatedAt: at,
      updatedBy: 'seed',
    },
    0,
  );
}

export interface SeededKeys {
  partnerKey: string;
  adminKey: string;
  operatorKey: string;
}

export async function seedDemo(
  client: DynamoDBDocumentClient,
  mainTable: string,
  roleArn: string,
  externalId: string,
): Promise<SeededKeys> {
  const admin = new DynamoDirectoryAdmin(client, mainTable);
  const at = new Date().toISOString();
  const binding = demoBinding(DEMO_TENANT, roleArn, externalId, at);
  await admin.createTenant({ tenantId: DEMO_TENANT, name: 'Demo tenant', status: 'enabled', createdAt: at, binding });
  await admin.putPolicy(DEMO_TENANT, demoPolicy(), 0, at, 'seed');
  await admin.createPartner({ tenantId: DEMO_TENANT, partnerId: DEMO_PARTNER, name: 'Demo app', status: 'enabled', createdAt: at });
  const partner = await createApiKey(admin, 'partner', { tenantId: DEMO_TENANT, partnerId: DEMO_PARTNER });
  const tenantAdmin = await createApiKey(admin, 'admin', { tenantId: DEMO_TENANT });
  const operator = await createApiKey(admin, 'operator', {});
  return { partnerKey: partner.apiKey, adminKey: tenantAdmin.apiKey, operatorKey: operator.apiKey };
}
