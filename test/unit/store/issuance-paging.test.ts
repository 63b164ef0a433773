// Admin reads of the sharded ledger page through every shard, and the unsharded partition of records
// written before sharding, with the results, order and page sizes one partition gave: the reference
// here is the definition (the tenant's records matching the filter, sk descending).
import { describe, expect, it } from '@jest/globals';
import type { IssuanceFilter } from '../../../lib/admin/ports';
import type { IssuanceRecord, IssuanceStatus } from '../../../lib/core/model';
import { ISSUANCE_SHARDS, issuanceShardOf, partitionsOf } from '../../../lib/core/table-keys';
import { issuanceItem } from '../../../lib/store/issuance-ledger';
import { DynamoIssuanceQueries, encodeIssuanceCursor, planIssuanceQuery } from '../../../lib/store/issuance-queries';
import { MemoryIssuanceTable } from './memory-issuance-table';

const TABLE = 'credvend-unit-issuances';
const T0 = Date.parse('2026-03-10T00:00:00.000Z');

function record(i: number, over: Partial<IssuanceRecord> = {}): IssuanceRecord {
  // Several records share an instant, so the id decides their order.
  const issuedAt = new Date(T0 + Math.floor(i / 3) * 61_000).toISOString();
  const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  return {
    issuanceId: id,
    tenantId: 'acme',
    partnerId: i % 3 === 0 ? 'app-two' : 'app-one',
    keyId: 'pk-aaaaaaaaaaaaaaaa',
    mode: 'assume-role',
    accessKeyId: `ASIA${String(i).padStart(16, '0')}`,
    principalArn: `arn:aws:sts::123456789012:assumed-role/r/${id.slice(0, 8)}`,
    principalId: 'AROAEXAMPLE:s',
    policyVersion: 1,
    policySha256: 'a'.repeat(64),
    durationSeconds: 3600,
    issuedAt,
    expiresAt: new Date(Date.parse(issuedAt) + 3_600_000).toISOString(),
    sourceIp: '192.0.2.1',
    userAgent: 'test',
    requestId: `req-${i}`,
    status: (i % 5 === 0 ? 'active' : 'expired') as IssuanceStatus,
    ...over,
  };
}

const sk = (r: IssuanceRecord) => `${r.issuedAt}#${r.issuanceId}`;

/** 240 records of acme: the first 60 written before sharding; 40 of another tenant at the same instants. */
function ledger(): { table: MemoryIssuanceTable; acme: IssuanceRecord[] } {
  const table = new MemoryIssuanceTable(TABLE);
  const acme = Array.from({ length: 240 }, (_, i) => record(i));
  table.put(...acme.map((r, i) => issuanceItem(r, 400, i < 60 ? 'legacy' : 'sharded')));
  table.put(...Array.from({ length: 40 }, (_, i) => issuanceItem(record(i, { tenantId: 'globex' }), 400, i % 2 ? 'legacy' : 'sharded')));
  return { table, acme };
}

const reference = (records: IssuanceRecord[], f: IssuanceFilter) =>
  records
    .filter((r) => (f.partnerId === undefined || r.partnerId === f.partnerId) && (f.status === undefined || r.status === f.status))
    .filter((r) => (f.from === undefined || r.issuedAt >= f.from) && (f.to === undefined || r.issuedAt < f.to))
    .sort((a, b) => (sk(a) < sk(b) ? 1 : -1));

async function allPages(queries: DynamoIssuanceQueries, filter: IssuanceFilter, limit: number) {
  const pages: IssuanceRecord[][] = [];
  let cursor: string | undefined;
  do {
    const page = await queries.query('acme', filter, { limit, cursor });
    pages.push(page.items);
    cursor = page.nextCursor;
    if (pages.length > 300) throw new Error('paging does not end');
  } while (cursor);
  return pages;
}

describe('DynamoIssuanceQueries over the sharded ledger', () => {
  it('spreads one tenant over every shard, the same way every time', () => {
    const shards = Array.from({ length: 2000 }, (_, i) => issuanceShardOf(record(i).issuanceId));
    expect(new Set(shards).size).toBe(ISSUANCE_SHARDS);
    expect(Array.from({ length: 2000 }, (_, i) => issuanceShardOf(record(i).issuanceId))).toEqual(shards);
    const perShard = [...new Set(shards)].map((s) => shards.filter((x) => x === s).length);
    expect(Math.max(...perShard)).toBeLessThan((2 * 2000) / ISSUANCE_SHARDS);
  });

  const FILTERS: IssuanceFilter[] = [
    {},
    { from: new Date(T0 + 600_000).toISOString(), to: new Date(T0 + 3_000_000).toISOString() },
    { to: new Date(T0 + 2_000_000).toISOString() },
    { partnerId: 'app-one' },
    { status: 'active' },
    { status: 'expired', from: new Date(T0 + 1_000_000).toISOString() },
    { partnerId: 'app-two', status: 'active' },
  ];

  it.each(FILTERS.flatMap((filter) => [1, 7, 25, 100].map((limit) => [JSON.stringify(filter), limit] as const)))(
    'pages %s by %i as one partition did: same records, newest first, full pages',
    async (filterText, limit) => {
      const filter = JSON.parse(filterText) as IssuanceFilter;
      const { table, acme } = ledger();
      const pages = await allPages(new DynamoIssuanceQueries(table, TABLE), filter, limit);
      const expected = reference(acme, filter);
      expect(expected.length).toBeGreaterThan(0);
      expect(pages.flat()).toEqual(expected.map((r) => ({ ...r })));
      // Every page but the last is full; with partner and status (no exact index, as before) a page
      // may stop short after looking at 5 × limit records.
      const partnerAndStatus = filter.partnerId !== undefined && filter.status !== undefined;
      const short = pages.slice(0, -1).filter((p) => p.length !== limit);
      expect(partnerAndStatus ? pages.filter((p) => p.length > limit) : short).toEqual([]);
      // Records of the other tenant never show, and the old layout's records are among the results.
      expect(pages.flat().filter((r) => r.tenantId !== 'acme')).toEqual([]);
      expect(pages.flat().some((r) => Number(r.issuanceId.slice(-12)) < 60)).toBe(true);
    },
  );

  it('reads every shard and the unsharded partition of the query, and the records of keys-only indexes from the table', async () => {
    const { table } = ledger();
    await new DynamoIssuanceQueries(table, TABLE).query('acme', { partnerId: 'app-one' }, { limit: 10 });
    expect(new Set(table.queries.map((q) => q.ExpressionAttributeValues?.[':p']))).toEqual(new Set(partitionsOf('acme#app-one')));
    expect(table.queries.every((q) => q.IndexName === 'byPartner')).toBe(true);
    expect(table.batchGets).toBe(1);
  });

  it('refuses a cursor of another query or tenant, a tampered one and one outside the range, before reading', async () => {
    const { table } = ledger();
    const queries = new DynamoIssuanceQueries(table, TABLE);
    const first = await queries.query('acme', {}, { limit: 5 });
    expect(first.nextCursor).toBeDefined();
    const from = new Date(T0 + 600_000).toISOString();
    const globexPlan = planIssuanceQuery('globex', {});
    const position = JSON.parse(Buffer.from(String(first.nextCursor), 'base64url').toString('utf8')).after as string;
    const bad: [IssuanceFilter, string][] = [
      [{}, encodeIssuanceCursor(globexPlan, position)], // another tenant's query
      [{ partnerId: 'app-one' }, String(first.nextCursor)], // another filter
      [{}, 'not-a-cursor'],
      [{}, Buffer.from(JSON.stringify({ q: planIssuanceQuery('acme', {}).digest, after: 'TENANT#globex' })).toString('base64url')],
      [{ from }, encodeIssuanceCursor(planIssuanceQuery('acme', { from }), '2026-03-09T00:00:00.000Z#x')], // before `from`
      // The right digest, a position past DynamoDB's 1,024-byte sort key (red team: a 503 on AWS).
      [{}, encodeIssuanceCursor(planIssuanceQuery('acme', {}), `${position.slice(0, 25)}${'z'.repeat(1400)}`)],
    ];
    table.queries.length = 0;
    for (const [filter, cursor] of bad) {
      await expect(queries.query('acme', filter, { limit: 5, cursor })).rejects.toMatchObject({ statusCode: 400, code: 'invalid_cursor' });
    }
    expect(table.queries).toHaveLength(0);
  });
});
