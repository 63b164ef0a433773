// The scheduled handler and the `npm run audit` CLI, wired from the environment as deployed,
// against dynalite: one summary log line + one EMF document per run; CLI progress lines.

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Context } from 'aws-lambda';
import { tableKeys } from '../../../lib/core/table-keys';
import { assumeRole, type Env, issue, policyDoc, record, seedTenant, startEnv } from './fixtures';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
let env: Env;
let awsEnv: Record<string, string>;

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

beforeAll(async () => {
  env = await startEnv();
  const stage = env.main.replace(/^credvend-/, '').replace(/-main$/, '');
  awsEnv = {
    STAGE: stage,
    AWS_ENDPOINT_URL_DYNAMODB: env.dynamo.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    POWERTOOLS_SERVICE_NAME: 'credvend',
    POWERTOOLS_METRICS_NAMESPACE: 'credvend',
  };
  await seedTenant(
    env,
    { tenantId: 'acme', name: 'Acme', status: 'enabled', createdAt: '2026-01-01T00:00:00.000Z' },
    policyDoc({ 'assume-role': assumeRole(3600) }),
  );
});

afterAll(async () => {
  await env?.close();
});

describe('expiry-audit handler', () => {
  it('audits the lookback window and writes one summary line and one EMF document', async () => {
    await issue(env, record({ id: 'h1', tenantId: 'acme', partnerId: 'p-one', keyId: 'k1', expiresAt: minutesAgo(30) }));
    await issue(env, record({ id: 'h2', tenantId: 'acme', partnerId: 'p-one', keyId: 'k1', expiresAt: minutesAgo(-30) }));
    Object.assign(process.env, awsEnv);
    const { handler } = await import('../../../handlers/expiry-audit');

    const lines: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      return true;
    });
    const context = { awsRequestId: 'req-1', getRemainingTimeInMillis: () => 300_000 } as unknown as Context;
    try {
      await handler({}, context);
    } finally {
      spy.mockRestore();
    }

    const docs = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const logs = docs.filter((d) => !('_aws' in d));
    const emf = docs.filter((d) => '_aws' in d);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({
      level: 'INFO',
      message: 'expiry audit run',
      status: 'completed',
      // h1 expired in the window; both were issued in it.
      windowItems: 3,
      expiringInWindow: 1,
      issuedInWindow: 2,
      expiredNow: 1,
      counters: { advanced: 0, recounted: 1, alreadyApplied: 0, ahead: 0 },
      liveCredentials: 1,
      tenantsReported: 1,
      reads: { windowItems: 3, recountItems: 0, perWindowItem: 1 },
    });
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({
      AuditRuns: 1,
      AuditRunsCompleted: 1,
      AuditWindowItems: 3,
      AuditExpiringInWindow: 1,
      AuditIssuedInWindow: 2,
      AuditExpiredNow: 1,
    });
  });
});

describe('npm run audit (scripts/audit.ts)', () => {
  it('prints progress while it reads and a JSON summary per window, until caught up', async () => {
    // Start 30 hours back with 24-hour windows: two windows, 5 records expiring in the older one
    // (issued before it), and h1 (marked expired by the handler above, in a window the checkpoint is
    // now put back before) expiring in the newer, where h1 and h2 were issued.
    await env.client.send(
      new PutCommand({ TableName: env.main, Item: { ...tableKeys.auditCheckpoint(), through: minutesAgo(30 * 60), version: 9 } }),
    );
    // All five expire in one clock hour (one byExpiry bucket), whatever the time of day.
    const hourStart = Math.floor((Date.now() - 29 * 3_600_000) / 3_600_000) * 3_600_000;
    for (let i = 0; i < 5; i++) {
      const expiresAt = new Date(hourStart + (10 - i) * 60_000).toISOString();
      await issue(
        env,
        record({ id: `c${i}`, tenantId: 'acme', partnerId: 'p-one', keyId: 'k1', issuedAt: minutesAgo(31 * 60), expiresAt }),
      );
    }
    const run = promisify(execFile);
    const { stdout, stderr } = await run(`${ROOT}node_modules/.bin/tsx`, ['scripts/audit.ts'], {
      cwd: ROOT,
      env: { ...process.env, ...awsEnv, AUDIT_PROGRESS_EVERY: '2', AUDIT_MAX_WINDOW_HOURS: '24' },
    });
    const summaries = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(summaries.map((s) => [s.status, s.expiringInWindow, s.issuedInWindow, s.caughtUp])).toEqual([
      ['completed', 5, 0, false],
      ['completed', 1, 2, true],
    ]);
    // The handler's run left acme's counter at its window end: later than the older window (that
    // one's report is recounted, the counter left alone), inside the newer (recounted and written).
    expect(summaries.map((s) => s.counters)).toEqual([
      { advanced: 0, recounted: 0, alreadyApplied: 0, ahead: 1 },
      { advanced: 0, recounted: 1, alreadyApplied: 0, ahead: 0 },
    ]);
    expect(summaries.map((s) => s.liveCredentials)).toEqual([0, 1]);
    // Progress comes per page (one per write shard holding records of the window) each time another
    // 2 items are read: the step to 4 is crossed with the 4th or 5th record, each page marked before.
    expect(stderr).toMatch(/audit: ([45]) expiring and 0 issued items read, \1 marked expired, hour bucket/);
  }, 60_000);
});
