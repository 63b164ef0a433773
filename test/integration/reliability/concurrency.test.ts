// Load on one tenant: every concurrent issuance gets its own record, and the per-partner rate
// limit holds exactly across concurrent Lambdas.
import { afterAll, describe, expect, it } from '@jest/globals';
import { demoPolicy } from '../../../local/seed';
import { call, closeTables, createTestTenant, stackInfo, type TestTenant } from '../../support/api';
import { expectErrorBody, ledgerOf, writeFigures } from './support';

const TOTAL = 500;
/** serverless-offline runs each in-flight request in its own worker; waves keep that bounded. */
const WAVE = 50;

const issue = (tenant: TestTenant) => call('POST', '/v1/credentials', { key: tenant.partnerKey, body: { durationSeconds: 900 } });

const figures = { concurrentIssuances: 0, created: 0, records: 0, recordsLost: 0, rateLimited: 0 };
afterAll(() => {
  writeFigures('concurrency', figures);
  closeTables();
});

describe('concurrency', () => {
  it(`${TOTAL} issuances in waves of ${WAVE} concurrent: ${TOTAL} x 201, ${TOTAL} records with unique ids and keys`, async () => {
    const tenant = await createTestTenant();
    const responses = [];
    for (let sent = 0; sent < TOTAL; sent += WAVE) {
      responses.push(...(await Promise.all(Array.from({ length: WAVE }, () => issue(tenant)))));
    }
    const statuses = responses.map((r) => r.status);
    figures.concurrentIssuances = responses.length;
    figures.created = statuses.filter((s) => s === 201).length;
    // On failure, say which errors came back rather than only their statuses.
    expect(responses.filter((r) => r.status !== 201).map((r) => r.body?.error?.code ?? r.status)).toEqual([]);
    expect(statuses).toEqual(Array(TOTAL).fill(201));

    const records = await ledgerOf(tenant.tenantId);
    figures.records = records.length;
    figures.recordsLost = Math.abs(records.length - figures.created);
    expect(records).toHaveLength(TOTAL);
    expect(new Set(records.map((r) => r.issuanceId)).size).toBe(TOTAL);
    expect(new Set(records.map((r) => r.accessKeyId)).size).toBe(TOTAL);
    expect(new Set(records.map((r) => r.issuanceId))).toEqual(new Set(responses.map((r) => r.body.issuanceId)));
    expect(new Set(records.map((r) => r.accessKeyId))).toEqual(new Set(responses.map((r) => r.body.credentials.accessKeyId)));
  }, 120_000);
});

describe('per-partner rate limit', () => {
  it('perMinute 5, 8 concurrent: exactly 5 x 201 and 3 x 429 with Retry-After, exactly 5 records', async () => {
    const tenant = await createTestTenant({ ...demoPolicy(stackInfo().demoRoleArn), rateLimit: { perMinute: 5 } });
    // Stay inside one 60-s window: if the minute is about to turn, wait for the next one.
    const intoWindow = Date.now() % 60_000;
    if (intoWindow > 50_000) await new Promise((r) => setTimeout(r, 60_000 - intoWindow + 200));
    const responses = await Promise.all(Array.from({ length: 8 }, () => issue(tenant)));
    const created = responses.filter((r) => r.status === 201);
    const limited = responses.filter((r) => r.status === 429);
    figures.rateLimited = limited.length;
    expect(created).toHaveLength(5);
    expect(limited).toHaveLength(3);
    for (const res of limited) {
      expectErrorBody(res, 429, 'rate_limited');
      const retryAfter = Number(res.headers.get('retry-after'));
      expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
    }
    const records = await ledgerOf(tenant.tenantId);
    expect(records.map((r) => r.issuanceId).sort()).toEqual(created.map((r) => r.body.issuanceId).sort());
  }, 90_000);
});
