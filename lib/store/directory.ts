// Reads of the directory (tenants, partners, policies, keys) from the main table. The issuance
// path's adapters use the plain client and util-dynamodb: the document client adds ~8 KB (net) to the
// vend bundle (README.md).
import {
  BatchGetItemCommand,
  GetItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type BatchGetItemCommandOutput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { keys, type ApiKeyRecord, type Partner, type Tenant, type TenantPolicy } from '../model';
import { dynamoUnavailable, isConditionFailure } from './errors';

export interface PartnerContext {
  tenant?: Tenant;
  partner?: Partner;
  policy?: TenantPolicy;
}

export interface DirectoryReader {
  getKey(keyId: string): Promise<ApiKeyRecord | undefined>;
  getTenant(tenantId: string): Promise<Tenant | undefined>;
  /** Tenant, partner and policy in one round trip (the issuance path needs all three). */
  getPartnerContext(tenantId: string, partnerId: string): Promise<PartnerContext>;
  /** Records a key's last use unless it was recorded after `notAfter` (keeps writes rare). */
  touchKey(keyId: string, at: string, notAfter: string): Promise<void>;
}

type Item = Record<string, unknown>;
type StoredItem = Record<string, AttributeValue>;

/** A stored item as plain JS, as the document client would give it (numbers as numbers). */
export const fromStored = (item: StoredItem | undefined): Item | undefined => (item ? unmarshall(item) : undefined);
/** A plain JS item for DynamoDB; undefined attributes are left out, as the document client did. */
export const toStored = (item: Item): StoredItem => marshall(item, { removeUndefinedValues: true });

/** Drops the storage attributes (pk, sk, gsi keys, ttl) so only the record's own fields leave the adapter. */
export function withoutStorageKeys<T>(item: Item | undefined): T | undefined {
  if (!item) return undefined;
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, ttl: _ttl, ...record } = item;
  return record as T;
}

/** One consistent read of a main-table item, without its storage attributes. */
export async function getItem<T>(client: DynamoDBClient, table: string, key: Record<string, string>, action: string): Promise<T | undefined> {
  try {
    const out = await client.send(new GetItemCommand({ TableName: table, Key: toStored(key), ConsistentRead: true }));
    return withoutStorageKeys<T>(fromStored(out.Item));
  } catch (err) {
    throw dynamoUnavailable(err, action);
  }
}

export class DynamoDirectory implements DirectoryReader {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {}

  private get<T>(key: Record<string, string>, action: string): Promise<T | undefined> {
    return getItem<T>(this.client, this.table, key, action);
  }

  getKey(keyId: string) {
    return this.get<ApiKeyRecord>(keys.apiKey(keyId), 'read key');
  }

  getTenant(tenantId: string) {
    return this.get<Tenant>(keys.tenant(tenantId), 'read tenant');
  }

  async getPartnerContext(tenantId: string, partnerId: string): Promise<PartnerContext> {
    const wanted = [keys.tenant(tenantId), keys.partner(tenantId, partnerId), keys.policy(tenantId)];
    let items: Item[] = [];
    try {
      let request: Record<string, { Keys: StoredItem[]; ConsistentRead: boolean }> | undefined = {
        [this.table]: { Keys: wanted.map(toStored), ConsistentRead: true },
      };
      // BatchGet may hand back unprocessed keys under load; a few immediate retries suffice for three items.
      for (let attempt = 0; request && attempt < 5; attempt++) {
        const out: BatchGetItemCommandOutput = await this.client.send(new BatchGetItemCommand({ RequestItems: request }));
        items = items.concat((out.Responses?.[this.table] ?? []).map((item) => unmarshall(item)));
        const unprocessed = out.UnprocessedKeys?.[this.table];
        request = unprocessed?.Keys?.length
          ? { [this.table]: { Keys: unprocessed.Keys, ConsistentRead: true } }
          : undefined;
      }
      if (request) throw new Error('BatchGet left keys unprocessed');
    } catch (err) {
      throw dynamoUnavailable(err, 'read tenant context');
    }
    const find = (sk: string) => items.find((item) => item.sk === sk);
    return {
      tenant: withoutStorageKeys<Tenant>(find('TENANT')),
      partner: withoutStorageKeys<Partner>(find(keys.partner(tenantId, partnerId).sk)),
      policy: withoutStorageKeys<TenantPolicy>(find('POLICY')),
    };
  }

  async touchKey(keyId: string, at: string, notAfter: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: toStored(keys.apiKey(keyId)),
          UpdateExpression: 'SET lastUsedAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(lastUsedAt) OR lastUsedAt < :notAfter)',
          ExpressionAttributeValues: toStored({ ':at': at, ':notAfter': notAfter }),
        }),
      );
    } catch (err) {
      if (isConditionFailure(err)) return;
      throw dynamoUnavailable(err, 'record key use');
    }
  }
}
