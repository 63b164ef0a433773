// Per-partner issuance rate limit, shared by every Lambda: a fixed 60-second window counted by one
// atomic conditional UpdateItem, so concurrent containers can never together exceed the limit.
import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { RateLimitedError } from '../core/errors';
import { tableKeys } from '../core/table-keys';
import type { RateLimiter } from '../vend/ports';
import { dynamoUnavailable, isConditionFailure, toStored } from './dynamo';

export const RATE_WINDOW_SECONDS = 60;
/** Window items outlive their window a little, then DynamoDB TTL deletes them. */
const TTL_GRACE_SECONDS = 300;

export class DynamoRateLimiter implements RateLimiter {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly now: () => number = Date.now,
  ) {}

  async consume(tenantId: string, partnerId: string, perMinute: number): Promise<void> {
    const nowSeconds = this.now() / 1000;
    const windowStart = Math.floor(nowSeconds / RATE_WINDOW_SECONDS) * RATE_WINDOW_SECONDS;
    const windowEnd = windowStart + RATE_WINDOW_SECONDS;
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: toStored(tableKeys.rateWindow(tenantId, partnerId, windowStart)),
          UpdateExpression: 'ADD #count :one SET #ttl = if_not_exists(#ttl, :ttl)',
          ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
          ExpressionAttributeNames: { '#count': 'count', '#ttl': 'ttl' },
          ExpressionAttributeValues: toStored({ ':one': 1, ':limit': perMinute, ':ttl': windowEnd + TTL_GRACE_SECONDS }),
        }),
      );
    } catch (err) {
      if (isConditionFailure(err))
        throw new RateLimitedError('rate_limited', 'Too many requests', {
          retryAfterSeconds: Math.max(1, Math.ceil(windowEnd - nowSeconds)),
        });
      throw dynamoUnavailable(err, 'rate limit');
    }
  }
}
