// Consistent single-item reads for the admin API (the issuance path reads through the cache instead).
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DirectoryLookup } from '../admin/ports';
import { keys, type ApiKeyRecord, type Partner, type Tenant, type TenantPolicy } from '../model';
import { withoutStorageKeys } from './directory';
import { dynamoUnavailable } from './errors';

export class DynamoAdminLookup implements DirectoryLookup {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  private async get<T>(key: Record<string, string>, action: string): Promise<T | undefined> {
    try {
      const out = await this.client.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }));
      return withoutStorageKeys<T>(out.Item);
    } catch (err) {
      throw dynamoUnavailable(err, action);
    }
  }

  getTenant(tenantId: string) {
    return this.get<Tenant>(keys.tenant(tenantId), 'read tenant');
  }

  getPartner(tenantId: string, partnerId: string) {
    return this.get<Partner>(keys.partner(tenantId, partnerId), 'read partner');
  }

  getPolicy(tenantId: string) {
    return this.get<TenantPolicy>(keys.policy(tenantId), 'read policy');
  }

  getKey(keyId: string) {
    return this.get<ApiKeyRecord>(keys.apiKey(keyId), 'read key');
  }
}
