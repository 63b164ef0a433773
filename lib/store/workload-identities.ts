// A tenant's workload identities for token-authenticated issuance (issue 17), read with one Query
// of the main table. Its own module, imported only by the lazily loaded token path
// (lib/wiring/web-identity.ts): the Query command's code costs the vend bundle ~45 KB that
// key-authenticated cold starts would otherwise load.
import { type DynamoDBClient, QueryCommand, type QueryCommandOutput } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { WorkloadIdentity } from '../core/model';
import { tableKeys } from '../core/table-keys';
import { MAX_TENANT_IDENTITIES } from '../identity/oidc-rules';
import { dynamoUnavailable, type StoredItem, toStored, withoutStorageKeys } from './dynamo';

/** Every workload identity of a tenant, at most MAX_TENANT_IDENTITIES (the admin API refuses more). */
export async function readWorkloadIdentities(client: DynamoDBClient, table: string, tenantId: string): Promise<WorkloadIdentity[]> {
  const out: WorkloadIdentity[] = [];
  let start: StoredItem | undefined;
  try {
    do {
      const page: QueryCommandOutput = await client.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: toStored({ ':pk': tableKeys.tenant(tenantId).pk, ':prefix': tableKeys.workloadIdentityPrefix() }),
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) out.push(withoutStorageKeys<WorkloadIdentity>(unmarshall(item)));
      start = page.LastEvaluatedKey;
    } while (start && out.length < MAX_TENANT_IDENTITIES);
  } catch (err) {
    throw dynamoUnavailable(err, 'read workload identities');
  }
  return out.slice(0, MAX_TENANT_IDENTITIES);
}
