// Reads of the directory (tenants, partners, policies, keys) from the main table, for the issuance
// path (plain client: see dynamo.ts).
import { BatchGetItemCommand, type BatchGetItemCommandOutput, type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DirectoryLookup } from '../admin/ports';
import type { ApiKeyRecord, Partner, Tenant, TenantPolicy, WorkloadIdentity } from '../core/model';
import { tableKeys } from '../core/table-keys';
import type { KeyDirectory } from '../identity/ports';
import { upgradeStoredPolicy } from '../policy/legacy';
import type { PartnerContext, PartnerDirectory } from '../vend/ports';
import { dynamoUnavailable, getItem, type Item, isConditionFailure, type StoredItem, toStored, withoutStorageKeys } from './dynamo';

/** The issuance path's reads: keys (identity), partner contexts (vend), tenants. */
export interface DirectoryReader extends KeyDirectory, PartnerDirectory {
  getTenant(tenantId: string): Promise<Tenant | undefined>;
}

/** Consistent single-item reads: the issuance path reads them through the cache, the admin API directly. */
export class DynamoDirectory implements DirectoryReader, DirectoryLookup {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {}

  private get<T>(key: Record<string, string>, action: string): Promise<T | undefined> {
    return getItem<T>(this.client, this.table, key, action);
  }

  getKey(keyId: string) {
    return this.get<ApiKeyRecord>(tableKeys.apiKey(keyId), 'read key');
  }

  getTenant(tenantId: string) {
    return this.get<Tenant>(tableKeys.tenant(tenantId), 'read tenant');
  }

  getPartner(tenantId: string, partnerId: string) {
    return this.get<Partner>(tableKeys.partner(tenantId, partnerId), 'read partner');
  }

  getPolicy(tenantId: string) {
    return this.get<TenantPolicy>(tableKeys.policy(tenantId), 'read policy').then(upgradeStoredPolicy);
  }

  getWorkloadIdentity(tenantId: string, partnerId: string, identityId: string) {
    return this.get<WorkloadIdentity>(tableKeys.workloadIdentity(tenantId, partnerId, identityId), 'read workload identity');
  }

  async getPartnerContext(tenantId: string, partnerId: string): Promise<PartnerContext> {
    const wanted = [tableKeys.tenant(tenantId), tableKeys.partner(tenantId, partnerId), tableKeys.policy(tenantId)];
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
        request = unprocessed?.Keys?.length ? { [this.table]: { Keys: unprocessed.Keys, ConsistentRead: true } } : undefined;
      }
      if (request) throw new Error('BatchGet left keys unprocessed');
    } catch (err) {
      throw dynamoUnavailable(err, 'read tenant context');
    }
    const find = (sk: string) => items.find((item) => item.sk === sk);
    return {
      tenant: withoutStorageKeys<Tenant>(find('TENANT')),
      partner: withoutStorageKeys<Partner>(find(tableKeys.partner(tenantId, partnerId).sk)),
      policy: upgradeStoredPolicy(withoutStorageKeys<TenantPolicy>(find('POLICY'))),
    };
  }

  async touchKey(keyId: string, at: string, notAfter: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: toStored(tableKeys.apiKey(keyId)),
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
