// The per-partner MFA attempt windows (lib/mfa/attempts.ts) in the main table: one item per partner and
// 5-minute window (`MFA-ATTEMPTS#<t>#<p>` / `W#<window start>`), counted by one conditional UpdateItem,
// so concurrent containers together never pass the limit; DynamoDB TTL deletes old windows. Reached only
// through the lazily loaded MFA module (lib/wiring/mfa.ts).
import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { MfaAttemptCounter } from '../mfa/ports';
import { dynamoUnavailable, isConditionFailure, toStored } from './dynamo';

export const mfaAttemptKey = (tenantId: string, partnerId: string, windowStart: number) => ({
  pk: `MFA-ATTEMPTS#${tenantId}#${partnerId}`,
  sk: `W#${windowStart}`,
});

export class DynamoMfaAttempts implements MfaAttemptCounter {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {}

  async count(tenantId: string, partnerId: string, windowStart: number, limit: number, expiresAt: number): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: toStored(mfaAttemptKey(tenantId, partnerId, windowStart)),
          UpdateExpression: 'ADD attempts :one SET #ttl = if_not_exists(#ttl, :ttl)',
          ConditionExpression: 'attribute_not_exists(attempts) OR attempts < :limit',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: toStored({ ':one': 1, ':limit': limit, ':ttl': expiresAt }),
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw dynamoUnavailable(err, 'count MFA attempt');
    }
  }
}
