// Fault injection at every step of an issuance, against the running stack: each fault answers its
// contract status, retries stay bounded (the SDK's 3 attempts, and the invocation's deadline for
// AWS calls, lib/aws/deadline.ts), and the ledger holds exactly one record per 201 and none for a
// failure.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { demoPolicy } from '../../../local/seed';
import { call, closeTables, createTestTenant, type TestTenant, tables } from '../../support/api';
import { control } from '../../support/control';
import type { FaultRule } from '../../support/fault-proxy';
import { expectErrorBody, ledgerOf, writeFigures } from './support';

/** The functions' SDK clients make at most this many attempts (lib/aws/clients.ts). */
const ATTEMPTS = 3;
/** STS faults injected; DynamoDB faults are counted where they happen, at the proxy. */
let stsFaults = 0;
let dynamoFaultsBefore = 0;
let requests = 0;
let recordsLost = 0;

type StsFault = { action?: string; status: number; code: string; times?: number; delayMs?: number };

async function injectSts(fault: StsFault) {
  stsFaults += fault.times ?? 1;
  await control.stsFault(fault);
}
async function injectDynamo(rule: FaultRule) {
  await control.dynamoFault(rule);
}

/** Issues once and checks the ledger against the answer: one record for a 201, none otherwise. */
async function issueAndCheck(tenant: TestTenant) {
  const before = (await ledgerOf(tenant.tenantId)).length;
  const res = await call('POST', '/v1/credentials', { key: tenant.partnerKey, body: { durationSeconds: 900 } });
  requests++;
  const after = await ledgerOf(tenant.tenantId);
  const expected = res.status === 201 ? 1 : 0;
  recordsLost += Math.abs(after.length - before - expected);
  expect(after.length - before).toBe(expected);
  if (res.status === 201) {
    expect(after.map((r) => r.issuanceId)).toContain(res.body.issuanceId);
    expect(after.find((r) => r.issuanceId === res.body.issuanceId)!.accessKeyId).toBe(res.body.credentials.accessKeyId);
  } else {
    expect(res.body.credentials).toBeUndefined();
  }
  return res;
}

/** STS answers with the given code, counted from the local STS's own call log. */
async function stsCallsWith(code: string) {
  return (await control.stsCalls()).filter((c) => c.code === code).length;
}

afterEach(async () => {
  await control.clearDynamoFaults();
  await control.clearStsFaults();
});
beforeAll(async () => {
  dynamoFaultsBefore = await control.dynamoFaultsServed();
});
afterAll(async () => {
  const faultsInjected = stsFaults + (await control.dynamoFaultsServed()) - dynamoFaultsBefore;
  writeFigures('faults', { requests, faultsInjected, recordsLost });
  closeTables();
});

describe('STS faults', () => {
  const cases: { name: string; fault: StsFault; status: number; code: string; retryAfter?: string }[] = [
    {
      name: 'throttling on every attempt',
      fault: { status: 400, code: 'Throttling', times: ATTEMPTS },
      status: 503,
      code: 'sts_throttled',
      retryAfter: '2',
    },
    {
      name: '5xx on every attempt',
      fault: { status: 500, code: 'InternalFailure', times: ATTEMPTS },
      status: 503,
      code: 'sts_unavailable',
      retryAfter: '1',
    },
    {
      name: 'timeouts on every attempt',
      fault: { status: 500, code: 'InternalFailure', times: ATTEMPTS, delayMs: 2500 },
      status: 503,
      code: 'sts_unavailable',
      retryAfter: '1',
    },
    { name: 'AccessDenied (role does not trust us)', fault: { status: 403, code: 'AccessDenied' }, status: 502, code: 'sts_access_denied' },
    { name: 'RegionDisabledException', fault: { status: 403, code: 'RegionDisabledException' }, status: 502, code: 'sts_region_disabled' },
    {
      name: 'PackedPolicyTooLarge',
      fault: { status: 400, code: 'PackedPolicyTooLarge' },
      status: 422,
      code: 'sts_packed_policy_too_large',
    },
    { name: 'MalformedPolicyDocument', fault: { status: 400, code: 'MalformedPolicyDocument' }, status: 422, code: 'sts_malformed_policy' },
  ];

  it.each(cases)('$name: $status $code, no credentials and no record', async ({ fault, status, code, retryAfter }) => {
    const tenant = await createTestTenant();
    await control.resetStsCalls();
    await injectSts({ action: 'AssumeRole', ...fault });
    const res = await issueAndCheck(tenant);
    expectErrorBody(res, status, code);
    expect(res.headers.get('retry-after')).toBe(retryAfter ?? null);
    // The local STS logs a delayed call once it has answered.
    if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs! + 300));
    // Bounded: retryable faults are tried exactly ATTEMPTS times, the others once.
    expect(await stsCallsWith(fault.code)).toBe(fault.times ?? 1);
    expect((await control.stsCalls()).filter((c) => c.action === 'AssumeRole')).toHaveLength(fault.times ?? 1);
  });

  it.each([
    { code: 'Throttling', status: 400 },
    { code: 'InternalFailure', status: 500 },
  ])('$code on fewer attempts than the SDK makes: retried, 201, exactly one record', async (fault) => {
    const tenant = await createTestTenant();
    await control.resetStsCalls();
    await injectSts({ action: 'AssumeRole', ...fault, times: ATTEMPTS - 1 });
    const res = await issueAndCheck(tenant);
    expect(res.status).toBe(201);
    expect((await control.stsCalls()).filter((c) => c.action === 'AssumeRole')).toHaveLength(ATTEMPTS);
  });
});

describe('DynamoDB faults', () => {
  const failures: { name: string; status: number; code: string; delayMs?: number }[] = [
    { name: '500 InternalServerError', status: 500, code: 'InternalServerError' },
    { name: '400 ProvisionedThroughputExceededException', status: 400, code: 'ProvisionedThroughputExceededException' },
  ];

  describe.each(failures)('$name', (failure) => {
    it('on the key read (GetItem, cold cache): 503 dynamodb_unavailable', async () => {
      const tenant = await createTestTenant();
      await injectDynamo({ target: 'DynamoDB_20120810.GetItem', tableName: tables().main, ...failure, times: ATTEMPTS });
      const res = await issueAndCheck(tenant);
      expectErrorBody(res, 503, 'dynamodb_unavailable');
      expect(res.headers.get('retry-after')).toBe('1');
    });

    it('on the tenant context read (BatchGetItem, cold cache): 503 dynamodb_unavailable, STS never called', async () => {
      const tenant = await createTestTenant();
      await control.resetStsCalls();
      await injectDynamo({ target: 'DynamoDB_20120810.BatchGetItem', tableName: tables().main, ...failure, times: ATTEMPTS });
      const res = await issueAndCheck(tenant);
      expectErrorBody(res, 503, 'dynamodb_unavailable');
      expect(res.headers.get('retry-after')).toBe('1');
      expect(await control.stsCalls()).toEqual([]);
    });

    it('on the issuance write (PutItem): 503 audit_write_failed, the minted credentials never leave', async () => {
      const tenant = await createTestTenant();
      await control.resetStsCalls();
      await injectDynamo({ target: 'DynamoDB_20120810.PutItem', tableName: tables().issuances, ...failure, times: ATTEMPTS });
      const res = await issueAndCheck(tenant);
      expectErrorBody(res, 503, 'audit_write_failed');
      expect(res.headers.get('retry-after')).toBe('1');
      expect(res.text).not.toMatch(/ASIA[A-Z0-9]{16}/);
      expect((await control.stsCalls()).filter((c) => c.action === 'AssumeRole')).toHaveLength(1);
    });

    it('on the rate-limit counter (UpdateItem): 503 dynamodb_unavailable, STS never called', async () => {
      const tenant = await createTestTenant({
        ...demoPolicy(),
        rateLimit: { perMinute: 100 },
      });
      await control.resetStsCalls();
      // The best-effort last-used write of a new key is an UpdateItem on the same table: cover both.
      await injectDynamo({ target: 'DynamoDB_20120810.UpdateItem', tableName: tables().main, ...failure, times: 2 * ATTEMPTS });
      const res = await issueAndCheck(tenant);
      expectErrorBody(res, 503, 'dynamodb_unavailable');
      expect(await control.stsCalls()).toEqual([]);
    });
  });

  // Late answers (after the client's per-attempt timeout) on every attempt of one call.
  it.each([
    { target: 'GetItem', code: 'dynamodb_unavailable' },
    { target: 'PutItem', code: 'audit_write_failed' },
  ])('timeouts on every $target attempt: 503 $code, no record', async ({ target, code }) => {
    const tenant = await createTestTenant();
    const table = target === 'PutItem' ? tables().issuances : tables().main;
    await injectDynamo({
      target: `DynamoDB_20120810.${target}`,
      tableName: table,
      status: 500,
      code: 'InternalServerError',
      delayMs: 2500,
      times: ATTEMPTS,
    });
    const res = await issueAndCheck(tenant);
    expectErrorBody(res, 503, code);
  });

  it('a PutItem failure on fewer attempts than the SDK makes: retried, 201, exactly one record', async () => {
    const tenant = await createTestTenant();
    await injectDynamo({
      target: 'DynamoDB_20120810.PutItem',
      tableName: tables().issuances,
      status: 500,
      code: 'InternalServerError',
      times: ATTEMPTS - 1,
    });
    const res = await issueAndCheck(tenant);
    expect(res.status).toBe(201);
  });

  it('the best-effort last-used write failing never fails an issuance', async () => {
    const tenant = await createTestTenant();
    await injectDynamo({
      target: 'DynamoDB_20120810.UpdateItem',
      tableName: tables().main,
      status: 500,
      code: 'InternalServerError',
      times: ATTEMPTS,
    });
    const res = await issueAndCheck(tenant);
    expect(res.status).toBe(201);
  });

  it('after faults clear, the same tenant issues again (nothing stuck, caches expire)', async () => {
    const tenant = await createTestTenant();
    await injectDynamo({
      target: 'DynamoDB_20120810.BatchGetItem',
      tableName: tables().main,
      status: 500,
      code: 'InternalServerError',
      times: ATTEMPTS,
    });
    expect((await issueAndCheck(tenant)).status).toBe(503);
    await control.clearDynamoFaults();
    await new Promise((r) => setTimeout(r, 1200));
    expect((await issueAndCheck(tenant)).status).toBe(201);
  });
});

// A hang is a call that is never answered. Each attempt then waits out its request timeout, and
// one issuance makes several calls in a row: without the invocation's deadline, their retries
// together outlast the Lambda timeout and the caller gets the platform's timeout, not our 503.
describe('DynamoDB hangs: a JSON 503 with a stable code, no credentials, no record', () => {
  const hang = (target: string, tableName?: string) =>
    // status and code are unused for a hang; times is more than any issuance could make.
    injectDynamo({ target, tableName, hang: true, status: 504, code: 'Hang', times: 100 });

  /** The answer is a JSON 503 without credentials; STS was never asked for any. */
  function expectUnavailable(res: Awaited<ReturnType<typeof issueAndCheck>>, code: string) {
    expectErrorBody(res, 503, code);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.text).not.toMatch(/ASIA[A-Z0-9]{16}/);
  }

  it('on the tenant context read (BatchGetItem): 503 dynamodb_unavailable, STS never called', async () => {
    const tenant = await createTestTenant();
    await control.resetStsCalls();
    const servedBefore = await control.dynamoFaultsServed();
    await hang('DynamoDB_20120810.BatchGetItem', tables().main);
    const res = await issueAndCheck(tenant);
    expectUnavailable(res, 'dynamodb_unavailable');
    expect(await control.stsCalls()).toEqual([]);
    // Bounded: at most the SDK's attempts hung.
    const hung = (await control.dynamoFaultsServed()) - servedBefore;
    expect(hung).toBeGreaterThanOrEqual(1);
    expect(hung).toBeLessThanOrEqual(ATTEMPTS);
  });

  it('on the rate-limit counter (UpdateItem, after the last-used write hung too): 503 dynamodb_unavailable, STS never called', async () => {
    const tenant = await createTestTenant({
      ...demoPolicy(),
      rateLimit: { perMinute: 100 },
    });
    await control.resetStsCalls();
    const servedBefore = await control.dynamoFaultsServed();
    // Both UpdateItems of an issuance hang: the best-effort last-used write (which the issuance
    // outlives) and then the rate-limit counter, which must not run past the Lambda timeout.
    await hang('DynamoDB_20120810.UpdateItem', tables().main);
    const res = await issueAndCheck(tenant);
    expectUnavailable(res, 'dynamodb_unavailable');
    expect(await control.stsCalls()).toEqual([]);
    // Bounded: at most the SDK's attempts of each of the two calls hung.
    const hung = (await control.dynamoFaultsServed()) - servedBefore;
    expect(hung).toBeGreaterThanOrEqual(1);
    expect(hung).toBeLessThanOrEqual(2 * ATTEMPTS);
  });

  it('on every DynamoDB call: 503 dynamodb_unavailable, STS never called', async () => {
    const tenant = await createTestTenant();
    await control.resetStsCalls();
    await hang('*');
    const res = await issueAndCheck(tenant);
    expectUnavailable(res, 'dynamodb_unavailable');
    expect(await control.stsCalls()).toEqual([]);
  });
});
