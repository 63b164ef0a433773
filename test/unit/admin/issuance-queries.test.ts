import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { decodeCursor, encodeCursor } from '../../../lib/store/dynamo-pages';
import { DynamoIssuanceQueries, MAX_FILTERED_PAGES, planIssuanceQuery } from '../../../lib/store/issuance-queries';

const TABLE = 'issuances';
const FROM = '2026-01-01T00:00:00.000Z';
const TO = '2026-02-01T00:00:00.000Z';

describe('planIssuanceQuery', () => {
  it('queries the tenant partition with no filter', () => {
    const { input, filtered } = planIssuanceQuery(TABLE, 'acme', { from: FROM, to: TO });
    expect(input).toEqual({
      TableName: TABLE,
      IndexName: undefined,
      KeyConditionExpression: 'pk = :p AND sk BETWEEN :from AND :to',
      FilterExpression: undefined,
      ExpressionAttributeNames: undefined,
      ExpressionAttributeValues: { ':p': 'TENANT#acme', ':from': FROM, ':to': TO },
      ScanIndexForward: false,
    });
    expect(filtered).toBe(false);
  });

  it('uses byPartner for a partner and byStatus for a status, with one-sided ranges', () => {
    const partner = planIssuanceQuery(TABLE, 'acme', { partnerId: 'p1', from: FROM }).input;
    expect(partner).toMatchObject({
      IndexName: 'byPartner',
      KeyConditionExpression: 'partnerKey = :p AND sk >= :from',
      ExpressionAttributeValues: { ':p': 'acme#p1', ':from': FROM },
    });
    const status = planIssuanceQuery(TABLE, 'acme', { status: 'expired', to: TO }).input;
    expect(status).toMatchObject({
      IndexName: 'byStatus',
      KeyConditionExpression: 'statusKey = :p AND sk < :to',
      ExpressionAttributeValues: { ':p': 'acme#expired', ':to': TO },
    });
  });

  it('filters on status within byPartner when both are given (the one query without an exact index)', () => {
    const plan = planIssuanceQuery(TABLE, 'acme', { partnerId: 'p1', status: 'active' });
    expect(plan.input).toMatchObject({
      IndexName: 'byPartner',
      KeyConditionExpression: 'partnerKey = :p',
      FilterExpression: '#status = :status',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':p': 'acme#p1', ':status': 'active' },
    });
    expect(plan.filtered).toBe(true);
  });
});

const item = (n: number, extra: Record<string, unknown> = {}) => ({
  pk: 'TENANT#acme',
  sk: `2026-01-01T00:00:${String(n).padStart(2, '0')}.000Z#id-${n}`,
  partnerKey: 'acme#p1',
  statusKey: 'acme#active',
  expiryBucket: '2026-01-01T01',
  expirySk: 'x',
  ttl: 123,
  issuanceId: `id-${n}`,
  tenantId: 'acme',
  partnerId: 'p1',
  status: 'active',
  ...extra,
});
const keyOf = (n: number) => ({ pk: 'TENANT#acme', sk: item(n).sk, partnerKey: 'acme#p1' });

describe('DynamoIssuanceQueries', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
  const queries = new DynamoIssuanceQueries(client, TABLE);
  beforeEach(() => {
    ddb.reset();
  });

  it('returns records without storage attributes, and the last evaluated key as an opaque cursor', async () => {
    ddb.on(QueryCommand).resolves({ Items: [item(2)], LastEvaluatedKey: { pk: 'TENANT#acme', sk: item(2).sk } });
    const page = await queries.query('acme', {}, { limit: 1 });
    expect(page.items).toEqual([{ issuanceId: 'id-2', tenantId: 'acme', partnerId: 'p1', status: 'active' }]);
    expect(page.nextCursor).toBe(encodeCursor({ pk: 'TENANT#acme', sk: item(2).sk }));
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input).toMatchObject({ Limit: 1, ExclusiveStartKey: undefined });
  });

  it('resumes from a cursor of the same query', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    const cursor = encodeCursor({ pk: 'TENANT#acme', sk: item(2).sk });
    await queries.query('acme', {}, { limit: 5, cursor });
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input.ExclusiveStartKey).toEqual({ pk: 'TENANT#acme', sk: item(2).sk });
  });

  it('refuses a cursor of another tenant, another index or garbage, before reading anything', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    const cursors = [
      encodeCursor({ pk: 'TENANT#globex', sk: item(2).sk }),
      encodeCursor({ pk: 'TENANT#acme', sk: item(2).sk, partnerKey: 'acme#p1' }),
      'not-a-cursor',
    ];
    for (const cursor of cursors) {
      await expect(queries.query('acme', {}, { limit: 5, cursor })).rejects.toMatchObject({ statusCode: 400, code: 'invalid_cursor' });
    }
    await expect(queries.query('acme', { partnerId: 'p2' }, { limit: 5, cursor: encodeCursor(keyOf(1)) })).rejects.toMatchObject({
      code: 'invalid_cursor',
    });
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it('reads further pages to fill a filtered page, at most MAX_FILTERED_PAGES of them', async () => {
    ddb.on(QueryCommand).callsFake((input: { ExclusiveStartKey?: { sk: string } }) => {
      const n = input.ExclusiveStartKey ? Number(input.ExclusiveStartKey.sk.slice(17, 19)) + 1 : 0;
      return { Items: [], LastEvaluatedKey: keyOf(n) }; // nothing matches, ever
    });
    const page = await queries.query('acme', { partnerId: 'p1', status: 'expired' }, { limit: 3 });
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(MAX_FILTERED_PAGES);
    expect(page).toEqual({ items: [], nextCursor: encodeCursor(keyOf(MAX_FILTERED_PAGES - 1)) });
  });

  it('cuts an overfull filtered page after the last item returned, so none is skipped', async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [item(1)], LastEvaluatedKey: keyOf(3) })
      .resolvesOnce({ Items: [item(4), item(5), item(6)], LastEvaluatedKey: keyOf(6) });
    const page = await queries.query('acme', { partnerId: 'p1', status: 'active' }, { limit: 3 });
    expect(page.items.map((i) => i.issuanceId)).toEqual(['id-1', 'id-4', 'id-5']);
    expect(decodeCursor(page.nextCursor)).toEqual(keyOf(5));
  });

  it('reads one page only when no filter applies', async () => {
    ddb.on(QueryCommand).resolves({ Items: [item(1)], LastEvaluatedKey: { pk: 'TENANT#acme', sk: item(1).sk } });
    await queries.query('acme', { status: 'active' }, { limit: 3 });
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(1);
  });

  it('answers 503 when DynamoDB fails', async () => {
    ddb.on(QueryCommand).rejects(Object.assign(new Error('boom'), { name: 'InternalServerError' }));
    await expect(queries.query('acme', {}, { limit: 3 })).rejects.toMatchObject({ statusCode: 503, code: 'dynamodb_unavailable' });
  });
});
