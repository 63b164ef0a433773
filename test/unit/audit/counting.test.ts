import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { countingSender, ReadCounter } from '../../../lib/store/counting-sender';

describe('countingSender', () => {
  it('counts what each read returned, per table or index, and passes outputs through', async () => {
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
    const mock = mockClient(doc);
    mock.on(QueryCommand).resolves({ Items: [{ a: 1 }], Count: 1, ScannedCount: 3 });
    mock.on(GetCommand, { Key: { pk: 'hit' } }).resolves({ Item: { pk: 'hit' } });
    mock.on(GetCommand, { Key: { pk: 'miss' } }).resolves({});
    mock.on(PutCommand).resolves({});

    const counter = new ReadCounter();
    const client = countingSender(doc, counter);
    const out = await client.send(new QueryCommand({ TableName: 'iss', IndexName: 'byExpiry', KeyConditionExpression: 'x' }));
    expect(out).toEqual({ Items: [{ a: 1 }], Count: 1, ScannedCount: 3 });
    await client.send(new QueryCommand({ TableName: 'iss', KeyConditionExpression: 'x' }));
    await client.send(new GetCommand({ TableName: 'main', Key: { pk: 'hit' } }));
    await client.send(new GetCommand({ TableName: 'main', Key: { pk: 'miss' } }));
    await client.send(new PutCommand({ TableName: 'main', Item: { pk: 'a' } }));

    // Filtered-out items cost reads too: a Query counts its ScannedCount, not its Count.
    expect(counter.snapshot()).toEqual({ iss: 3, 'iss/byExpiry': 3, main: 1 });
    mock.restore();
  });
});
