// The audit's DynamoDB adapter on its own: each conditional write holds against dynalite, and the
// read counts are what DynamoDB returned.

import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { issuanceProblems, statusKeyOfItem } from '../../../lib/audit/checks';
import { liveCounterKey } from '../../../lib/audit/live-counts';
import { DynamoAuditStore } from '../../../lib/store/audit-store';
import { issuanceItem } from '../../../lib/store/issuance-ledger';
import { batchPut, type Env, issue, RETENTION_DAYS, record, startEnv } from './fixtures';

let env: Env;
let store: DynamoAuditStore;

beforeAll(async () => {
  env = await startEnv();
  store = new DynamoAuditStore(env.client, { main: env.main, issuance: env.issuance });
});

afterAll(async () => {
  await env?.close();
});

const get = async (table: string, key: Record<string, string>) =>
  (await env.client.send(new GetCommand({ TableName: table, Key: key }))).Item;

describe('DynamoAuditStore', () => {
  it('marks an active record expired once, and never a record that is not active', async () => {
    const rec = record({ id: 'm1', tenantId: 'acme', partnerId: 'p-one', keyId: 'k1', expiresAt: '2026-03-10T11:00:00.000Z' });
    await issue(env, rec);
    const item = issuanceItem(rec, RETENTION_DAYS);
    const key = { pk: String(item.pk), sk: String(item.sk) };

    expect(await store.markExpired(key, 'acme#expired', 1)).toBe(true);
    expect(await store.markExpired(key, 'acme#expired', 1)).toBe(false);
    expect(await get(env.issuance, key)).toMatchObject({ status: 'expired', statusKey: 'acme#expired', ttl: item.ttl });
    // No item: nothing is created.
    expect(await store.markExpired({ pk: 'TENANT#acme', sk: 'nope' }, 'acme#expired', 1)).toBe(false);
    expect(await get(env.issuance, { pk: 'TENANT#acme', sk: 'nope' })).toBeUndefined();
  });

  it('writes a live counter only over the state it read', async () => {
    const end1 = '2026-03-10T09:15:00.000Z';
    const end2 = '2026-03-10T09:45:00.000Z';
    expect(await store.readLiveCounter('globex')).toBeUndefined();
    expect(await store.saveLiveCounter('globex', { live: 3, auditedThrough: end1 }, undefined)).toBe(true);
    expect(await store.saveLiveCounter('globex', { live: 4, auditedThrough: end1 }, undefined)).toBe(false); // exists now
    expect(await store.saveLiveCounter('globex', { live: 1, auditedThrough: end2 }, end1)).toBe(true);
    expect(await store.saveLiveCounter('globex', { live: 9, auditedThrough: end2 }, end1)).toBe(false); // a window applied twice
    expect(await store.readLiveCounter('globex')).toEqual({ live: 1, auditedThrough: end2 });
    expect(await get(env.main, liveCounterKey('globex'))).toEqual({
      ...liveCounterKey('globex'),
      tenantId: 'globex',
      live: 1,
      auditedThrough: end2,
    });
    // An item missing its fields counts as no counter, and a recount may replace it.
    await env.client.send(new PutCommand({ TableName: env.main, Item: { ...liveCounterKey('hooli'), live: 2 } }));
    expect(await store.readLiveCounter('hooli')).toBeUndefined();
    expect(await store.saveLiveCounter('hooli', { live: 0, auditedThrough: end1 }, undefined)).toBe(true);
  });

  it("reads exactly the records issued in [start, end), and a recount's reads apart", async () => {
    const counting = new DynamoAuditStore(env.client, { main: env.main, issuance: env.issuance });
    const at = [
      '2026-03-12T07:59:59.999Z',
      '2026-03-12T08:00:00.000Z',
      '2026-03-12T08:30:00.000Z',
      '2026-03-12T08:59:59.999Z',
      '2026-03-12T09:00:00.000Z',
    ];
    const recs = at.map((issuedAt, i) =>
      record({ id: `w${i}`, tenantId: 'wonka', partnerId: 'p-one', keyId: 'k1', issuedAt, expiresAt: '2026-03-12T12:00:00.000Z' }),
    );
    await batchPut(
      env,
      env.issuance,
      recs.map((r) => issuanceItem(r, RETENTION_DAYS)),
    );
    // Another tenant's record in the same instant: never read.
    await issue(
      env,
      record({ id: 'x0', tenantId: 'wonky', partnerId: 'p-one', keyId: 'k1', issuedAt: at[2], expiresAt: '2026-03-12T12:00:00.000Z' }),
    );

    const ids = async (pages: AsyncIterable<Record<string, unknown>[]>) => {
      const found: unknown[] = [];
      for await (const page of pages) found.push(...page.map((item) => item.issuanceId));
      return found.sort(); // pages come from the write shards in the order they answer
    };
    expect(await ids(counting.issuedItems('wonka', '2026-03-12T08:00:00.000Z', '2026-03-12T09:00:00.000Z'))).toEqual(['w1', 'w2', 'w3']);
    expect(await ids(counting.recountItems('wonka', '2026-03-12T07:00:00.000Z', '2026-03-12T08:00:00.000Z'))).toEqual(['w0']);
    expect(counting.reads()).toEqual({
      windowItems: 3,
      recountItems: 1,
      liveLookupItems: 0,
      directoryItems: 0,
      byTarget: { [env.issuance]: 3, [`${env.issuance} (recount)`]: 1 },
    });
  });

  it('writes the checkpoint only from the version it read', async () => {
    const fresh = await store.readCheckpoint();
    expect(fresh).toEqual({ version: 0 });
    expect(await store.saveCheckpoint({ through: '2026-03-10T10:00:00.000Z' }, 0)).toBe(true);
    expect(await store.saveCheckpoint({ through: '2026-03-10T11:00:00.000Z' }, 0)).toBe(false);
    expect(await store.saveCheckpoint({ through: '2026-03-10T11:00:00.000Z' }, 1)).toBe(true);
    expect(await store.saveCheckpoint({ through: '2026-03-10T12:00:00.000Z' }, 1)).toBe(false);
    expect(await store.readCheckpoint()).toEqual({ version: 2, through: '2026-03-10T11:00:00.000Z' });
  });

  it('counts the items each read returned, per table and index', async () => {
    const counting = new DynamoAuditStore(env.client, { main: env.main, issuance: env.issuance });
    const recs = Array.from({ length: 7 }, (_, i) =>
      record({ id: `q${i}`, tenantId: 'initech', partnerId: 'p-two', keyId: 'k2', expiresAt: `2026-03-11T05:0${i}:00.000Z` }),
    );
    await batchPut(
      env,
      env.issuance,
      recs.map((r) => issuanceItem(r, RETENTION_DAYS)),
    );

    const pages: number[] = [];
    for await (const page of counting.expiringItems('2026-03-11T05', '2026-03-11T05:02:00.000Z', '2026-03-11T05:05:00.000Z')) {
      pages.push(page.length);
    }
    // 05:02, 05:03, 05:04, in a page per write shard holding any of them.
    expect(pages.reduce((a, b) => a + b, 0)).toBe(3);
    expect(await counting.partnerIssuedSince('initech', 'p-two', '2026-03-11T04:02:00.000Z')).toHaveLength(5); // issued 04:02 .. 04:06
    await counting.getPolicy('initech'); // absent: counts nothing
    // byPartner holds keys only: the 5 records are then read from the table, counted as live lookups too.
    expect(counting.reads()).toEqual({
      windowItems: 3,
      recountItems: 0,
      liveLookupItems: 10,
      directoryItems: 0,
      byTarget: {
        [`${env.issuance}/byExpiry`]: 3,
        [`${env.issuance}/byPartner (live lookup)`]: 5,
        [`${env.issuance} (live lookup)`]: 5,
      },
    });
  });

  it('finds records written before sharding by every read, and expires them in their own layout', async () => {
    const at = (m: number) => `2026-03-13T06:${String(m).padStart(2, '0')}:00.000Z`;
    const recs = [0, 1, 2, 3].map((i) =>
      record({
        id: `o${i}`,
        tenantId: 'oldco',
        partnerId: 'p-one',
        keyId: 'k1',
        issuedAt: at(i),
        expiresAt: `2026-03-13T07:0${i}:00.000Z`,
      }),
    );
    // o0 and o2 as written before sharding, o1 and o3 as written now.
    await batchPut(
      env,
      env.issuance,
      recs.map((r, i) => issuanceItem(r, RETENTION_DAYS, i % 2 ? 'sharded' : 'legacy')),
    );
    const ids = async (pages: AsyncIterable<Record<string, unknown>[]>) => {
      const found: unknown[] = [];
      for await (const page of pages) found.push(...page.map((item) => item.issuanceId));
      return found.sort();
    };
    expect(await ids(store.expiringItems('2026-03-13T07', '2026-03-13T07:00:00.000Z', '2026-03-13T08:00:00.000Z'))).toEqual([
      'o0',
      'o1',
      'o2',
      'o3',
    ]);
    expect(await ids(store.issuedItems('oldco', at(0), at(59)))).toEqual(['o0', 'o1', 'o2', 'o3']);
    expect((await store.activeIssuedSince('oldco', at(0))).map((i) => i.issuanceId).sort()).toEqual(['o0', 'o1', 'o2', 'o3']);
    expect((await store.partnerIssuedSince('oldco', 'p-one', at(0))).map((i) => i.issuanceId).sort()).toEqual(['o0', 'o1', 'o2', 'o3']);

    for (const [i, rec] of recs.entries()) {
      const item = issuanceItem(rec, RETENTION_DAYS, i % 2 ? 'sharded' : 'legacy');
      const key = { pk: String(item.pk), sk: String(item.sk) };
      expect(await store.markExpired(key, statusKeyOfItem(item, 'expired'), 1)).toBe(true);
      const stored = await get(env.issuance, key);
      expect({ i, problems: issuanceProblems(stored ?? {}), status: stored?.status }).toEqual({ i, problems: [], status: 'expired' });
    }
    expect((await get(env.issuance, { pk: 'TENANT#oldco', sk: `${at(0)}#o0` }))?.statusKey).toBe('oldco#expired');
  });
});
