// Revocation records and credvend's versioned copy of each role's / user's revocation policy (main
// table). The idempotency key is claimed by a conditional write before the record, so a retried request
// finds the first revocation and creates nothing twice; records and policy copies change only under their
// version (conditional writes).
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Page, PageRequest, RevocationStore } from '../admin/ports';
import type { PolicyDocuments } from '../admin/revocation-writer';
import type { IamStatement, RevocationRecord } from '../core/model';
import { tableKeys } from '../core/table-keys';
import { dynamoUnavailable, isConditionFailure, withoutStorageKeys } from './dynamo';
import { queryPage } from './dynamo-pages';

export class DynamoRevocationStore implements RevocationStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  private async getItem<T>(key: Record<string, string>, action: string): Promise<T | undefined> {
    try {
      const out = await this.client.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }));
      return withoutStorageKeys<T>(out.Item);
    } catch (err) {
      throw dynamoUnavailable(err, action);
    }
  }

  /**
   * The idempotency key first (conditional), holding a copy of the record, then the record. A request
   * that finds the key used answers that revocation; if its record is missing (the first writer has not
   * written it yet, or failed between the two writes), it writes it from the key's copy.
   */
  async create(record: RevocationRecord): Promise<{ created: true } | { created: false; existing: RevocationRecord }> {
    const keyItem = { ...tableKeys.revocationKey(record.tenantId, record.idempotencyKey), revocationId: record.revocationId, record };
    let created = true;
    try {
      await this.client.send(new PutCommand({ TableName: this.table, Item: keyItem, ConditionExpression: 'attribute_not_exists(pk)' }));
    } catch (err) {
      if (!isConditionFailure(err)) throw dynamoUnavailable(err, 'create revocation');
      created = false;
    }
    if (created) {
      await this.putRecord(record);
      return { created: true };
    }
    const used = await this.getItem<{ record: RevocationRecord }>(
      tableKeys.revocationKey(record.tenantId, record.idempotencyKey),
      'read revocation key',
    );
    if (!used) throw dynamoUnavailable(new Error('idempotency key vanished'), 'create revocation');
    const existing = (await this.get(record.tenantId, used.record.revocationId)) ?? (await this.putRecord(used.record));
    return { created: false, existing };
  }

  /** Writes the record unless it exists; answers what is stored. */
  private async putRecord(record: RevocationRecord): Promise<RevocationRecord> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...tableKeys.revocation(record.tenantId, record.revocationId), ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return record;
    } catch (err) {
      if (!isConditionFailure(err)) throw dynamoUnavailable(err, 'create revocation');
      return (await this.get(record.tenantId, record.revocationId)) ?? record;
    }
  }

  get(tenantId: string, revocationId: string): Promise<RevocationRecord | undefined> {
    return this.getItem<RevocationRecord>(tableKeys.revocation(tenantId, revocationId), 'read revocation');
  }

  async list(tenantId: string, page: PageRequest): Promise<Page<RevocationRecord>> {
    const { pk } = tableKeys.revocation(tenantId, '');
    try {
      const out = await queryPage<Record<string, unknown>>(
        this.client,
        {
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': pk, ':prefix': tableKeys.revocationPrefix },
          ScanIndexForward: false,
        },
        page,
      );
      return { items: out.items.map((i) => withoutStorageKeys<RevocationRecord>(i)), nextCursor: out.nextCursor };
    } catch (err) {
      if (err instanceof Error && err.name === 'BadRequestError') throw err;
      throw dynamoUnavailable(err, 'list revocations');
    }
  }

  async update(record: RevocationRecord, expectedVersion: number): Promise<boolean> {
    const { revocationId: _id, tenantId: _t, ...fields } = record;
    const names: Record<string, string> = { '#version': 'version' };
    const values: Record<string, unknown> = { ':expected': expectedVersion };
    const sets = Object.entries(fields).map(([k, v], i) => {
      names[`#f${i}`] = k;
      values[`:v${i}`] = v;
      return `#f${i} = :v${i}`;
    });
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: tableKeys.revocation(record.tenantId, record.revocationId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw dynamoUnavailable(err, 'update revocation');
    }
  }

  // PolicyDocuments: the statements as JSON text (one attribute, no per-statement marshalling).

  async getPolicy(
    entityKey: string,
  ): Promise<{ statements: IamStatement[]; version: number; owners: Record<string, string>; expires: Record<string, string> } | undefined> {
    const item = await this.getItem<{ statements: string; version: number; owners?: string; expires?: string }>(
      tableKeys.revocationPolicy(entityKey),
      'read revocation policy',
    );
    // owners (Sid -> tenant) came with the per-tenant share, expires (Sid -> a one-issuance statement's
    // issuance expiresAt) after it; an older item has neither.
    return (
      item && {
        statements: JSON.parse(item.statements) as IamStatement[],
        version: item.version,
        owners: item.owners ? (JSON.parse(item.owners) as Record<string, string>) : {},
        expires: item.expires ? (JSON.parse(item.expires) as Record<string, string>) : {},
      }
    );
  }

  async putPolicy(
    entityKey: string,
    statements: IamStatement[],
    expectedVersion: number,
    owners: Record<string, string> = {},
    expires: Record<string, string> = {},
  ): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: tableKeys.revocationPolicy(entityKey),
          UpdateExpression: 'SET statements = :s, #owners = :o, #expires = :e, #version = :next',
          ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(pk)' : '#version = :expected',
          ExpressionAttributeNames: { '#version': 'version', '#owners': 'owners', '#expires': 'expires' },
          ExpressionAttributeValues: {
            ':s': JSON.stringify(statements),
            ':o': JSON.stringify(owners),
            ':e': JSON.stringify(expires),
            ':next': expectedVersion + 1,
            ...(expectedVersion === 0 ? {} : { ':expected': expectedVersion }),
          },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw dynamoUnavailable(err, 'write revocation policy');
    }
  }

  /** The PolicyDocuments port of lib/admin/revocation-writer.ts over this table. */
  policyDocuments(): PolicyDocuments {
    return {
      get: (key) => this.getPolicy(key),
      put: (key, statements, expected, owners, expires) => this.putPolicy(key, statements, expected, owners, expires),
    };
  }
}
