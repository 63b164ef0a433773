// Paginated queries with the document client (admin API and audit): opaque cursors over
// DynamoDB's LastEvaluatedKey. Apart from dynamo.ts so the issuance bundle stays free of lib-dynamodb.
import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { BadRequestError } from '../core/errors';
import type { Page, PageRequest } from '../core/page';
import { dynamoUnavailable, withoutStorageKeys } from './dynamo';

export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : undefined;
}

export function decodeCursor(cursor: string | undefined): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (key && typeof key === 'object' && !Array.isArray(key) && Object.values(key).every((v) => typeof v === 'string')) {
      return key as Record<string, unknown>;
    }
  } catch {
    // fall through to the error below
  }
  throw new BadRequestError('invalid_cursor', 'The cursor is not valid');
}

export async function queryPage<T>(client: DynamoDBDocumentClient, input: QueryCommandInput, page: PageRequest): Promise<Page<T>> {
  try {
    const out = await client.send(new QueryCommand({ ...input, Limit: page.limit, ExclusiveStartKey: decodeCursor(page.cursor) }));
    return {
      items: (out.Items ?? []).map((item) => withoutStorageKeys<T>(item)),
      nextCursor: encodeCursor(out.LastEvaluatedKey),
    };
  } catch (err) {
    if (err instanceof BadRequestError) throw err;
    if ((err as Error).name === 'ValidationException' && page.cursor) {
      throw new BadRequestError('invalid_cursor', 'The cursor is not valid');
    }
    throw dynamoUnavailable(err, 'list');
  }
}
