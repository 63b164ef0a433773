// One issuance of one tenant, by id, from the ledger: only the tenant's own partitions are read (the
// shard the id maps to, then the unsharded legacy key), so another tenant's issuance id is not found.
// The sort key starts with issuedAt, so the id is matched by a filter on those partitions, a bounded
// number of pages at most.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { IssuanceLookup } from '../admin/ports';
import type { IssuanceRecord } from '../core/model';
import { issuancePartitionBase, issuanceShardOf } from '../core/table-keys';
import { dynamoUnavailable } from './dynamo';
import { queryOnce } from './dynamo-pages';
import { issuanceRecordOf } from './issuance-queries';

const MAX_PAGES = 20;

export function issuanceLookup(client: DynamoDBDocumentClient, table: string): IssuanceLookup {
  return async (tenantId, issuanceId) => {
    const base = issuancePartitionBase.table(tenantId);
    for (const pk of [`${base}#${issuanceShardOf(issuanceId)}`, base]) {
      let start: Record<string, unknown> | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        let out: Awaited<ReturnType<typeof queryOnce>>;
        try {
          out = await queryOnce(client, {
            TableName: table,
            KeyConditionExpression: 'pk = :pk',
            FilterExpression: 'issuanceId = :id',
            ExpressionAttributeValues: { ':pk': pk, ':id': issuanceId },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          });
        } catch (err) {
          throw dynamoUnavailable(err, 'read issuance');
        }
        const found = out.items[0];
        if (found) {
          const record: IssuanceRecord = issuanceRecordOf(found);
          return record.tenantId === tenantId ? record : undefined;
        }
        if (!out.lastKey) break;
        start = out.lastKey;
      }
    }
    return undefined;
  };
}
