// Consistent single-item reads for the admin API (the issuance path reads through the cache instead).
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DirectoryLookup } from '../admin/ports';
import { keys, type ApiKeyRecord, type Partner, type Tenant, type TenantPolicy } from '../model';
import { getItem } from './directory';

export class DynamoAdminLookup implements DirectoryLookup {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {}

  private get<T>(key: Record<string, string>, action: string): Promise<T | undefined> {
    return getItem<T>(this.client, this.table, key, action);
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
