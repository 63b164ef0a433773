import { ConditionalCheckFailedException, DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { type AppError, DependencyUnavailableError, RateLimitedError } from '../../../lib/core/errors';
import { RATE_SHARDS } from '../../../lib/core/table-keys';
import type { Caller } from '../../../lib/identity/authenticate';
import { DynamoRateLimiter, shareOf } from '../../../lib/store/rate-limit-counter';
import { type IssueDeps, issueCredentials } from '../../../lib/vend/issue';
import {
  binding,
  FakeDirectory,
  FakeLedger,
  FakeRateLimiter,
  FakeSts,
  NO_MFA,
  PARTNER_ID,
  policyDocument,
  TENANT_ID,
  tenant,
  tenantPolicy,
} from '../issuance-fakes';

const TABLE = 'main';
// 2026-03-04T05:06:40Z: 40 s into its minute, window [05:06:00, 05:07:00).
const NOW_MS = Date.parse('2026-03-04T05:06:40.000Z');
const WINDOW_START = Date.parse('2026-03-04T05:06:00.000Z') / 1000;

const client = new DynamoDBClient({ region: 'us-east-1' });
const ddb = mockClient(client);
// Starts at counter 0, so the first request's key is known.
const limiter = () => new DynamoRateLimiter(client, TABLE, () => NOW_MS, 0);
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'no', $metadata: {} });
const keysWritten = () => ddb.commandCalls(UpdateItemCommand).map((c) => unmarshall(c.args[0].input.Key!).pk as string);

beforeEach(() => {
  ddb.reset();
});

describe('DynamoRateLimiter', () => {
  it("counts atomically in one of the window's counters, conditioned on its share of the limit, with a TTL past the window end", async () => {
    ddb.on(UpdateItemCommand).resolves({});
    await limiter().consume('acme', 'p1', 5);
    const calls = ddb.commandCalls(UpdateItemCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect({ ...input, Key: unmarshall(input.Key!), ExpressionAttributeValues: unmarshall(input.ExpressionAttributeValues!) }).toEqual({
      TableName: TABLE,
      Key: { pk: 'RATE#acme#p1#0', sk: `W#${WINDOW_START}` },
      UpdateExpression: 'ADD #count :one SET #ttl = if_not_exists(#ttl, :ttl)',
      ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
      ExpressionAttributeNames: { '#count': 'count', '#ttl': 'ttl' },
      ExpressionAttributeValues: { ':one': 1, ':limit': 1, ':ttl': WINDOW_START + 60 + 300 },
    });
  });

  it('splits the limit between the counters so that the shares add up to it exactly', () => {
    let checked = 0;
    for (const perMinute of [1, 5, 7, 8, 9, 60, 1000, 120_001]) {
      const shares = Array.from({ length: RATE_SHARDS }, (_, shard) => shareOf(perMinute, shard));
      expect(shares.reduce((a, b) => a + b, 0)).toBe(perMinute);
      expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
      checked++;
    }
    expect(checked).toBe(8);
  });

  it('takes the counters in turn: one partner at a high rate spreads its writes over all of them', async () => {
    ddb.on(UpdateItemCommand).resolves({});
    const spread = limiter();
    for (let i = 0; i < 2 * RATE_SHARDS; i++) await spread.consume('acme', 'p1', 120_000);
    const keys = keysWritten();
    expect(keys).toHaveLength(2 * RATE_SHARDS);
    expect(new Set(keys)).toEqual(new Set(Array.from({ length: RATE_SHARDS }, (_, s) => `RATE#acme#p1#${s}`)));
  });

  it('moves on to the next counter when one is full, and admits up to the whole limit', async () => {
    ddb.on(UpdateItemCommand).callsFake((input: { Key: Parameters<typeof unmarshall>[0] }) => {
      if (unmarshall(input.Key).pk === 'RATE#acme#p1#0') throw conditionFailed();
      return {};
    });
    await limiter().consume('acme', 'p1', 60);
    expect(keysWritten()).toEqual(['RATE#acme#p1#0', 'RATE#acme#p1#1']);
  });

  it('refuses only when every counter with a share is full, then writes nothing more in that window', async () => {
    ddb.on(UpdateItemCommand).rejects(conditionFailed());
    const full = limiter();
    await expect(full.consume('acme', 'p1', 5)).rejects.toBeInstanceOf(RateLimitedError);
    // Limit 5: counters 0..4 have a share of 1, 5..7 none and are never written.
    expect(keysWritten()).toEqual([0, 1, 2, 3, 4].map((s) => `RATE#acme#p1#${s}`));
    await expect(full.consume('acme', 'p1', 5)).rejects.toBeInstanceOf(RateLimitedError);
    expect(keysWritten()).toHaveLength(5);
  });

  it('a lost condition is 429 rate_limited with Retry-After = seconds until the window ends', async () => {
    ddb.on(UpdateItemCommand).rejects(conditionFailed());
    const err = await limiter()
      .consume('acme', 'p1', 5)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as AppError).statusCode).toBe(429);
    expect((err as AppError).code).toBe('rate_limited');
    expect((err as AppError).headers).toEqual({ 'Retry-After': '20' });
  });

  it('Retry-After is at least 1 second at the very end of a window', async () => {
    ddb.on(UpdateItemCommand).rejects(conditionFailed());
    const late = new DynamoRateLimiter(client, TABLE, () => Date.parse('2026-03-04T05:06:59.900Z'));
    const err = (await late.consume('acme', 'p1', 5).catch((e: unknown) => e)) as AppError;
    expect(err.headers).toEqual({ 'Retry-After': '1' });
  });

  it('any other DynamoDB failure is 503 dynamodb_unavailable', async () => {
    ddb.on(UpdateItemCommand).rejects(Object.assign(new Error('boom'), { name: 'InternalServerError' }));
    const err = await limiter()
      .consume('acme', 'p1', 5)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DependencyUnavailableError);
    expect((err as AppError).code).toBe('dynamodb_unavailable');
  });
});

describe('issueCredentials with a rate limiter', () => {
  const caller: Caller = { kind: 'partner', keyId: 'pk-abcdefghijklmnop', tenantId: TENANT_ID, partnerId: PARTNER_ID };
  const ctx = { caller, requestId: 'req-1', sourceIp: '192.0.2.1', userAgent: 'jest' };
  let directory: FakeDirectory;
  let ledger: FakeLedger;
  let sts: FakeSts;
  let limiter: FakeRateLimiter;
  let deps: IssueDeps;

  beforeEach(() => {
    directory = new FakeDirectory();
    ledger = new FakeLedger();
    sts = new FakeSts();
    limiter = new FakeRateLimiter();
    deps = { directory, ledger, sts, now: () => new Date(NOW_MS), newId: () => 'id-1', rateLimiter: limiter, mfa: NO_MFA };
  });

  it('is not consulted when the tenant policy has no rateLimit', async () => {
    await issueCredentials(deps, ctx, {});
    expect(limiter.consumed).toEqual([]);
    expect(ledger.records).toHaveLength(1);
  });

  it("counts the partner against the policy's perMinute", async () => {
    directory.context = { ...directory.context, policy: tenantPolicy(policyDocument({ rateLimit: { perMinute: 5 } })) };
    await issueCredentials(deps, ctx, {});
    expect(limiter.consumed).toEqual([[TENANT_ID, PARTNER_ID, 5]]);
  });

  it('when limited: 429, STS is never called and nothing is recorded', async () => {
    directory.context = { ...directory.context, policy: tenantPolicy(policyDocument({ rateLimit: { perMinute: 5 } })) };
    limiter.refuse = true;
    await expect(issueCredentials(deps, ctx, {})).rejects.toBeInstanceOf(RateLimitedError);
    expect(sts.calls).toBe(0);
    expect(ledger.records).toEqual([]);
  });

  const withLimits = (policyPerMinute: number | undefined, bindingPerMinute: number | undefined) => {
    directory.context = {
      ...directory.context,
      tenant: tenant({ binding: binding(bindingPerMinute === undefined ? {} : { maxIssuancesPerMinute: bindingPerMinute }) }),
      policy: tenantPolicy(policyDocument(policyPerMinute === undefined ? {} : { rateLimit: { perMinute: policyPerMinute } })),
    };
  };

  it("counts against the binding's ceiling when the policy sets no limit of its own", async () => {
    withLimits(undefined, 50);
    await issueCredentials(deps, ctx, {});
    expect(limiter.consumed).toEqual([[TENANT_ID, PARTNER_ID, 50]]);
  });

  it.each<[number, number, number]>([
    [10, 50, 10],
    [50, 50, 50],
  ])('counts against the lower of policy (%i) and binding (%i): %i', async (policyLimit, bindingLimit, expected) => {
    withLimits(policyLimit, bindingLimit);
    await issueCredentials(deps, ctx, { mode: 'federation' });
    expect(limiter.consumed).toEqual([[TENANT_ID, PARTNER_ID, expected]]);
  });

  it.each(['assume-role', 'federation'] as const)(
    'caps a stored policy limit above a binding ceiling lowered since the PUT at the ceiling (%s): issued, not refused',
    async (mode) => {
      withLimits(60, 50);
      const { record } = await issueCredentials(deps, ctx, { mode });
      expect(limiter.consumed).toEqual([[TENANT_ID, PARTNER_ID, 50]]);
      expect(record.mode).toBe(mode);
      expect(sts.calls).toBe(1);
      expect(ledger.records).toHaveLength(1);
    },
  );

  it('at the cap, a refusal from the limiter is still 429 with nothing issued', async () => {
    withLimits(60, 50);
    limiter.refuse = true;
    await expect(issueCredentials(deps, ctx, {})).rejects.toBeInstanceOf(RateLimitedError);
    expect(limiter.consumed).toEqual([[TENANT_ID, PARTNER_ID, 50]]);
    expect(sts.calls).toBe(0);
    expect(ledger.records).toEqual([]);
  });

  it('a request refused after the tenant context is loaded (422) uses up the quota too: counted before planning', async () => {
    directory.context = { ...directory.context, policy: tenantPolicy(policyDocument({ rateLimit: { perMinute: 5 } })) };
    await expect(issueCredentials(deps, ctx, { sessionName: 'has spaces' })).rejects.toMatchObject({ statusCode: 422 });
    expect(limiter.consumed).toEqual([[TENANT_ID, PARTNER_ID, 5]]);
  });
});
