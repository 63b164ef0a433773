import { describe, expect, it } from '@jest/globals';
import { kindOf, operationOf } from '../../../bench/operations';
import { auditFunctionConfig, ratePeriodMs, resolveVariables, serverlessConfig } from '../../../bench/serverless-config';
import { abbaOrder, median, mirroredOrder, percentile } from '../../../bench/stats';
import { addCounts, diffCounts, emptyCounts, itemsRead, itemsWritten } from '../../../bench/wire';
import { crc32, readZip, zipEntryData } from '../../../bench/zip';
import { zipOf } from './zip-fixture';

describe('stats', () => {
  it('uses the nearest rank: a measured value, never an interpolation', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(median(values)).toBe(50);
    expect(median([3, 1, 2])).toBe(2);
    expect(percentile([5], 99)).toBe(5);
  });

  it('refuses no values and a percentile out of range', () => {
    expect(() => median([])).toThrow('no values');
    expect(() => percentile([1], 0)).toThrow('(0, 100]');
  });

  it('interleaves A B B A', () => {
    expect(abbaOrder('a', 'b', 4)).toEqual(['a', 'b', 'b', 'a', 'a', 'b', 'b', 'a']);
  });

  it('interleaves three series A B C C B A: each as often early as late', () => {
    expect(mirroredOrder(['a', 'b', 'c'], 3)).toEqual(['a', 'b', 'c', 'c', 'b', 'a', 'a', 'b', 'c']);
  });
});

describe('DynamoDB operations', () => {
  it('classifies X-Amz-Target values', () => {
    expect(operationOf('DynamoDB_20120810.BatchGetItem')).toBe('BatchGetItem');
    expect(operationOf(undefined)).toBe('unknown');
    expect(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems'].map(kindOf)).toEqual(['read', 'read', 'read', 'read', 'read']);
    expect(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems'].map(kindOf)).toEqual([
      'write',
      'write',
      'write',
      'write',
      'write',
    ]);
    expect(kindOf('CreateTable')).toBe('other');
  });

  it('counts the items a write writes from its body', () => {
    expect(itemsWritten('PutItem', '{}')).toBe(1);
    expect(itemsWritten('TransactWriteItems', JSON.stringify({ TransactItems: [{ Put: {} }, { Update: {} }] }))).toBe(2);
    expect(itemsWritten('BatchWriteItem', JSON.stringify({ RequestItems: { a: [{}, {}], b: [{}] } }))).toBe(3);
    expect(itemsWritten('TransactWriteItems', 'not json')).toBe(0);
  });

  it('counts the items a read read from the answer', () => {
    expect(itemsRead('GetItem', JSON.stringify({ Item: { pk: { S: 'x' } } }))).toBe(1);
    expect(itemsRead('GetItem', '{}')).toBe(0);
    expect(itemsRead('Query', JSON.stringify({ Count: 2, ScannedCount: 7, Items: [{}, {}] }))).toBe(7);
    expect(itemsRead('BatchGetItem', JSON.stringify({ Responses: { t: [{}, {}, {}] } }))).toBe(3);
    expect(itemsRead('TransactGetItems', JSON.stringify({ Responses: [{ Item: {} }, {}] }))).toBe(1);
  });

  it('adds counts, every field', () => {
    const total = { ...emptyCounts(), reads: 1, itemsRead: 4, byOperation: { GetItem: 1 } };
    addCounts(total, { reads: 2, itemsRead: 3, writes: 5, itemsWritten: 6, other: 7, byOperation: { GetItem: 1, PutItem: 5 } });
    expect(total).toEqual({ reads: 3, itemsRead: 7, writes: 5, itemsWritten: 6, other: 7, byOperation: { GetItem: 2, PutItem: 5 } });
  });

  it('diffs two snapshots', () => {
    const before = { ...emptyCounts(), reads: 1, writes: 2, itemsWritten: 2, byOperation: { PutItem: 2, GetItem: 1 } };
    const after = {
      ...emptyCounts(),
      reads: 1,
      writes: 5,
      itemsWritten: 6,
      byOperation: { PutItem: 4, GetItem: 1, TransactWriteItems: 1 },
    };
    expect(diffCounts(after, before)).toEqual({
      reads: 0,
      itemsRead: 0,
      writes: 3,
      itemsWritten: 4,
      other: 0,
      byOperation: { PutItem: 2, TransactWriteItems: 1 },
    });
  });
});

describe('serverless.yml', () => {
  const doc = {
    custom: { mainTable: '${self:service}-${sls:stage}-main' },
    service: 'credvend',
    params: { default: { ttl: '15' }, prod: { ttl: '30' } },
  };

  it('resolves self, stage and param variables, with defaults', () => {
    expect(resolveVariables('${self:custom.mainTable}', doc, 'dev')).toBe('credvend-dev-main');
    expect(resolveVariables('${param:ttl}', doc, 'dev')).toBe('15');
    expect(resolveVariables('${param:ttl}', doc, 'prod')).toBe('30');
    expect(resolveVariables("${opt:region, 'us-east-1'}", doc, 'dev')).toBe('us-east-1');
    expect(resolveVariables('${env:NOPE}', doc, 'dev')).toBe('${env:NOPE}');
  });

  it('reads the real file: the vend function and an environment without variables left', () => {
    const config = serverlessConfig('bench');
    expect(config.functions).toContainEqual({ name: 'issueCredentials', entry: 'handlers/credentials.ts', exportName: 'issue' });
    expect(config.environment.MAIN_TABLE).toBe('credvend-bench-main');
    expect(Object.values(config.environment).some((v) => v.includes('${'))).toBe(false);
  });
});

describe('the expiry audit schedule', () => {
  it('reads rate(N minutes|hours), singular for one as EventBridge wants', () => {
    expect(ratePeriodMs('rate(15 minutes)')).toBe(900_000);
    expect(ratePeriodMs('rate(1 minute)')).toBe(60_000);
    expect(ratePeriodMs('rate(1 hour)')).toBe(3_600_000);
    expect(ratePeriodMs('rate(6 hours)')).toBe(21_600_000);
  });

  it('refuses what it cannot model, naming it', () => {
    for (const expression of [
      'cron(0/15 * * * ? *)',
      'rate(1 day)',
      'rate(2 days)',
      'rate(0 minutes)',
      'rate(1 minutes)',
      'rate(5 minute)',
      'rate(90 seconds)',
      '',
    ]) {
      expect(() => ratePeriodMs(expression)).toThrow(`the expiry audit's schedule "${expression}" is not rate(N minutes|hours)`);
    }
  });

  it("takes the real file's default: the expiryAudit function every 15 minutes, with the provider environment", () => {
    const audit = auditFunctionConfig('bench');
    expect(audit).toMatchObject({ name: 'expiryAudit', schedule: 'rate(15 minutes)', periodMs: 900_000 });
    expect(audit.environment.ISSUANCE_TABLE).toBe('credvend-bench-issuances');
  });

  const docWith = (schedule: unknown, params: Record<string, unknown> = { default: {} }) => ({
    service: 'credvend',
    params,
    provider: { runtime: 'nodejs24.x', environment: { STAGE: '${sls:stage}' } },
    functions: {
      expiryAudit: {
        handler: 'handlers/expiry-audit.handler',
        environment: { AUDIT_MAX_WINDOW_HOURS: '${param:maxWindow}' },
        events: [{ schedule }],
      },
    },
  });

  it('resolves the param for the stage, follows the object form and adds the function environment', () => {
    const doc = docWith(
      { rate: ['${param:auditSchedule}'], enabled: true },
      { default: { auditSchedule: 'rate(1 hour)', maxWindow: '12' }, fast: { auditSchedule: 'rate(5 minutes)' } },
    );
    expect(auditFunctionConfig('dev', doc)).toEqual({
      name: 'expiryAudit',
      schedule: 'rate(1 hour)',
      periodMs: 3_600_000,
      environment: { STAGE: 'dev', AUDIT_MAX_WINDOW_HOURS: '12' },
    });
    expect(auditFunctionConfig('fast', doc).periodMs).toBe(300_000);
  });

  it('fails on a cron schedule, on no schedule and on no audit function', () => {
    expect(() => auditFunctionConfig('dev', docWith('cron(0/15 * * * ? *)', { default: { maxWindow: '24' } }))).toThrow(
      'is not rate(N minutes|hours)',
    );
    const none = { ...docWith('rate(1 hour)'), functions: { expiryAudit: { handler: 'handlers/expiry-audit.handler', events: [] } } };
    expect(() => auditFunctionConfig('dev', none)).toThrow('function expiryAudit has 0 schedule events');
    expect(() => auditFunctionConfig('dev', { ...none, functions: {} })).toThrow('no function has the handler handlers/expiry-audit.ts');
  });
});

describe('zip reading', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.alloc(0))).toBe(0);
  });

  it('lists every entry with its sizes, and extracts deflated and stored entries', () => {
    const text = 'export const handler = 1;'.repeat(50);
    const zip = zipOf({ 'handlers/credentials.mjs': text, 'a.txt': 'hello' });
    const entries = readZip(zip);
    expect(entries.map((e) => [e.name, e.size, e.method])).toEqual([
      ['handlers/credentials.mjs', text.length, 8],
      ['a.txt', 5, 8],
    ]);
    expect(entries[0]!.compressedSize).toBeLessThan(text.length);
    expect(zipEntryData(zip, entries[0]!).toString()).toBe(text);
    const stored = zipOf({ 'x.js': 'stored' }, { stored: true });
    expect(zipEntryData(stored, readZip(stored)[0]!).toString()).toBe('stored');
  });

  it('refuses something that is not a zip, and an entry whose CRC-32 does not match', () => {
    expect(() => readZip(Buffer.alloc(100))).toThrow('not a zip');
    const bad = zipOf({ 'x.mjs': 'abc' }, { crc: () => 1234 });
    expect(() => zipEntryData(bad, readZip(bad)[0]!)).toThrow('x.mjs: CRC-32 mismatch');
  });
});
