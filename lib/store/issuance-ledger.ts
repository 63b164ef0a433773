// The issuance ledger. A record is written with a condition so a retried request can never
// overwrite another; it carries no secret, only facts about the issuance.
import { type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DependencyUnavailableError } from '../core/errors';
import type { IssuanceRecord } from '../core/model';
import { type IssuanceLayout, tableKeys } from '../core/table-keys';
import type { IssuanceLedger } from '../vend/ports';
import { fromStored, isConditionFailure, toStored } from './dynamo';

/** The stored item; `legacy` builds it as written before sharding (tests and capacity figures of old records). */
export function issuanceItem(record: IssuanceRecord, retentionDays: number, layout: IssuanceLayout = 'sharded'): Record<string, unknown> {
  return {
    ...tableKeys.issuance(record.tenantId, record.issuedAt, record.issuanceId, layout),
    ...tableKeys.issuanceIndexes(record, layout),
    ...record,
    // DynamoDB TTL: the record is kept this long after the credential expired.
    ttl: Math.floor(Date.parse(record.expiresAt) / 1000) + retentionDays * 86_400,
  };
}

export class DynamoIssuanceLedger implements IssuanceLedger {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly retentionDays: number,
  ) {}

  async record(record: IssuanceRecord): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: toStored(issuanceItem(record, this.retentionDays)),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      // The SDK retries a put whose answer timed out; if the first attempt landed, the retry's
      // condition fails on our own record, which is then durably written.
      if (isConditionFailure(err) && (await this.isRecorded(record))) return;
      throw new DependencyUnavailableError('audit_write_failed', 'The issuance could not be recorded; no credentials were issued', {
        cause: err,
        retryAfterSeconds: 1,
      });
    }
  }

  private async isRecorded(record: IssuanceRecord): Promise<boolean> {
    try {
      const out = await this.client.send(
        new GetItemCommand({
          TableName: this.table,
          Key: toStored(tableKeys.issuance(record.tenantId, record.issuedAt, record.issuanceId)),
          ConsistentRead: true,
        }),
      );
      const stored = fromStored(out.Item);
      return stored?.issuanceId === record.issuanceId && stored?.accessKeyId === record.accessKeyId;
    } catch {
      return false;
    }
  }
}
