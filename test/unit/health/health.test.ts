// Health (issue 15): GET /v1/health answers without any AWS call; GET /v1/health/deep needs an operator key
// and runs the dependency probes at most once per 10 s per warm instance.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler, healthRoute } from '../../../handlers/health';
import { dynamoClient, stsClient } from '../../../lib/aws/clients';
import { ForbiddenError } from '../../../lib/core/errors';
import { cachedHealthCheck, DEEP_CHECK_CACHE_MS, type HealthReport } from '../../../lib/health/check';
import { httpHandler } from '../../../lib/http/handler';
import { fakeEvent } from '../http/fake-event';

const context = { awsRequestId: 'lambda-req-1', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;
// Every command either client would send is caught and counted here: none may reach AWS.
const dynamo = mockClient(dynamoClient as DynamoDBClient);
const sts = mockClient(stsClient as STSClient);

beforeEach(() => {
  dynamo.reset();
  sts.reset();
});
afterAll(() => {
  dynamo.restore();
  sts.restore();
});

async function call(h: typeof handler, path: string, headers: Record<string, string> = {}) {
  const res = (await h(fakeEvent({ method: 'GET', path, headers }), context)) as APIGatewayProxyStructuredResultV2;
  return { status: res.statusCode, body: JSON.parse(res.body ?? '{}') };
}

describe('GET /v1/health (shallow)', () => {
  it('answers 200 {status: ok} and makes no AWS call at all', async () => {
    const res = await call(handler, '/v1/health');
    expect(res).toEqual({ status: 200, body: { status: 'ok' } });
    expect(dynamo.calls()).toHaveLength(0);
    expect(sts.calls()).toHaveLength(0);
  });
});

describe('GET /v1/health/deep', () => {
  it('without a key: 401 missing_key, and no AWS call', async () => {
    const res = await call(handler, '/v1/health/deep');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('missing_key');
    expect(dynamo.calls()).toHaveLength(0);
    expect(sts.calls()).toHaveLength(0);
  });

  it('with a malformed key: 401 invalid_key, and no AWS call', async () => {
    const res = await call(handler, '/v1/health/deep', { authorization: 'Bearer not-a-key' });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('invalid_key');
    expect(dynamo.calls()).toHaveLength(0);
  });

  /** The handler's routing over counted fakes: who authenticated, how often the probes ran. */
  function fakeDeps(kind: 'operator' | 'partner', report: HealthReport) {
    const counts = { authenticate: 0, deepCheck: 0 };
    const route = healthRoute({
      async authenticateOperator() {
        counts.authenticate++;
        if (kind !== 'operator') throw new ForbiddenError('wrong_key_kind', 'This route does not accept partner keys');
        return { kind: 'operator', keyId: 'ok-aaaaaaaaaaaaaaaa' };
      },
      async deepCheck() {
        counts.deepCheck++;
        return report;
      },
    });
    return { counts, h: httpHandler(route) as unknown as typeof handler };
  }
  const ok: HealthReport = { status: 'ok', dependencies: { dynamodb: { ok: true, latencyMs: 3 } }, checkedAt: '2026-03-04T05:06:07.000Z' };

  it('with a key of another kind: 403 wrong_key_kind, and the dependencies are not checked', async () => {
    const { counts, h } = fakeDeps('partner', ok);
    const res = await call(h, '/v1/health/deep', { authorization: 'Bearer cv1.pk-x.y' });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('wrong_key_kind');
    expect(counts).toEqual({ authenticate: 1, deepCheck: 0 });
  });

  it('with an operator key: the report, 200 when every dependency answered and 503 otherwise', async () => {
    const up = fakeDeps('operator', ok);
    expect(await call(up.h, '/v1/health/deep', { authorization: 'Bearer k' })).toEqual({ status: 200, body: ok });
    const down: HealthReport = { ...ok, status: 'unavailable', dependencies: { sts: { ok: false, latencyMs: 2000, error: 'Timeout' } } };
    expect(await call(fakeDeps('operator', down).h, '/v1/health/deep', { authorization: 'Bearer k' })).toEqual({ status: 503, body: down });
    expect(up.counts).toEqual({ authenticate: 1, deepCheck: 1 });
  });

  it('the shallow route of the same handler never authenticates nor checks', async () => {
    const { counts, h } = fakeDeps('operator', ok);
    expect((await call(h, '/v1/health')).status).toBe(200);
    expect(counts).toEqual({ authenticate: 0, deepCheck: 0 });
  });
});

describe('cachedHealthCheck', () => {
  it('runs the probes once per 10 s, concurrent callers included, then again', async () => {
    let now = 1_000_000;
    const runs = { dynamodb: 0, sts: 0 };
    const check = cachedHealthCheck(
      {
        dynamodb: async () => runs.dynamodb++,
        sts: async () => runs.sts++,
      },
      { now: () => now },
    );
    const first = await Promise.all([check(), check(), check()]);
    expect(runs).toEqual({ dynamodb: 1, sts: 1 });
    expect(first[0]).toEqual({
      status: 'ok',
      dependencies: { dynamodb: expect.objectContaining({ ok: true }), sts: expect.objectContaining({ ok: true }) },
      checkedAt: new Date(1_000_000).toISOString(),
    });
    now += DEEP_CHECK_CACHE_MS - 1;
    expect(await check()).toBe(first[0]);
    expect(runs).toEqual({ dynamodb: 1, sts: 1 });
    now += 1;
    await check();
    expect(runs).toEqual({ dynamodb: 2, sts: 2 });
    expect(DEEP_CHECK_CACHE_MS).toBeGreaterThanOrEqual(10_000);
  });

  it('keeps a failed report for the same time: a failing dependency is not asked on every request', async () => {
    let now = 0;
    let calls = 0;
    const failing = async () => {
      calls++;
      throw Object.assign(new Error('x'), { name: 'Throttling' });
    };
    const check = cachedHealthCheck({ sts: failing }, { now: () => now });
    expect((await check()).dependencies.sts).toEqual(expect.objectContaining({ ok: false, error: 'Throttling' }));
    now += 5_000;
    expect((await check()).status).toBe('unavailable');
    expect(calls).toBe(1);
  });
});
