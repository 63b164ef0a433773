// Reads of the issuance ledger for the admin API: one tenant's issuances, newest first, by time
// range, partner and/or status. Every query is a Query on the table or one of its GSIs with the
// time range as a key condition on `sk` (`${issuedAt}#${issuanceId}`): nothing is scanned.
//
// Each of them reads every write shard of its partition (lib/core/table-keys.ts) and the unsharded
// key of records written before sharding, in parallel, and merges them newest first. An sk is unique
// (it ends in the issuance id), so the merge gives the one order a single partition gave, and a page
// is resumed from the sk of the last record it returned (or, with a partner and a status, the last it
// looked at): every shard holds nothing newer that was not returned. The cursor carries that sk and a
// digest of the query; anything else, or a position outside the query's range, is a 400. Partitions
// come from the tenant of the request, never from the cursor, so no cursor reaches another tenant.
//
// byPartner and byStatus hold keys only: the page's records are then read from the table, by key.
import { createHash } from 'node:crypto';
import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { IssuanceFilter, IssuanceQueries, Page, PageRequest } from '../admin/ports';
import { mapLimit } from '../audit/concurrency';
import { BadRequestError } from '../core/errors';
import type { IssuanceRecord } from '../core/model';
import { required } from '../core/required';
import { issuancePartitionBase, partitionsOf } from '../core/table-keys';
import { dynamoUnavailable } from './dynamo';
import { batchGetInOrder, type DocumentSender, type Item, PARTITION_CONCURRENCY, queryOnce } from './dynamo-pages';

/** How many records per page a partner+status query may look at before answering with what it found and a cursor. */
export const MAX_FILTERED_PAGES = 5;

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
  webIdentity: true,
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
  mfa: true,
};

export function issuanceRecordOf(item: Item): IssuanceRecord {
  const out: Item = {};
  for (const field of Object.keys(RECORD_FIELDS)) if (item[field] !== undefined) out[field] = item[field];
  return out as unknown as IssuanceRecord;
}

export interface IssuanceQueryPlan {
  /** Undefined: the table itself. */
  indexName?: 'byPartner' | 'byStatus';
  /** The partition attribute, and its values: every shard, then the legacy key. */
  hashKey: 'pk' | 'partnerKey' | 'statusKey';
  partitions: string[];
  /** The index holds keys only: records are read from the table. */
  keysOnly: boolean;
  /** Status to keep after reading the records (partner+status: byPartner has no status). */
  status?: string;
  /** Binds a cursor to this tenant and filter. */
  digest: string;
}

export function planIssuanceQuery(tenantId: string, filter: IssuanceFilter): IssuanceQueryPlan {
  const digest = createHash('sha256')
    .update(JSON.stringify([tenantId, filter.partnerId ?? null, filter.status ?? null, filter.from ?? null, filter.to ?? null]))
    .digest('base64url')
    .slice(0, 16);
  if (filter.partnerId) {
    // Partner (and status, if given, checked on the records: there is no partner+status index).
    const partitions = partitionsOf(issuancePartitionBase.partner(tenantId, filter.partnerId));
    return { indexName: 'byPartner', hashKey: 'partnerKey', partitions, keysOnly: true, status: filter.status, digest };
  }
  if (filter.status) {
    const partitions = partitionsOf(issuancePartitionBase.status(tenantId, filter.status));
    // Checked on the records too: the index is eventually consistent with a status the audit just changed.
    return { indexName: 'byStatus', hashKey: 'statusKey', partitions, keysOnly: true, status: filter.status, digest };
  }
  return { hashKey: 'pk', partitions: partitionsOf(issuancePartitionBase.table(tenantId)), keysOnly: false, digest };
}

// An issuance id is a UUID (randomUUID); bounded here so a forged `after` cannot push the sort key
// past DynamoDB's 1,024-byte limit and turn a caller's bad cursor into a 503.
const SK_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z#[A-Za-z0-9-]{1,64}$/;
const invalidCursor = () => new BadRequestError('invalid_cursor', 'The cursor is not valid');

export function encodeIssuanceCursor(plan: IssuanceQueryPlan, after: string): string {
  return Buffer.from(JSON.stringify({ q: plan.digest, after }), 'utf8').toString('base64url');
}

/** The sk a page resumes before; refuses a cursor of another query, or a position outside this one. */
export function decodeIssuanceCursor(cursor: string | undefined, plan: IssuanceQueryPlan, filter: IssuanceFilter): string | undefined {
  if (cursor === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  const { q, after, ...rest } = (parsed ?? {}) as { q?: unknown; after?: unknown };
  if (q !== plan.digest || typeof after !== 'string' || !SK_PATTERN.test(after) || Object.keys(rest).length > 0) throw invalidCursor();
  if ((filter.from !== undefined && after <= filter.from) || (filter.to !== undefined && after >= filter.to)) throw invalidCursor();
  return after;
}

/** The range on sk: [from, min(to, after)), newest first. */
function laneInput(table: string, plan: IssuanceQueryPlan, partition: string, filter: IssuanceFilter, after: string | undefined) {
  const upper = after !== undefined && (filter.to === undefined || after < filter.to) ? after : filter.to;
  const values: Record<string, unknown> = { ':p': partition };
  let range = '';
  if (filter.from !== undefined && upper !== undefined) {
    // BETWEEN is inclusive: `to` never equals an sk (each has a #id suffix), `after` does and is dropped.
    range = ' AND sk BETWEEN :from AND :upper';
    values[':from'] = filter.from;
    values[':upper'] = upper;
  } else if (filter.from !== undefined) {
    range = ' AND sk >= :from';
    values[':from'] = filter.from;
  } else if (upper !== undefined) {
    range = ' AND sk < :upper';
    values[':upper'] = upper;
  }
  const input: QueryCommandInput = {
    TableName: table,
    IndexName: plan.indexName,
    KeyConditionExpression: `${plan.hashKey} = :p${range}`,
    ExpressionAttributeValues: values,
    ScanIndexForward: false,
  };
  return { input, upper };
}

interface Lane {
  input: QueryCommandInput;
  /** Items at or above this sk were returned already (the inclusive BETWEEN bound). */
  upper?: string;
  buffer: Item[];
  startKey?: Item;
  done: boolean;
}

/**
 * Partitions merged newest first. `take(n)` returns the next n items in sk order; every partition
 * is read (`batch` at a time) before an item is chosen, so no newer one can come later.
 */
export class MergedPartitions {
  private readonly lanes: Lane[];

  constructor(
    private readonly client: DocumentSender,
    inputs: { input: QueryCommandInput; upper?: string }[],
    private readonly batch: number,
  ) {
    this.lanes = inputs.map(({ input, upper }) => ({ input, upper, buffer: [], done: false }));
  }

  /** True when nothing is left in any partition. */
  get exhausted(): boolean {
    return this.lanes.every((lane) => lane.done && lane.buffer.length === 0);
  }

  async take(n: number): Promise<Item[]> {
    const out: Item[] = [];
    while (out.length < n) {
      const hungry = this.lanes.filter((lane) => !lane.done && lane.buffer.length === 0);
      if (hungry.length > 0) {
        await mapLimit(hungry, PARTITION_CONCURRENCY, (lane) => this.fill(lane));
        continue;
      }
      let best: Lane | undefined;
      for (const lane of this.lanes) {
        if (lane.buffer.length > 0 && (!best || String(lane.buffer[0]?.sk) > String(best.buffer[0]?.sk))) best = lane;
      }
      if (!best) break;
      out.push(required(best.buffer.shift(), 'the head of a non-empty lane'));
    }
    return out;
  }

  private async fill(lane: Lane): Promise<void> {
    const out = await queryOnce(this.client, { ...lane.input, Limit: this.batch, ExclusiveStartKey: lane.startKey });
    lane.buffer.push(...out.items.filter((item) => lane.upper === undefined || String(item.sk) < lane.upper));
    lane.startKey = out.lastKey;
    lane.done = out.lastKey === undefined;
  }
}

export class DynamoIssuanceQueries implements IssuanceQueries {
  constructor(
    private readonly client: DocumentSender,
    private readonly table: string,
    private readonly maxFilteredPages = MAX_FILTERED_PAGES,
  ) {}

  async query(tenantId: string, filter: IssuanceFilter, page: PageRequest): Promise<Page<IssuanceRecord>> {
    const plan = planIssuanceQuery(tenantId, filter);
    const after = decodeIssuanceCursor(page.cursor, plan, filter);
    const lanes = plan.partitions.map((partition) => laneInput(this.table, plan, partition, filter, after));
    // Enough per partition that a page seldom needs a second round, whichever shards its records are in.
    const batch = Math.max(2, Math.ceil((2 * page.limit) / plan.partitions.length));
    const merged = new MergedPartitions(this.client, lanes, batch);
    const items: Item[] = [];
    let last: string | undefined;
    try {
      if (!plan.keysOnly) {
        const found = await merged.take(page.limit);
        items.push(...found);
        last = found.at(-1)?.sk as string | undefined;
      } else {
        // Keys, then their records. With partner+status, records that do not match are passed over:
        // up to maxFilteredPages × limit of them, then the caller gets a short page and a cursor.
        let looked = 0;
        while (items.length < page.limit && looked < this.maxFilteredPages * page.limit) {
          const keys = await merged.take(page.limit - items.length);
          if (keys.length === 0) break;
          looked += keys.length;
          last = keys.at(-1)?.sk as string | undefined;
          const records = await batchGetInOrder(this.client, this.table, keys);
          items.push(...records.filter((record) => plan.status === undefined || record.status === plan.status));
          if (plan.status === undefined || plan.indexName === 'byStatus') break;
        }
      }
    } catch (err) {
      throw dynamoUnavailable(err, 'query issuances');
    }
    const nextCursor = last !== undefined && !merged.exhausted ? encodeIssuanceCursor(plan, last) : undefined;
    return { items: items.map(issuanceRecordOf), nextCursor };
  }
}
