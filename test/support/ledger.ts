// A tenant's issuance records as stored (test-side reads): every write shard of its partition and
// the unsharded key of records from before sharding (lib/core/table-keys.ts), in sk order as one
// partition gave them.
import { QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { issuancePartitionBase, partitionsOf } from '../../lib/core/table-keys';
import { tables } from './api';

export async function ledgerOf(tenantId: string): Promise<Record<string, any>[]> {
  const { client, issuances } = tables();
  const items: Record<string, any>[] = [];
  for (const pk of partitionsOf(issuancePartitionBase.table(tenantId))) {
    let start: QueryCommandOutput['LastEvaluatedKey'];
    do {
      const out: QueryCommandOutput = await client.send(
        new QueryCommand({
          TableName: issuances,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
  }
  return items.sort((a, b) => (String(a.sk) < String(b.sk) ? -1 : 1));
}
