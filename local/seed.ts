// Demo data for the local stack: a tenant with a policy, a partner with a key, and admin and
// operator keys. Keys are generated fresh on every run and only ever printed to the terminal.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createApiKey } from '../lib/admin/api-keys';
import type { TenantPolicyDocument } from '../lib/core/model';
import { DynamoDirectoryAdmin } from '../lib/store/directory-admin';

// Re-exported: test support creates keys through the same function the admin API uses.
export { createApiKey };

export const DEMO_TENANT = 'demo';
export const DEMO_PARTNER = 'demo-app';

/**
 * externalId: the one the role's trust policy requires (the local stack's demoExternalId). It sits in
 * the tenant policy until credvend moves external ids to the operator-owned binding.
 */
export function demoPolicy(roleArn: string, externalId?: string): TenantPolicyDocument {
  return {
    defaultMode: 'assume-role',
    modes: {
      'assume-role': {
        roleArn,
        ...(externalId !== undefined ? { externalId } : {}),
        roleMaxSessionDuration: 14_400,
        defaultDurationSeconds: 900,
        maxDurationSeconds: 3600,
      },
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

export interface SeededKeys {
  partnerKey: string;
  adminKey: string;
  operatorKey: string;
}

export async function seedDemo(
  client: DynamoDBDocumentClient,
  mainTable: string,
  roleArn: string,
  externalId?: string,
): Promise<SeededKeys> {
  const admin = new DynamoDirectoryAdmin(client, mainTable);
  const at = new Date().toISOString();
  await admin.createTenant({ tenantId: DEMO_TENANT, name: 'Demo tenant', status: 'enabled', createdAt: at });
  await admin.putPolicy(DEMO_TENANT, demoPolicy(roleArn, externalId), 0, at, 'seed');
  await admin.createPartner({ tenantId: DEMO_TENANT, partnerId: DEMO_PARTNER, name: 'Demo app', status: 'enabled', createdAt: at });
  const partner = await createApiKey(admin, 'partner', { tenantId: DEMO_TENANT, partnerId: DEMO_PARTNER });
  const tenantAdmin = await createApiKey(admin, 'admin', { tenantId: DEMO_TENANT });
  const operator = await createApiKey(admin, 'operator', {});
  return { partnerKey: partner.apiKey, adminKey: tenantAdmin.apiKey, operatorKey: operator.apiKey };
}
