import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { partitionsOf } from '../../../lib/core/table-keys';
import { DynamoIssuanceQueries, MAX_FILTERED_PAGES, planIssuanceQuery } from '../../../lib/store/issuance-queries';
import { MemoryIssuanceTable } from '../store/memory-issuance-table';

const TABLE = 'credvend-unit-issuances';
const FROM = '2026-01-01T00:00:00.000Z';
const TO = '2026-02-01T00:00:00.000Z';

describe('planIssuanceQuery', () => {
  it('reads every shard of the tenant partition (and the unsharded one) with no filter', () => {
    expect(planIssuanceQuery('acme', { from: FROM, to: TO })).toMatchObject({
      hashKey: 'pk',
      partitions: partitionsOf('TENANT#acme'),
      keysOnly: false,
    });
  });

  it('uses byPartner for a partner and byStatus for a status, both keys only', () => {
    expect(planIssuanceQuery('acme', { partnerId: 'p1', from: FROM })).toMatchObject({
      indexName: 'byPartner',
      partitions: partitionsOf('acme#p1'),
      keysOnly: true,
      status: undefined,
    });
    expect(planIssuanceQuery('acme', { status: 'expired', to: TO })).toMatchObject({
      indexName: 'byStatus',
      partitions: partitionsOf('acme#expired'),
      keysOnly: true,
    });
  });

  it('checks the status on the records of byPartner when both are given (the one query without an exact index)', () => {
    expect(planIssuanceQuery('acme', { partnerId: 'p1', status: 'active' })).toMatchObject({ indexName: 'byPartner', status: 'active' });
  });

  it('binds its cursors to tenant and filter', () => {
    const digests = new Set(
      [
        planIssuanceQuery('acme', {}),
        planIssuanceQuery('globex', {}),
        planIssuanceQuery('acme', { status: 'active' }),
        planIssuanceQuery('acme', { from: FROM }),
        planIssuanceQuery('acme', { to: FROM }),
      ].map((p) => p.digest),
    );
    expect(digests.size).toBe(5);
  });
});

describe('DynamoIssuanceQueries', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
  beforeEach(() => {
    ddb.reset();
  });

  it('sends each shard its range on sk, newest first, with no filter expression', async () => {
    const table = new MemoryIssuanceTable(TABLE);
    await new DynamoIssuanceQueries(table, TABLE).query('acme', { from: FROM, to: TO }, { limit: 3 });
    expect(table.queries).toHaveLength(partitionsOf('x').length);
    expect(table.queries[0]).toMatchObject({
      TableName: TABLE,
      KeyConditionExpression: 'pk = :p AND sk BETWEEN :from AND :upper',
      ExpressionAttributeValues: { ':p': 'TENANT#acme#00', ':from': FROM, ':upper': TO },
      ScanIndexForward: false,
    });
    expect(table.queries.some((q) => 'FilterExpression' in q)).toBe(false);
  });

  it('looks at most MAX_FILTERED_PAGES × limit records for a partner and status, then answers short with a cursor', async () => {
    const table = new MemoryIssuanceTable(TABLE);
    const item = (n: number) => ({
      pk: 'TENANT#acme',
      sk: `2026-01-01T00:00:${String(n).padStart(2, '0')}.000Z#id-${n}`,
      partnerKey: 'acme#p1',
      status: 'active',
      issuanceId: `id-${n}`,
    });
    table.put(...Array.from({ length: 40 }, (_, n) => item(n))); // none expired
    const page = await new DynamoIssuanceQueries(table, TABLE).query('acme', { partnerId: 'p1', status: 'expired' }, { limit: 3 });
    expect(page.items).toEqual([]);
    expect(page.nextCursor).toBeDefined();
    expect(table.batchGets).toBe(MAX_FILTERED_PAGES);
  });

  it('answers 503 when DynamoDB fails', async () => {
    ddb.on(QueryCommand).rejects(Object.assign(new Error('boom'), { name: 'InternalServerError' }));
    await expect(new DynamoIssuanceQueries(client, TABLE).query('acme', {}, { limit: 3 })).rejects.toMatchObject({
      statusCode: 503,
      code: 'dynamodb_unavailable',
    });
  });
});
