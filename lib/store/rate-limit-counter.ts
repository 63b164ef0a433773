// Per-partner issuance rate limit, shared by every Lambda: a fixed 60-second window counted by atomic
// conditional UpdateItems, so concurrent containers can never together exceed the limit.
//
// A partner's window is RATE_SHARDS counter items, not one: at 2,000 issuances/s on one partner a
// single item would take 2,000 writes/s, past DynamoDB's 1,000 per partition key. The limit is split
// between them (shareOf: the shares add up to the limit exactly), a request counts on one of them,
// taken in turn, and moves on to the next when its counter is full. So the partner gets exactly its
// limit per window whatever the spread; the approximation is only in when: a container refuses once
// every counter it tried was full, and counters never empty within a window, so none is refused early.
// A counter seen full is skipped for the rest of its window by this container: a partner far over
// its limit costs at most RATE_SHARDS failed writes per container and window, not one per request.
import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { RateLimitedError } from '../core/errors';
import { RATE_SHARDS, tableKeys } from '../core/table-keys';
import type { RateLimiter } from '../vend/ports';
import { dynamoUnavailable, isConditionFailure, toStored } from './dynamo';

export const RATE_WINDOW_SECONDS = 60;
/** Window items outlive their window a little, then DynamoDB TTL deletes them. */
const TTL_GRACE_SECONDS = 300;
/** Bounds the memory of counters seen full (one entry per partner and limit). */
const MAX_REMEMBERED = 10_000;

/** The part of `perMinute` that counter `shard` admits; the shares of all RATE_SHARDS counters add up to it. */
export function shareOf(perMinute: number, shard: number): number {
  return Math.floor(perMinute / RATE_SHARDS) + (shard < perMinute % RATE_SHARDS ? 1 : 0);
}

export class DynamoRateLimiter implements RateLimiter {
  private readonly full = new Map<string, { windowStart: number; shards: Set<number> }>();
  private turn: number;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly now: () => number = Date.now,
    firstShard = Math.floor(Math.random() * RATE_SHARDS),
  ) {
    this.turn = firstShard;
  }

  async consume(tenantId: string, partnerId: string, perMinute: number): Promise<void> {
    const nowSeconds = this.now() / 1000;
    const windowStart = Math.floor(nowSeconds / RATE_WINDOW_SECONDS) * RATE_WINDOW_SECONDS;
    const windowEnd = windowStart + RATE_WINDOW_SECONDS;
    const seenFull = this.seenFull(`${tenantId}#${partnerId}#${perMinute}`, windowStart);
    const first = this.turn++ % RATE_SHARDS;
    for (let i = 0; i < RATE_SHARDS; i++) {
      const shard = (first + i) % RATE_SHARDS;
      const share = shareOf(perMinute, shard);
      if (share === 0 || seenFull.has(shard)) continue;
      if (await this.count(tableKeys.rateWindow(tenantId, partnerId, windowStart, shard), share, windowEnd)) return;
      seenFull.add(shard);
    }
    throw new RateLimitedError('rate_limited', 'Too many requests', {
      retryAfterSeconds: Math.max(1, Math.ceil(windowEnd - nowSeconds)),
    });
  }

  private seenFull(key: string, windowStart: number): Set<number> {
    let entry = this.full.get(key);
    if (entry?.windowStart !== windowStart) {
      if (this.full.size >= MAX_REMEMBERED) this.full.clear();
      entry = { windowStart, shards: new Set() };
      this.full.set(key, entry);
    }
    return entry.shards;
  }

  /** One more on the counter at `key` if it is under `share`; false when it is full. */
  private async count(key: { pk: string; sk: string }, share: number, windowEnd: number): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: toStored(key),
          UpdateExpression: 'ADD #count :one SET #ttl = if_not_exists(#ttl, :ttl)',
          ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
          ExpressionAttributeNames: { '#count': 'count', '#ttl': 'ttl' },
          ExpressionAttributeValues: toStored({ ':one': 1, ':limit': share, ':ttl': windowEnd + TTL_GRACE_SECONDS }),
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw dynamoUnavailable(err, 'rate limit');
    }
  }
}
