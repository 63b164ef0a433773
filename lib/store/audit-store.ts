// The audit's DynamoDB adapter. Every read goes through a counting wrapper, so a run reports how
// many items it actually read per table and index (recount reads and live lookups apart, through
// wrappers of their own). Conditional-write losses become `false`; any other DynamoDB failure
// becomes the project's DependencyUnavailableError.
//
// Issuance reads cover every write shard of their key and its unsharded (legacy) key
// (lib/core/table-keys.ts), a few queries at a time; each record is still read once.
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { StoredItem } from '../audit/checks';
import { type LiveCounter, liveCounterKey } from '../audit/live-counts';
import type { AuditReads, AuditStore, CheckpointState, PendingRun } from '../audit/ports';
import type { TenantAuditReport } from '../audit/report';
import { BadRequestError } from '../core/errors';
import type { ApiKeyRecord, Partner, RevocationRecord, Tenant, TenantPolicy } from '../core/model';
import type { Page } from '../core/page';
import { issuancePartitionBase, keyOwnerPk, partitionsOf, tableKeys } from '../core/table-keys';
import { upgradeStoredPolicy } from '../policy/legacy';
import { countingSender, type DocumentCommand, type DocumentSender, ReadCounter } from './counting-sender';
import { dynamoUnavailable, isConditionFailure, withoutStorageKeys } from './dynamo';
import { batchGetInOrder, decodeCursor, pagesOfPartitions, queryPage } from './dynamo-pages';

export interface AuditTables {
  main: string;
  issuance: string;
}

/** Page size of the window queries: bounds memory and the expiry writes in flight per page. */
const WINDOW_PAGE_SIZE = 500;
/**
 * Shards queried at once per read. The audit already works on `concurrency` tenants at once, so
 * fewer than the admin API's PARTITION_CONCURRENCY: at most this many pages of each wait in memory.
 */
const AUDIT_PARTITION_CONCURRENCY = 4;

/** Where recount reads show in `byTarget`: they read the issuance table, but are not the window's. */
export const RECOUNT_TARGET_SUFFIX = ' (recount)';
/** Where live lookups show in `byTarget`: byPartner/byStatus keys, then the records from the table. */
export const LIVE_LOOKUP_TARGET_SUFFIX = ' (live lookup)';

export class DynamoAuditStore implements AuditStore {
  private readonly counter = new ReadCounter();
  private readonly recountCounter = new ReadCounter();
  private readonly liveCounter = new ReadCounter();
  private readonly client: DocumentSender;
  private readonly recountClient: DocumentSender;
  private readonly liveClient: DocumentSender;

  /** `client` is a DynamoDBDocumentClient (or anything with its `send`); it is wrapped to count reads. */
  constructor(
    client: DocumentSender,
    private readonly tables: AuditTables,
  ) {
    this.client = countingSender(client, this.counter);
    this.recountClient = countingSender(client, this.recountCounter);
    this.liveClient = countingSender(client, this.liveCounter);
  }

  private async send<T>(command: DocumentCommand, action: string, client = this.client): Promise<T> {
    try {
      return (await client.send(command)) as T;
    } catch (err) {
      throw dynamoUnavailable(err, action);
    }
  }

  /** A conditional write: true when applied, false when its condition did not hold. */
  private async conditional(command: PutCommand | UpdateCommand, action: string): Promise<boolean> {
    try {
      await this.client.send(command);
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw dynamoUnavailable(err, action);
    }
  }

  private async *pages(input: QueryCommandInput, action: string, client = this.client): AsyncGenerator<StoredItem[]> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.send<{ Items?: StoredItem[]; LastEvaluatedKey?: Record<string, unknown> }>(
        new QueryCommand({ ...input, ExclusiveStartKey: startKey }),
        action,
        client,
      );
      yield out.Items ?? [];
      startKey = out.LastEvaluatedKey;
    } while (startKey);
  }

  /** Every page of `input` run over each of `partitions` (its partition value as `:p`), as they come. */
  private async *partitionPages(
    input: QueryCommandInput,
    partitions: readonly string[],
    action: string,
    client = this.client,
  ): AsyncGenerator<StoredItem[]> {
    const inputs = partitions.map((p) => ({ ...input, ExpressionAttributeValues: { ...input.ExpressionAttributeValues, ':p': p } }));
    try {
      yield* pagesOfPartitions(client, inputs, AUDIT_PARTITION_CONCURRENCY);
    } catch (err) {
      throw dynamoUnavailable(err, action);
    }
  }

  /** Keys from a keys-only index over `partitions`, then their records from the table (live lookups). */
  private async liveLookup(input: QueryCommandInput, partitions: readonly string[], action: string): Promise<StoredItem[]> {
    const keys: StoredItem[] = [];
    for await (const page of this.partitionPages(input, partitions, action, this.liveClient)) keys.push(...page);
    try {
      return await batchGetInOrder(this.liveClient, this.tables.issuance, keys);
    } catch (err) {
      throw dynamoUnavailable(err, action);
    }
  }

  private async queryAll(input: QueryCommandInput, action: string): Promise<StoredItem[]> {
    const all: StoredItem[] = [];
    for await (const page of this.pages(input, action)) all.push(...page);
    return all;
  }

  async readCheckpoint(): Promise<CheckpointState> {
    const out = await this.send<{ Item?: StoredItem }>(
      new GetCommand({ TableName: this.tables.main, Key: tableKeys.auditCheckpoint(), ConsistentRead: true }),
      'read audit checkpoint',
    );
    const item = out.Item;
    if (!item) return { version: 0 };
    return {
      version: Number(item.version),
      ...(typeof item.through === 'string' ? { through: item.through } : {}),
      ...(item.pending ? { pending: item.pending as PendingRun } : {}),
    };
  }

  saveCheckpoint(state: { through?: string; pending?: PendingRun }, expectedVersion: number): Promise<boolean> {
    const item: StoredItem = { ...tableKeys.auditCheckpoint(), version: expectedVersion + 1 };
    if (state.through !== undefined) item.through = state.through;
    if (state.pending !== undefined) item.pending = state.pending;
    return this.conditional(
      new PutCommand({
        TableName: this.tables.main,
        Item: item,
        ...(expectedVersion === 0
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : { ConditionExpression: 'version = :expected', ExpressionAttributeValues: { ':expected': expectedVersion } }),
      }),
      'write audit checkpoint',
    );
  }

  expiringItems(bucket: string, start: string, end: string): AsyncIterable<StoredItem[]> {
    // expirySk is `${expiresAt}#${issuanceId}`: `start#…` >= start and `end#…` > end, so BETWEEN
    // start AND end holds exactly the expiries in [start, end) when both use toISOString's format.
    // The index is eventually consistent, which is harmless here: a record is written at least
    // 15 minutes (the STS minimum duration) before it expires, long before its window is read.
    return this.partitionPages(
      {
        TableName: this.tables.issuance,
        IndexName: 'byExpiry',
        KeyConditionExpression: 'expiryBucket = :p AND expirySk BETWEEN :start AND :end',
        ExpressionAttributeValues: { ':start': start, ':end': end },
        Limit: WINDOW_PAGE_SIZE,
      },
      partitionsOf(bucket),
      'read expiring issuances',
    );
  }

  markExpired(key: { pk: string; sk: string }, statusKey: string, ttlIfMissing: number): Promise<boolean> {
    return this.conditional(
      new UpdateCommand({
        TableName: this.tables.issuance,
        Key: key,
        UpdateExpression: 'SET #status = :expired, statusKey = :statusKey, #ttl = if_not_exists(#ttl, :ttl)',
        ConditionExpression: '#status = :active',
        ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':expired': 'expired', ':active': 'active', ':statusKey': statusKey, ':ttl': ttlIfMissing },
      }),
      'mark issuance expired',
    );
  }

  issuedItems(tenantId: string, start: string, end: string): AsyncIterable<StoredItem[]> {
    return this.partitionPages(this.issuedQuery(start, end), this.tenantPartitions(tenantId), 'read issued issuances');
  }

  recountItems(tenantId: string, from: string, to: string): AsyncIterable<StoredItem[]> {
    return this.partitionPages(
      this.issuedQuery(from, to),
      this.tenantPartitions(tenantId),
      'read issuances for a recount',
      this.recountClient,
    );
  }

  private tenantPartitions(tenantId: string): string[] {
    return partitionsOf(issuancePartitionBase.table(tenantId));
  }

  private issuedQuery(start: string, end: string): QueryCommandInput {
    // sk is `${issuedAt}#${issuanceId}`: as with expirySk above, BETWEEN start AND end holds exactly
    // the records issued in [start, end). Consistent: a record written just before the read counts.
    return {
      TableName: this.tables.issuance,
      KeyConditionExpression: 'pk = :p AND sk BETWEEN :start AND :end',
      ExpressionAttributeValues: { ':start': start, ':end': end },
      ConsistentRead: true,
      Limit: WINDOW_PAGE_SIZE,
    };
  }

  async readLiveCounter(tenantId: string): Promise<LiveCounter | undefined> {
    const out = await this.send<{ Item?: StoredItem }>(
      new GetCommand({ TableName: this.tables.main, Key: liveCounterKey(tenantId), ConsistentRead: true }),
      'read live counter',
    );
    const item = out.Item;
    // An incomplete item counts as none: a recount replaces it (saveLiveCounter's condition allows that).
    if (typeof item?.live !== 'number' || typeof item.auditedThrough !== 'string') return undefined;
    return { live: item.live, auditedThrough: item.auditedThrough };
  }

  saveLiveCounter(tenantId: string, counter: LiveCounter, expectedThrough: string | undefined): Promise<boolean> {
    return this.conditional(
      new PutCommand({
        TableName: this.tables.main,
        Item: { ...liveCounterKey(tenantId), tenantId, live: counter.live, auditedThrough: counter.auditedThrough },
        ...(expectedThrough === undefined
          ? { ConditionExpression: 'attribute_not_exists(auditedThrough) OR attribute_not_exists(live)' }
          : { ConditionExpression: 'auditedThrough = :expected', ExpressionAttributeValues: { ':expected': expectedThrough } }),
      }),
      'write live counter',
    );
  }

  async listTenants(): Promise<Tenant[]> {
    const items = await this.queryAll(
      {
        TableName: this.tables.main,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': 'TENANTS' },
      },
      'list tenants',
    );
    return items.map((item) => withoutStorageKeys<Tenant>(item));
  }

  async getPolicy(tenantId: string): Promise<TenantPolicy | undefined> {
    const out = await this.send<{ Item?: StoredItem }>(
      new GetCommand({ TableName: this.tables.main, Key: tableKeys.policy(tenantId), ConsistentRead: true }),
      'read tenant policy',
    );
    return upgradeStoredPolicy(withoutStorageKeys<TenantPolicy>(out.Item));
  }

  async listPartners(tenantId: string): Promise<Partner[]> {
    const items = await this.queryAll(
      {
        TableName: this.tables.main,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': tableKeys.tenant(tenantId).pk, ':prefix': tableKeys.partnerPrefix },
      },
      'list partners',
    );
    return items.map((item) => withoutStorageKeys<Partner>(item));
  }

  async listPartnerKeys(tenantId: string, partnerId: string): Promise<ApiKeyRecord[]> {
    const items = await this.queryAll(
      {
        TableName: this.tables.main,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': keyOwnerPk({ kind: 'partner', tenantId, partnerId }) },
      },
      'list partner keys',
    );
    return items.map((item) => withoutStorageKeys<ApiKeyRecord>(item));
  }

  /** The tenant's newest revocations (at most 100): the audit flags live credentials of those not effective. */
  async listRevocations(tenantId: string): Promise<RevocationRecord[]> {
    const input: QueryCommandInput = {
      TableName: this.tables.main,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': tableKeys.revocation(tenantId, '').pk, ':prefix': tableKeys.revocationPrefix },
      ScanIndexForward: false,
      Limit: 100,
    };
    // One page: the newest 100, whatever older ones there are.
    for await (const page of this.pages(input, 'list revocations')) return page.map((item) => withoutStorageKeys<RevocationRecord>(item));
    return [];
  }

  activeIssuedSince(tenantId: string, issuedSince: string): Promise<StoredItem[]> {
    return this.liveLookup(
      {
        TableName: this.tables.issuance,
        IndexName: 'byStatus',
        KeyConditionExpression: 'statusKey = :p AND sk >= :since',
        ExpressionAttributeValues: { ':since': issuedSince },
      },
      partitionsOf(issuancePartitionBase.status(tenantId, 'active')),
      'read live issuances',
    );
  }

  partnerIssuedSince(tenantId: string, partnerId: string, issuedSince: string): Promise<StoredItem[]> {
    return this.liveLookup(
      {
        TableName: this.tables.issuance,
        IndexName: 'byPartner',
        KeyConditionExpression: 'partnerKey = :p AND sk >= :since',
        ExpressionAttributeValues: { ':since': issuedSince },
      },
      partitionsOf(issuancePartitionBase.partner(tenantId, partnerId)),
      'read live issuances',
    );
  }

  putReport(report: TenantAuditReport): Promise<boolean> {
    // First write wins: a rerun or a retried run over the same window leaves the stored report alone.
    return this.conditional(
      new PutCommand({
        TableName: this.tables.main,
        Item: { ...tableKeys.auditReport(report.tenantId, report.windowEnd, report.runId), ...report },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
      'write audit report',
    );
  }

  reads(): AuditReads {
    const marked = (counter: ReadCounter, suffix: string) =>
      Object.fromEntries(Object.entries(counter.snapshot()).map(([target, n]) => [`${target}${suffix}`, n]));
    const byTarget = {
      ...this.counter.snapshot(),
      ...marked(this.recountCounter, RECOUNT_TARGET_SUFFIX),
      ...marked(this.liveCounter, LIVE_LOOKUP_TARGET_SUFFIX),
    };
    const issuance = this.tables.issuance;
    const live = this.liveCounter;
    return {
      windowItems: this.counter.get(`${issuance}/byExpiry`) + this.counter.get(issuance),
      recountItems: this.recountCounter.get(issuance),
      liveLookupItems: live.get(`${issuance}/byPartner`) + live.get(`${issuance}/byStatus`) + live.get(issuance),
      directoryItems: Object.entries(byTarget)
        .filter(([target]) => target === this.tables.main || target.startsWith(`${this.tables.main}/`))
        .reduce((sum, [, n]) => sum + n, 0),
      byTarget,
    };
  }
}

export const AUDIT_REPORTS_MAX_LIMIT = 100;

/** A tenant's audit reports, newest window first, for the admin API. The cursor is opaque. */
export async function listAuditReports(
  client: DynamoDBDocumentClient,
  table: string,
  tenantId: string,
  page: { limit: number; cursor?: string },
): Promise<Page<TenantAuditReport>> {
  if (!Number.isInteger(page.limit) || page.limit < 1 || page.limit > AUDIT_REPORTS_MAX_LIMIT) {
    throw new BadRequestError('invalid_limit', `limit must be an integer between 1 and ${AUDIT_REPORTS_MAX_LIMIT}`);
  }
  // A cursor from another tenant's listing would page through this tenant's partition from the
  // wrong place; refuse it rather than answer with a surprising page.
  const start = decodeCursor(page.cursor);
  if (start && start.pk !== tableKeys.tenant(tenantId).pk) throw new BadRequestError('invalid_cursor', 'The cursor is not valid');
  return queryPage<TenantAuditReport>(
    client,
    {
      TableName: table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': tableKeys.tenant(tenantId).pk, ':prefix': tableKeys.auditReportPrefix },
      ScanIndexForward: false,
    },
    page,
  );
}
