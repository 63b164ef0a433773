// The capacity model (bench/capacity.ts, `npm run capacity`) on the real keys, items and projections:
// at 10,000 issuances/s (one tenant 5,000/s, one partner 2,000/s) no partition key of the sharded
// layout takes more than 1,000 write units/s; the layout before sharding does, on every key.
import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  configuredIndexes,
  expiredItem,
  issuedRecord,
  itemBytes,
  layoutOf,
  PARTITION_WCU_LIMIT,
  perIssuance,
  putWrites,
  simulate,
  simulatedId,
  TARGET_LOAD,
  updateWrites,
  writeUnits,
} from '../../../bench/capacity';
import { logger } from '../../../lib/core/log';

beforeAll(() => {
  logger.setLogLevel('WARN'); // the issuance flow logs each of the simulation's issuances
});

describe('item sizes as DynamoDB counts them', () => {
  it('adds attribute names and values: strings in UTF-8 bytes, numbers by significant digits, lists with overhead', () => {
    expect(itemBytes({ pk: 'ab' })).toBe(4);
    expect(itemBytes({ é: 'é' })).toBe(4);
    expect(itemBytes({ n: 1_807_660_800 })).toBe(1 + 5); // 8 significant digits: 4 bytes + 1
    expect(itemBytes({ n: 7 })).toBe(1 + 2);
    expect(itemBytes({ l: ['a', 'bc'] })).toBe(1 + 3 + (1 + 1) + (1 + 2));
    expect(itemBytes({ m: { k: 'v' } })).toBe(1 + 3 + (1 + 1 + 1));
    expect([1, 1024, 1025, 3000].map(writeUnits)).toEqual([1, 1, 2, 3]);
  });
});

describe('write units of one issuance', () => {
  it('cost each index entry by its projection, and the status change only where it changes an entry', async () => {
    const layout = layoutOf('sharded');
    expect(configuredIndexes().map((i) => [i.name, Array.isArray(i.projection) ? 'INCLUDE' : i.projection])).toEqual([
      ['byPartner', 'KEYS_ONLY'],
      ['byStatus', 'KEYS_ONLY'],
      ['byExpiry', 'INCLUDE'],
    ]);
    const item = layout.itemOf(await issuedRecord('tenant-000000000', 'partner-00000000', simulatedId(1), 'typical'));
    expect(putWrites(layout, item).map((w) => w.target)).toEqual(['issuance table', 'byPartner', 'byStatus', 'byExpiry']);
    const expiry = updateWrites(layout, item, expiredItem(item));
    // byPartner holds no status; byStatus moves the entry (a delete and a put); byExpiry rewrites it.
    expect(expiry.map((w) => [w.target, w.key.replace(/#\d\d$/, '#ss')])).toEqual([
      ['issuance table', 'TENANT#tenant-000000000#ss'],
      ['byStatus', 'tenant-000000000#active#ss'],
      ['byStatus', 'tenant-000000000#expired#ss'],
      ['byExpiry', '2026-03-10T11#ss'],
    ]);
  });

  it('are fewer, and fewer bytes are kept, than with every index projecting ALL', async () => {
    const record = await issuedRecord('tenant-000000000', 'partner-00000000', simulatedId(1), 'typical');
    const before = perIssuance(layoutOf('legacy'), record);
    const after = perIssuance(layoutOf('sharded'), record);
    expect(after.units.total).toBeLessThan(before.units.total);
    expect(after.storedBytes).toBeLessThan(0.6 * before.storedBytes);
  });
});

describe('the hottest partition keys at 10,000 issuances/s', () => {
  it('stay at or under 1,000 write units/s with the sharded layout, table, indexes and rate window alike', async () => {
    const simulation = await simulate(layoutOf('sharded'), TARGET_LOAD);
    expect(simulation.hottest.map((h) => h.target)).toEqual([
      'issuance table',
      'byPartner',
      'byStatus',
      'byExpiry',
      'main table (rate window)',
    ]);
    expect(simulation.hottest.filter((h) => h.wcuPerSecond > PARTITION_WCU_LIMIT || h.wcuPerSecond === 0)).toEqual([]);
    expect(simulation.over).toBe(false);
  });

  it('go over on every key with the layout before sharding', async () => {
    const simulation = await simulate(layoutOf('legacy'), TARGET_LOAD);
    expect(simulation.hottest.filter((h) => h.wcuPerSecond <= PARTITION_WCU_LIMIT)).toEqual([]);
    expect(simulation.over).toBe(true);
  });
});
