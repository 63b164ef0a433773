// The DynamoDB helpers every adapter shares: error translation, marshalling for the plain client,
// and single-item reads. The issuance path uses the plain client with util-dynamodb: the document
// client adds ~8 KB (net) to the vend bundle (bench/README.md).
import { type AttributeValue, type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { DependencyUnavailableError } from '../core/errors';

/** True when a conditional write lost (the only DynamoDB error the domain reacts to). */
export function isConditionFailure(err: unknown): boolean {
  const name = (err as { name?: string } | undefined)?.name;
  return name === 'ConditionalCheckFailedException' || name === 'TransactionCanceledException';
}

/** Every other DynamoDB failure is the dependency being unavailable to us: 503, cause kept for the log. */
export function dynamoUnavailable(err: unknown, action: string): DependencyUnavailableError {
  return new DependencyUnavailableError('dynamodb_unavailable', `The data store is unavailable (${action})`, {
    cause: err,
    retryAfterSeconds: 1,
  });
}

export type Item = Record<string, unknown>;
export type StoredItem = Record<string, AttributeValue>;

/** A stored item as plain JS, as the document client would give it (numbers as numbers). */
export const fromStored = (item: StoredItem | undefined): Item | undefined => (item ? unmarshall(item) : undefined);
/** A plain JS item for DynamoDB; undefined attributes are left out, as the document client did. */
export const toStored = (item: Item): StoredItem => marshall(item, { removeUndefinedValues: true });

/** Drops the storage attributes (pk, sk, gsi keys, ttl) so only the record's own fields leave the adapter. */
export function withoutStorageKeys<T>(item: Item): T;
export function withoutStorageKeys<T>(item: Item | undefined): T | undefined;
export function withoutStorageKeys<T>(item: Item | undefined): T | undefined {
  if (!item) return undefined;
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, ttl: _ttl, ...record } = item;
  return record as T;
}

/** One consistent read of a main-table item, without its storage attributes. */
export async function getItem<T>(
  client: DynamoDBClient,
  table: string,
  key: Record<string, string>,
  action: string,
): Promise<T | undefined> {
  try {
    const out = await client.send(new GetItemCommand({ TableName: table, Key: toStored(key), ConsistentRead: true }));
    return withoutStorageKeys<T>(fromStored(out.Item));
  } catch (err) {
    throw dynamoUnavailable(err, action);
  }
}
