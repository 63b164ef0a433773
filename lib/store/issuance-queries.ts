// Reads of the issuance ledger for the admin API: one tenant's issuances, newest first, by time
// range, partner and/or status. Every query is a Query on the table or one of its GSIs with the
// time range as a key condition on `sk` (`${issuedAt}#${issuanceId}`): nothing is scanned.
import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { IssuanceFilter, IssuanceQueries, Page, PageRequest } from '../admin/ports';
import { BadRequestError } from '../core/errors';
import type { IssuanceRecord } from '../core/model';
import { required } from '../core/required';
import { tableKeys } from '../core/table-keys';
import { dynamoUnavailable } from './dynamo';
import { decodeCursor, encodeCursor } from './dynamo-pages';

/** How many pages a partner+status query may read before answering with what it found and a cursor. */
export const MAX_FILTERED_PAGES = 5;

type Item = Record<string, unknown>;

// Every field of the record, so the compiler notices a new one; storage attributes (pk, sk, index
// keys, ttl) are not in it and never leave the adapter.
const RECORD_FIELDS: Record<keyof IssuanceRecord, true> = {
  issuanceId: true,
  tenantId: true,
  partnerId: true,
  keyId: true,
  mode: true,
  accessKeyId: true,
  principalArn: true,
  principalId: true,
  sourceIdentity: true,
  policyVersion: true,
  policySha256: true,
  scope: true,
  durationSeconds: true,
  issuedAt: true,
  expiresAt: true,
  sourceIp: true,
  userAgent: true,
  requestId: true,
  status: true,
};

export function issuanceRecordOf(item: Item): IssuanceRecord {
  const out: Item = {};
  for (const field of Object.keys(RECORD_FIELDS)) if (item[field] !== undefined) out[field] = item[field];
  return out as unknown as IssuanceRecord;
}

interface QueryPlan {
  input: QueryCommandInput;
  /** Attributes of a LastEvaluatedKey for this table/index, and the partition values a cursor must carry. */
  cursorKey: Record<string, string | undefined>;
  /** True when a FilterExpression applies (pages may come back short). */
  filtered: boolean;
}

export function planIssuanceQuery(table: string, tenantId: string, filter: IssuanceFilter): QueryPlan {
  const pk = tableKeys.issuance(tenantId, '', '').pk;
  // Index partition values come from the one key layout in model.ts.
  const index = tableKeys.issuanceIndexes({
    tenantId,
    partnerId: filter.partnerId ?? '',
    status: filter.status ?? 'active',
    expiresAt: '',
    issuanceId: '',
  });
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  let partition: string;
  let indexName: string | undefined;
  let cursorKey: Record<string, string | undefined>;
  let filterExpression: string | undefined;

  if (filter.partnerId) {
    // Partner (and status, if given, as a filter: there is no partner+status index).
    indexName = 'byPartner';
    partition = 'partnerKey = :p';
    values[':p'] = index.partnerKey;
    cursorKey = { partnerKey: index.partnerKey, pk, sk: undefined };
    if (filter.status) {
      filterExpression = '#status = :status';
      names['#status'] = 'status';
      values[':status'] = filter.status;
    }
  } else if (filter.status) {
    indexName = 'byStatus';
    partition = 'statusKey = :p';
    values[':p'] = index.statusKey;
    cursorKey = { statusKey: index.statusKey, pk, sk: undefined };
  } else {
    partition = 'pk = :p';
    values[':p'] = pk;
    cursorKey = { pk, sk: undefined };
  }

  let range = '';
  if (filter.from && filter.to) {
    // BETWEEN is inclusive, but no sk equals `to` itself (every sk has a #id suffix): `to` is exclusive.
    range = ' AND sk BETWEEN :from AND :to';
    values[':from'] = filter.from;
    values[':to'] = filter.to;
  } else if (filter.from) {
    range = ' AND sk >= :from';
    values[':from'] = filter.from;
  } else if (filter.to) {
    range = ' AND sk < :to';
    values[':to'] = filter.to;
  }

  return {
    input: {
      TableName: table,
      IndexName: indexName,
      KeyConditionExpression: partition + range,
      FilterExpression: filterExpression,
      ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
      ExpressionAttributeValues: values,
      ScanIndexForward: false,
    },
    cursorKey,
    filtered: filterExpression !== undefined,
  };
}

const invalidCursor = () => new BadRequestError('invalid_cursor', 'The cursor is not valid');

/** A cursor must be a key of this very query (same index, same partition), not of another tenant's. */
function startKeyOf(cursor: string | undefined, plan: QueryPlan): Item | undefined {
  const key = decodeCursor(cursor);
  if (!key) return undefined;
  const expected = Object.keys(plan.cursorKey).sort();
  const actual = Object.keys(key).sort();
  if (expected.join() !== actual.join()) throw invalidCursor();
  for (const [name, value] of Object.entries(plan.cursorKey)) {
    if (value !== undefined && key[name] !== value) throw invalidCursor();
  }
  return key;
}

function keyOfItem(item: Item, plan: QueryPlan): Item {
  return Object.fromEntries(Object.keys(plan.cursorKey).map((name) => [name, item[name]]));
}

export class DynamoIssuanceQueries implements IssuanceQueries {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly maxFilteredPages = MAX_FILTERED_PAGES,
  ) {}

  async query(tenantId: string, filter: IssuanceFilter, page: PageRequest): Promise<Page<IssuanceRecord>> {
    const plan = planIssuanceQuery(this.table, tenantId, filter);
    let startKey = startKeyOf(page.cursor, plan);
    const items: Item[] = [];
    let reads = 0;
    try {
      do {
        const out = await this.client.send(new QueryCommand({ ...plan.input, Limit: page.limit, ExclusiveStartKey: startKey }));
        reads++;
        const found = out.Items ?? [];
        const room = page.limit - items.length;
        if (found.length > room) {
          // A later filtered page found more matches than fit: resume right after the last one returned.
          const kept = found.slice(0, room);
          items.push(...kept);
          startKey = keyOfItem(required(kept.at(-1), 'last item kept from the page'), plan);
          break;
        }
        items.push(...found);
        startKey = out.LastEvaluatedKey;
        // Limit counts items read, not matched: with the status filter (partner+status is the one query
        // without an exact index) a page may match few items, so a few more pages are read to fill it —
        // at most maxFilteredPages × limit items, then the caller gets a short page and a cursor.
      } while (plan.filtered && startKey && items.length < page.limit && reads < this.maxFilteredPages);
    } catch (err) {
      if (err instanceof BadRequestError) throw err;
      if ((err as Error).name === 'ValidationException' && page.cursor) throw invalidCursor();
      throw dynamoUnavailable(err, 'query issuances');
    }
    return { items: items.map(issuanceRecordOf), nextCursor: encodeCursor(startKey) };
  }
}
