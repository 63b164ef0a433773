// The issuance ledger. A record is written with a condition so a retried request can never
// overwrite another; it carries no secret, only facts about the issuance.
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DependencyUnavailableError } from '../errors';
import { keys, type IssuanceRecord } from '../model';
import { isConditionFailure } from './errors';

export interface IssuanceLedger {
  /** Durably records an issuance; throws DependencyUnavailableError('audit_write_failed') otherwise. */
  record(record: IssuanceRecord): Promise<void>;
}

export function issuanceItem(record: IssuanceRecord, retentionDays: number): Record<string, unknown> {
  return {
    ...keys.issuance(record.tenantId, record.issuedAt, record.issuanceId),
    ...keys.issuanceIndexes(record),
    ...record,
    // DynamoDB TTL: the record is kept this long after the credential expired.
    ttl: Math.floor(Date.parse(record.expiresAt) / 1000) + retentionDays * 86_400,
  };
}

export class DynamoIssuanceLedger implements IssuanceLedger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly retentionDays: number,
  ) {}

  async record(record: IssuanceRecord): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: issuanceItem(record, this.retentionDays),
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
        new GetCommand({
          TableName: this.table,
          Key: keys.issuance(record.tenantId, record.issuedAt, record.issuanceId),
          ConsistentRead: true,
        }),
      );
      return out.Item?.issuanceId === record.issuanceId && out.Item?.accessKeyId === record.accessKeyId;
    } catch {
      return false;
    }
  }
}
