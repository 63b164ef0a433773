// Writes and paginated lists of the directory (main table). Every list is a Query on a key
// prefix or on gsi1, reading O(page) items; cursors are opaque to callers.
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError } from '../core/errors';
import type {
  ApiKeyRecord,
  EntityStatus,
  Partner,
  Tenant,
  TenantBinding,
  TenantPolicy,
  TenantPolicyDocument,
  WorkloadIdentity,
} from '../core/model';
import type { Page, PageRequest } from '../core/page';
import { keyOwnerPk, tableKeys } from '../core/table-keys';
import { upgradeStoredPolicy } from '../policy/legacy';
import { dynamoUnavailable, isConditionFailure, withoutStorageKeys } from './dynamo';
import { queryPage } from './dynamo-pages';

export class DynamoDirectoryAdmin {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  private async write(command: PutCommand | UpdateCommand | DeleteCommand, action: string, onConflict: () => Error) {
    try {
      await this.client.send(command as never);
    } catch (err) {
      if (isConditionFailure(err)) throw onConflict();
      throw dynamoUnavailable(err, action);
    }
  }

  createTenant(tenant: Tenant): Promise<void> {
    return this.write(
      new PutCommand({
        TableName: this.table,
        Item: { ...tableKeys.tenant(tenant.tenantId), ...tableKeys.tenantList(tenant.tenantId), ...tenant },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
      'create tenant',
      () => new ConflictError('tenant_exists', `Tenant ${tenant.tenantId} already exists`),
    );
  }

  setTenantStatus(tenantId: string, status: EntityStatus, at: string): Promise<void> {
    return this.write(
      new UpdateCommand({
        TableName: this.table,
        Key: tableKeys.tenant(tenantId),
        UpdateExpression: 'SET #status = :status, updatedAt = :at',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': status, ':at': at },
      }),
      'update tenant',
      () => new NotFoundError('not_found', 'Tenant not found'),
    );
  }

  putBinding(tenantId: string, binding: TenantBinding, expectedVersion: number): Promise<void> {
    return this.write(
      new UpdateCommand({
        TableName: this.table,
        Key: tableKeys.tenant(tenantId),
        UpdateExpression: 'SET binding = :binding',
        ConditionExpression:
          expectedVersion === 0 ? 'attribute_exists(pk) AND attribute_not_exists(binding)' : 'binding.version = :expected',
        ExpressionAttributeValues: { ':binding': binding, ...(expectedVersion === 0 ? {} : { ':expected': expectedVersion }) },
      }),
      'write binding',
      () => new ConflictError('version_conflict', `The binding is no longer at version ${expectedVersion}; read it again`),
    );
  }

  listTenants(page: PageRequest): Promise<Page<Tenant>> {
    return queryPage<Tenant>(
      this.client,
      {
        TableName: this.table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': 'TENANTS' },
      },
      page,
    );
  }

  /**
   * Writes version `expectedVersion + 1`. Without transactions (dynalite has none), the immutable
   * version item is the lock: a conditional put of `V#n+1` lets exactly one of concurrent writers win.
   * The current-policy item is then moved forward monotonically. A writer that crashed between the
   * two steps is repaired by the next writer that collides with its version item.
   */
  async putPolicy(
    tenantId: string,
    document: TenantPolicyDocument,
    expectedVersion: number,
    at: string,
    updatedBy: string,
  ): Promise<TenantPolicy> {
    const conflict = () => new ConflictError('version_conflict', `The policy is no longer at version ${expectedVersion}; read it again`);
    const current = await this.getCurrentPolicy(tenantId);
    if ((current?.version ?? 0) !== expectedVersion) throw conflict();
    const policy: TenantPolicy = { tenantId, version: expectedVersion + 1, document, updatedAt: at };
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...tableKeys.policyVersion(tenantId, policy.version), ...policy, updatedBy },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw dynamoUnavailable(err, 'write policy');
      await this.rollCurrentPolicyForward(tenantId, policy.version);
      throw conflict();
    }
    await this.setCurrentPolicy({ ...policy, updatedBy });
    return policy;
  }

  private async getCurrentPolicy(tenantId: string): Promise<TenantPolicy | undefined> {
    try {
      const out = await this.client.send(new GetCommand({ TableName: this.table, Key: tableKeys.policy(tenantId), ConsistentRead: true }));
      return withoutStorageKeys<TenantPolicy>(out.Item);
    } catch (err) {
      throw dynamoUnavailable(err, 'read policy');
    }
  }

  /** Moves the current-policy item to `policy` unless it already holds that version or a newer one. */
  private async setCurrentPolicy(policy: TenantPolicy & { updatedBy: string }): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...tableKeys.policy(policy.tenantId), ...policy },
          ConditionExpression: 'attribute_not_exists(pk) OR version < :version',
          ExpressionAttributeValues: { ':version': policy.version },
        }),
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw dynamoUnavailable(err, 'write policy');
    }
  }

  private async rollCurrentPolicyForward(tenantId: string, version: number): Promise<void> {
    try {
      const out = await this.client.send(
        new GetCommand({ TableName: this.table, Key: tableKeys.policyVersion(tenantId, version), ConsistentRead: true }),
      );
      const stored = withoutStorageKeys<TenantPolicy & { updatedBy: string }>(out.Item);
      if (stored) await this.setCurrentPolicy(stored);
    } catch (err) {
      throw dynamoUnavailable(err, 'repair policy');
    }
  }

  async listPolicyVersions(tenantId: string, page: PageRequest): Promise<Page<TenantPolicy>> {
    const out = await queryPage<TenantPolicy>(
      this.client,
      {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': tableKeys.tenant(tenantId).pk, ':prefix': tableKeys.policyVersionPrefix },
        ScanIndexForward: false,
      },
      page,
    );
    return { ...out, items: out.items.map(upgradeStoredPolicy) };
  }

  createPartner(partner: Partner): Promise<void> {
    return this.write(
      new PutCommand({
        TableName: this.table,
        Item: { ...tableKeys.partner(partner.tenantId, partner.partnerId), ...partner },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
      'create partner',
      () => new ConflictError('partner_exists', `Partner ${partner.partnerId} already exists`),
    );
  }

  setPartnerStatus(tenantId: string, partnerId: string, status: EntityStatus, at: string): Promise<void> {
    return this.write(
      new UpdateCommand({
        TableName: this.table,
        Key: tableKeys.partner(tenantId, partnerId),
        UpdateExpression: 'SET #status = :status, updatedAt = :at',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': status, ':at': at },
      }),
      'update partner',
      () => new NotFoundError('not_found', 'Partner not found'),
    );
  }

  listPartners(tenantId: string, page: PageRequest): Promise<Page<Partner>> {
    return queryPage<Partner>(
      this.client,
      {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': tableKeys.tenant(tenantId).pk, ':prefix': tableKeys.partnerPrefix },
      },
      page,
    );
  }

  createKey(record: ApiKeyRecord): Promise<void> {
    return this.write(
      new PutCommand({
        TableName: this.table,
        Item: { ...tableKeys.apiKey(record.keyId), ...tableKeys.keyOwner(record), ...record },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
      'create key',
      () => new ConflictError('key_exists', 'Key id collision; try again'),
    );
  }

  /** Revokes a key only if it belongs to the given owner, so another tenant's key answers as absent. */
  revokeKey(keyId: string, owner: Pick<ApiKeyRecord, 'kind' | 'tenantId' | 'partnerId'>, at: string): Promise<void> {
    return this.write(
      new UpdateCommand({
        TableName: this.table,
        Key: tableKeys.apiKey(keyId),
        UpdateExpression: 'SET #status = :revoked, revokedAt = if_not_exists(revokedAt, :at)',
        ConditionExpression: 'attribute_exists(pk) AND gsi1pk = :owner',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':revoked': 'revoked', ':at': at, ':owner': keyOwnerPk(owner) },
      }),
      'revoke key',
      () => new NotFoundError('not_found', 'Key not found'),
    );
  }

  listKeys(owner: Pick<ApiKeyRecord, 'kind' | 'tenantId' | 'partnerId'>, page: PageRequest): Promise<Page<ApiKeyRecord>> {
    return queryPage<ApiKeyRecord>(
      this.client,
      {
        TableName: this.table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': keyOwnerPk(owner) },
      },
      page,
    );
  }

  putWorkloadIdentity(identity: WorkloadIdentity, expectedVersion: number): Promise<void> {
    return this.write(
      new PutCommand({
        TableName: this.table,
        Item: { ...tableKeys.workloadIdentity(identity.tenantId, identity.partnerId, identity.identityId), ...identity },
        ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(pk)' : 'version = :expected',
        ...(expectedVersion === 0 ? {} : { ExpressionAttributeValues: { ':expected': expectedVersion } }),
      }),
      'write workload identity',
      () =>
        new ConflictError(
          'version_conflict',
          expectedVersion === 0
            ? 'The workload identity already exists; read it for its version'
            : `The workload identity is no longer at version ${expectedVersion}; read it again`,
        ),
    );
  }

  deleteWorkloadIdentity(tenantId: string, partnerId: string, identityId: string, expectedVersion: number): Promise<void> {
    return this.write(
      new DeleteCommand({
        TableName: this.table,
        Key: tableKeys.workloadIdentity(tenantId, partnerId, identityId),
        ConditionExpression: 'version = :expected',
        ExpressionAttributeValues: { ':expected': expectedVersion },
      }),
      'delete workload identity',
      () => new ConflictError('version_conflict', `The workload identity is not at version ${expectedVersion}; read it again`),
    );
  }

  listWorkloadIdentities(tenantId: string, partnerId: string | undefined, page: PageRequest): Promise<Page<WorkloadIdentity>> {
    return queryPage<WorkloadIdentity>(
      this.client,
      {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': tableKeys.tenant(tenantId).pk, ':prefix': tableKeys.workloadIdentityPrefix(partnerId) },
      },
      page,
    );
  }
}
