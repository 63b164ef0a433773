// Paginated queries with the document client (admin API and audit): opaque cursors over
// DynamoDB's LastEvaluatedKey. Apart from dynamo.ts so the issuance bundle stays free of lib-dynamodb.
import { BatchGetCommand, type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { BadRequestError } from '../core/errors';
import type { Page, PageRequest } from '../core/page';
import type { DocumentSender } from './counting-sender';
import { dynamoUnavailable, type Item, withoutStorageKeys } from './dynamo';

export type { DocumentSender, Item };

/** Queries in flight at once for one admin page over the write shards of a key (ISSUANCE_SHARDS + 1 partitions). */
export const PARTITION_CONCURRENCY = 16;

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

/** One Query request: its items and where the next one would start. */
export async function queryOnce(client: DocumentSender, input: QueryCommandInput): Promise<{ items: Item[]; lastKey?: Item }> {
  const out = (await client.send(new QueryCommand(input))) as { Items?: Item[]; LastEvaluatedKey?: Item };
  return { items: out.Items ?? [], lastKey: out.LastEvaluatedKey };
}

/** BatchGetItem's limit per request. */
const BATCH_GET_KEYS = 100;
/** Rounds of UnprocessedKeys retried before giving up (DynamoDB returns them under throttling). */
const BATCH_GET_ROUNDS = 5;

/**
 * The items at `keys` (each carrying pk and sk; other attributes are ignored), in the order of
 * `keys`; keys with no item (deleted by TTL since an index listed them) are left out.
 */
export async function batchGetInOrder(client: DocumentSender, table: string, keys: readonly Item[]): Promise<Item[]> {
  const id = (item: Item) => `${String(item.pk)}\u0000${String(item.sk)}`;
  const found = new Map<string, Item>();
  for (let i = 0; i < keys.length; i += BATCH_GET_KEYS) {
    let pending: Item[] = keys.slice(i, i + BATCH_GET_KEYS).map((key) => ({ pk: key.pk, sk: key.sk }));
    for (let round = 0; pending.length > 0; round++) {
      if (round === BATCH_GET_ROUNDS) throw new Error(`BatchGetItem left ${pending.length} keys unprocessed`);
      const out = (await client.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: pending } } }))) as {
        Responses?: Record<string, Item[]>;
        UnprocessedKeys?: Record<string, { Keys?: Item[] }>;
      };
      for (const item of out.Responses?.[table] ?? []) found.set(id(item), item);
      pending = out.UnprocessedKeys?.[table]?.Keys ?? [];
    }
  }
  return keys.flatMap((key): Item[] => {
    const item = found.get(id(key));
    return item ? [item] : [];
  });
}

/**
 * Every page of each query in `inputs` (one per partition: the write shards of one key), at most
 * `concurrency` requests in flight; pages come as they arrive, in no particular order, and at most
 * `concurrency` wait unread: memory stays bounded however many records there are.
 */
export async function* pagesOfPartitions(
  client: DocumentSender,
  inputs: readonly QueryCommandInput[],
  concurrency: number,
): AsyncGenerator<Item[]> {
  const waiting: { input: QueryCommandInput; startKey?: Item }[] = inputs.map((input) => ({ input }));
  const inFlight = new Map<number, Promise<{ id: number; input: QueryCommandInput; out: { items: Item[]; lastKey?: Item } }>>();
  let nextId = 0;
  const launch = () => {
    while (inFlight.size < concurrency && waiting.length > 0) {
      const { input, startKey } = waiting.shift() as { input: QueryCommandInput; startKey?: Item };
      const id = nextId++;
      const request = queryOnce(client, { ...input, ExclusiveStartKey: startKey }).then((out) => ({ id, input, out }));
      request.catch(() => undefined); // raced below; a failure is thrown from there, not left unhandled
      inFlight.set(id, request);
    }
  };
  launch();
  while (inFlight.size > 0) {
    const { id, input, out } = await Promise.race(inFlight.values());
    inFlight.delete(id);
    if (out.lastKey) waiting.unshift({ input, startKey: out.lastKey });
    launch();
    if (out.items.length > 0) yield out.items;
  }
}
