import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import type { IssuanceRecord } from '../../../lib/core/model';
import { issuanceShardOf } from '../../../lib/core/table-keys';
import { DynamoIssuanceLedger } from '../../../lib/store/issuance-ledger';

const record: IssuanceRecord = {
  issuanceId: '0b7a1c2e-0000-4000-8000-000000000001',
  tenantId: 'acme',
  partnerId: 'app-one',
  keyId: 'pk-aaaaaaaaaaaaaaaa',
  mode: 'assume-role',
  accessKeyId: 'ASIA' + 'TESTTESTTESTTEST',
  principalArn: 'arn:aws:sts::123456789012:assumed-role/r/s',
  principalId: 'AROAEXAMPLE:s',
  policyVersion: 1,
  policySha256: 'a'.repeat(64),
  durationSeconds: 900,
  issuedAt: '2026-11-22T07:00:00.000Z',
  expiresAt: '2026-11-22T07:15:00.000Z',
  sourceIp: '127.0.0.1',
  userAgent: 'test',
  requestId: 'r-1',
  status: 'active',
};

const client = new DynamoDBClient({ region: 'us-east-1' });
const mock = mockClient(client);
const ledger = new DynamoIssuanceLedger(client, 'issuances', 400);
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

describe('DynamoIssuanceLedger.record', () => {
  beforeEach(() => {
    mock.reset();
  });

  it('writes the record with a TTL past its expiry and a no-overwrite condition', async () => {
    mock.on(PutItemCommand).resolves({});
    await ledger.record(record);
    const input = mock.commandCalls(PutItemCommand)[0]!.args[0].input;
    expect(input.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(unmarshall(input.Item!).ttl).toBe(Date.parse(record.expiresAt) / 1000 + 400 * 86_400);
  });

  it('puts every key of the record in the write shard of its id (table and index partitions alike)', async () => {
    mock.on(PutItemCommand).resolves({});
    await ledger.record(record);
    const item = unmarshall(mock.commandCalls(PutItemCommand)[0]!.args[0].input.Item!);
    const shard = issuanceShardOf(record.issuanceId);
    expect(shard).toMatch(/^\d\d$/);
    expect(item).toMatchObject({
      pk: `TENANT#acme#${shard}`,
      sk: `${record.issuedAt}#${record.issuanceId}`,
      partnerKey: `acme#app-one#${shard}`,
      statusKey: `acme#active#${shard}`,
      expiryBucket: `2026-11-22T07#${shard}`,
      expirySk: `${record.expiresAt}#${record.issuanceId}`,
    });
  });

  it('treats a failed condition on its own, already written record as written (a retried put)', async () => {
    mock.on(PutItemCommand).rejects(conditionFailed());
    mock.on(GetItemCommand).resolves({ Item: marshall(record, { removeUndefinedValues: true }) });
    await expect(ledger.record(record)).resolves.toBeUndefined();
  });

  it('refuses when the item at that key is not this record', async () => {
    mock.on(PutItemCommand).rejects(conditionFailed());
    mock
      .on(GetItemCommand)
      .resolves({ Item: marshall({ ...record, accessKeyId: 'ASIA' + 'OTHEROTHEROTHER1' }, { removeUndefinedValues: true }) });
    await expect(ledger.record(record)).rejects.toMatchObject({ statusCode: 503, code: 'audit_write_failed' });
  });

  it('answers 503 audit_write_failed when the write fails', async () => {
    mock.on(PutItemCommand).rejects(new Error('socket hang up'));
    await expect(ledger.record(record)).rejects.toMatchObject({ statusCode: 503, code: 'audit_write_failed' });
    expect(mock.commandCalls(GetItemCommand)).toHaveLength(0);
  });
});
