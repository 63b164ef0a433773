import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  DependencyUnavailableError,
  ForbiddenError,
  RateLimitedError,
  UnauthorizedError,
  UnprocessableError,
} from '../../../lib/core/errors';
import { IssueRequestSchema } from '../../../lib/vend/request';
import { type FakeRequest, fakeContext, fakeEvent, JSON_HEADERS } from './fake-event';

// lib/core/config.ts reads the environment once, at import: set it first, import the handler after.
const MAX_BODY_BYTES = 1024;
process.env.MAX_BODY_BYTES = String(MAX_BODY_BYTES);

type Http = typeof import('../../../lib/http/handler');
type Validate = typeof import('../../../lib/http/validate');
let http: Http;
let validate: Validate;
let logSpies: ReturnType<typeof jest.spyOn>[] = [];

beforeAll(async () => {
  http = await import('../../../lib/http/handler');
  validate = await import('../../../lib/http/validate');
  const { logger } = await import('../../../lib/core/log');
  logSpies = (['info', 'warn', 'error'] as const).map((level) => jest.spyOn(logger, level).mockImplementation(() => undefined));
});

afterAll(() => {
  for (const spy of logSpies) spy.mockRestore();
});

type Route = Parameters<Http['httpHandler']>[0];

async function invoke(route: Route, req: FakeRequest, options?: { body?: boolean }) {
  const handler = http.httpHandler(route, options);
  const res = (await handler(fakeEvent(req), fakeContext())) as APIGatewayProxyStructuredResultV2;
  return { status: res.statusCode, headers: res.headers ?? {}, text: res.body ?? '', json: res.body ? JSON.parse(res.body) : undefined };
}

/** A body route that answers what it received. */
const echo: Route = async (req) => ({ statusCode: 200, body: { received: req.body } });
const post = (req: FakeRequest) => invoke(echo, req, { body: true });

const BASE_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

function expectError(res: Awaited<ReturnType<typeof invoke>>, status: number, code: string, requestId = 'lambda-req-1') {
  expect(res.status).toBe(status);
  expect(res.headers).toMatchObject(BASE_HEADERS);
  expect(Object.keys(res.json)).toEqual(['error']);
  expect(Object.keys(res.json.error)).toEqual(['code', 'message', 'requestId', 'details']);
  expect(res.json.error.code).toBe(code);
  expect(res.json.error.requestId).toBe(requestId);
  expect(typeof res.json.error.message).toBe('string');
  expect(Array.isArray(res.json.error.details)).toBe(true);
}

describe('httpHandler responses', () => {
  it('serialises the route result as JSON, never cacheable, with extra headers kept', async () => {
    const res = await invoke(async () => ({ statusCode: 201, body: { a: 1, s: 'é' }, headers: { location: '/x' } }), {});
    expect(res).toEqual({
      status: 201,
      headers: { ...BASE_HEADERS, location: '/x' },
      text: '{"a":1,"s":"é"}',
      json: { a: 1, s: 'é' },
    });
  });

  it('answers an empty body when the route has none', async () => {
    const res = await invoke(async () => ({ statusCode: 204 }), {});
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(res.headers).toEqual(BASE_HEADERS);
  });

  it('hands the route the request id, headers (any case), query, path parameters, source ip and user agent', async () => {
    let seen: Record<string, unknown> = {};
    await invoke(
      async (req) => {
        seen = {
          requestId: req.requestId,
          auth: req.header('Authorization'),
          authLower: req.header('authorization'),
          missing: req.header('x-nope'),
          format: req.query('format'),
          noQuery: req.query('nope'),
          tenantId: req.path('tenantId'),
          noPath: req.path('nope'),
          sourceIp: req.sourceIp,
          userAgent: req.userAgent,
          rawBody: req.body,
        };
        return { statusCode: 200 };
      },
      {
        headers: { Authorization: 'Bearer k', 'User-Agent': 'ua/1' },
        query: { format: 'container' },
        pathParameters: { tenantId: 'acme' },
        body: '{"not":"parsed"}',
      },
    );
    expect(seen).toEqual({
      requestId: 'lambda-req-1',
      auth: 'Bearer k',
      authLower: 'Bearer k',
      missing: undefined,
      format: 'container',
      noQuery: undefined,
      tenantId: 'acme',
      noPath: '',
      sourceIp: '198.51.100.7',
      userAgent: 'ua/1',
      // Without `body: true` the body is left as API Gateway sent it.
      rawBody: '{"not":"parsed"}',
    });
  });

  it("uses the Lambda request id when API Gateway's is missing", async () => {
    const res = await invoke(
      async () => {
        throw new ForbiddenError('wrong_key_kind', 'Nope');
      },
      { requestId: null },
    );
    expectError(res, 403, 'wrong_key_kind', 'lambda-req-1');
  });
});

describe('httpHandler errors', () => {
  it('maps an AppError to its status with the contract shape, details and headers', async () => {
    const details = [{ path: '$.scope.actions[0]', message: 'not allowed', action: 's3:DeleteObject' }];
    const res = await invoke(async () => {
      throw new ForbiddenError('scope_not_allowed', 'The requested scope is not covered by the tenant policy', { details });
    }, {});
    expect(res.status).toBe(403);
    expect(res.headers).toEqual(BASE_HEADERS);
    expect(res.json).toEqual({
      error: {
        code: 'scope_not_allowed',
        message: 'The requested scope is not covered by the tenant policy',
        requestId: 'lambda-req-1',
        details,
      },
    });
  });

  it.each<[string, Error, number, string, Record<string, string>]>([
    [
      '401 with WWW-Authenticate',
      new UnauthorizedError('invalid_key', 'The API key is not valid'),
      401,
      'invalid_key',
      { 'WWW-Authenticate': 'Bearer' },
    ],
    [
      '422',
      new UnprocessableError('sts_limit_exceeded', 'The request breaks an STS limit: Policy', {
        details: [{ message: 'm', limit: 'Policy' }],
      }),
      422,
      'sts_limit_exceeded',
      {},
    ],
    [
      '429 with Retry-After',
      new RateLimitedError('rate_limited', 'Too many requests', { retryAfterSeconds: 7 }),
      429,
      'rate_limited',
      { 'Retry-After': '7' },
    ],
    [
      '503 with Retry-After',
      new DependencyUnavailableError('audit_write_failed', 'not recorded', { retryAfterSeconds: 1 }),
      503,
      'audit_write_failed',
      { 'Retry-After': '1' },
    ],
  ])('%s', async (_, err, status, code, headers) => {
    const res = await invoke(async () => {
      throw err;
    }, {});
    expectError(res, status, code);
    expect(res.headers).toEqual({ ...BASE_HEADERS, ...headers });
  });

  it('a 5xx AppError shows its own message, never its cause', async () => {
    const cause = new Error('ConditionalCheckFailed on table credvend-prod-issuances, key ASIA...');
    const res = await invoke(async () => {
      throw new DependencyUnavailableError('audit_write_failed', 'The issuance could not be recorded; no credentials were issued', {
        cause,
      });
    }, {});
    expectError(res, 503, 'audit_write_failed');
    expect(res.json.error.message).toBe('The issuance could not be recorded; no credentials were issued');
    expect(res.text).not.toContain('credvend-prod-issuances');
  });

  it.each<[string, unknown]>([
    ['an Error', Object.assign(new Error('connect ECONNREFUSED 10.1.2.3:5432 password=hunter2'), { stack: 'at /var/task/index.js:1:1' })],
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'secretAccessKey')")],
    ['a string', 'raw failure with secret'],
    ['an object', { secretAccessKey: 'leak' }],
    ['undefined', undefined],
  ])('500 internal_error for %s, exposing nothing', async (_, thrown) => {
    const res = await invoke(async () => {
      throw thrown;
    }, {});
    expect(res.status).toBe(500);
    expect(res.headers).toEqual(BASE_HEADERS);
    expect(res.json).toEqual({ error: { code: 'internal_error', message: 'Internal error', requestId: 'lambda-req-1', details: [] } });
  });
});

describe('httpHandler JSON bodies (body: true)', () => {
  it('parses a JSON body', async () => {
    const res = await post({ headers: JSON_HEADERS, body: '{"mode":"federation","n":[1,{"x":null}]}' });
    expect(res.json).toEqual({ received: { mode: 'federation', n: [1, { x: null }] } });
  });

  it.each(['application/json; charset=utf-8', 'application/merge-patch+json', 'application/vnd.api+json'])(
    'accepts content type %s',
    async (contentType) => {
      expect((await post({ headers: { 'content-type': contentType }, body: '{"a":1}' })).json).toEqual({ received: { a: 1 } });
    },
  );

  it.each(['Application/JSON', 'APPLICATION/JSON; charset=UTF-8'])(
    'accepts content type %s (media types are case-insensitive, RFC 9110 8.3.1)',
    async (contentType) => {
      const res = await post({ headers: { 'content-type': contentType }, body: '{"a":1}' });
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ received: { a: 1 } });
    },
  );

  it('decodes a base64 body', async () => {
    const res = await post({ headers: JSON_HEADERS, body: Buffer.from('{"a":"é"}').toString('base64'), isBase64Encoded: true });
    expect(res.json).toEqual({ received: { a: 'é' } });
  });

  it.each<[string, FakeRequest]>([
    ['no body', {}],
    ['no body, JSON content type', { headers: JSON_HEADERS }],
    ['an empty body', { headers: JSON_HEADERS, body: '' }],
    ['a blank body', { headers: JSON_HEADERS, body: ' \n\t ' }],
    ['an empty body without content type', { body: '' }],
  ])('reads %s as {}', async (_, req) => {
    const res = await post(req);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ received: {} });
  });

  it.each<[string, FakeRequest]>([
    ['text/plain', { headers: { 'content-type': 'text/plain' }, body: '{"a":1}' }],
    ['no content type', { body: '{"a":1}' }],
    ['form data', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' }],
    ['application/jsonp', { headers: { 'content-type': 'application/jsonp' }, body: '{"a":1}' }],
  ])('415 unsupported_media_type for %s', async (_, req) => {
    const res = await post(req);
    expectError(res, 415, 'unsupported_media_type');
    expect(res.json.error.message).toBe('The request body must be JSON (Content-Type: application/json)');
  });

  it.each(['{', '{"a":}', "{'a':1}", '{"a":1}}', 'undefined', '[1,]', '\u0000'])('400 invalid_json for %j', async (body) => {
    const res = await post({ headers: JSON_HEADERS, body });
    expectError(res, 400, 'invalid_json');
    expect(res.json.error.message).toBe('The request body is not valid JSON');
    expect(res.json.error.details).toEqual([]);
  });

  it('400 invalid_json for a base64 body that is not JSON', async () => {
    const res = await post({ headers: JSON_HEADERS, body: Buffer.from('{nope').toString('base64'), isBase64Encoded: true });
    expectError(res, 400, 'invalid_json');
  });

  it('accepts a body of exactly the size limit, in UTF-8 bytes', async () => {
    const body = `{"a":"${'x'.repeat(MAX_BODY_BYTES - 8)}"}`;
    expect(Buffer.byteLength(body)).toBe(MAX_BODY_BYTES);
    expect((await post({ headers: JSON_HEADERS, body })).status).toBe(200);
  });

  it.each<[string, string]>([
    ['one byte over', `{"a":"${'x'.repeat(MAX_BODY_BYTES - 7)}"}`],
    ['over in UTF-8 bytes though not in characters', `{"a":"${'é'.repeat(600)}"}`],
  ])('413 payload_too_large %s (before any parsing)', async (_, body) => {
    const res = await post({ headers: { 'content-type': 'text/plain' }, body });
    expectError(res, 413, 'payload_too_large');
    expect(res.json.error.message).toBe(`The request body exceeds ${MAX_BODY_BYTES} bytes`);
  });

  it('413 for an oversized base64 body', async () => {
    const body = Buffer.from(`{"a":"${'x'.repeat(MAX_BODY_BYTES)}"}`).toString('base64');
    expectError(await post({ headers: JSON_HEADERS, body, isBase64Encoded: true }), 413, 'payload_too_large');
  });

  it('400 body_too_deep past 8 levels of nesting, 8 levels are fine', async () => {
    const nested = (levels: number) => `${'['.repeat(levels)}1${']'.repeat(levels)}`;
    expect((await post({ headers: JSON_HEADERS, body: nested(8) })).status).toBe(200);
    const res = await post({ headers: JSON_HEADERS, body: nested(9) });
    expectError(res, 400, 'body_too_deep');
    expect(res.json.error.message).toBe('The request body nests deeper than 8 levels');
    const objects = (levels: number) => `${'{"a":'.repeat(levels)}"x"${'}'.repeat(levels)}`;
    expect((await post({ headers: JSON_HEADERS, body: objects(8) })).status).toBe(200);
    expectError(await post({ headers: JSON_HEADERS, body: objects(9) }), 400, 'body_too_deep');
    expectError(await post({ headers: JSON_HEADERS, body: objects(100) }), 400, 'body_too_deep');
  });
});

describe('httpHandler with schema validation (the issue route shape)', () => {
  const issueRoute: Route = async (req) => ({ statusCode: 201, body: validate.parseWith(IssueRequestSchema, req.body) });
  const issue = (body: unknown) => invoke(issueRoute, { headers: JSON_HEADERS, body: JSON.stringify(body) }, { body: true });

  it('accepts a full request and an absent body', async () => {
    const full = {
      mode: 'assume-role',
      durationSeconds: 900,
      sessionName: 'n',
      scope: { actions: ['s3:Get*'], resources: ['arn:aws:s3:::b/*'] },
    };
    expect((await issue(full)).json).toEqual(full);
    expect((await invoke(issueRoute, {}, { body: true })).json).toEqual({});
  });

  it.each<[string, unknown, { path: string; message: string }[]]>([
    ['an unknown top-level field', { mode: 'federation', role: 'admin' }, [{ path: '$', message: 'Unknown field(s): role' }]],
    [
      'an unknown scope field',
      { scope: { actions: [], verbs: ['x'], nouns: [] } },
      [{ path: '$.scope', message: 'Unknown field(s): verbs, nouns' }],
    ],
  ])('400 invalid_request for %s, with the path', async (_, body, details) => {
    const res = await issue(body);
    expectError(res, 400, 'invalid_request');
    expect(res.json.error.message).toBe('The request body is invalid');
    expect(res.json.error.details).toEqual(details);
  });

  it('names the path of each wrong value', async () => {
    const res = await issue({ mode: 'root', durationSeconds: 1.5, scope: { actions: ['s3:GetObject', 'bad action'] } });
    expectError(res, 400, 'invalid_request');
    expect(res.json.error.details.map((d: { path: string }) => d.path)).toEqual(['$.mode', '$.durationSeconds', '$.scope.actions[1]']);
  });

  it('400 invalid_request for JSON that is not an object', async () => {
    for (const body of [null, [], 'x', 1]) {
      expectError(await issue(body), 400, 'invalid_request');
    }
  });
});

describe('httpHandler deadline (lib/aws/deadline.ts)', () => {
  const lambdaContext = (remainingMs: number) => ({ ...fakeContext(), getRemainingTimeInMillis: () => remainingMs });

  it("gives the route's AWS calls a deadline from the Lambda's remaining time, less the margin", async () => {
    const { remainingMs, DEADLINE_MARGIN_MS } = await import('../../../lib/aws/deadline');
    let seen: number | undefined;
    const handler = http.httpHandler(async () => {
      seen = remainingMs();
      return { statusCode: 200 };
    });
    await handler(fakeEvent(), lambdaContext(10_000));
    expect(seen).toBeGreaterThan(0);
    expect(seen).toBeLessThanOrEqual(10_000 - DEADLINE_MARGIN_MS);
    // And none outside Lambda (no getRemainingTimeInMillis).
    await handler(fakeEvent(), fakeContext());
    expect(seen).toBeUndefined();
  });

  it('a route still running just before the Lambda timeout answers JSON 503 dependency_timeout, not a timeout', async () => {
    const handler = http.httpHandler(() => new Promise<never>(() => undefined));
    const res = (await handler(fakeEvent(), lambdaContext(50))) as APIGatewayProxyStructuredResultV2;
    expect(res.statusCode).toBe(503);
    expect(res.headers).toEqual({ ...BASE_HEADERS, 'Retry-After': '1' });
    expect(JSON.parse(res.body!)).toEqual({
      error: {
        code: 'dependency_timeout',
        message: 'A dependency did not answer in time; retry later',
        requestId: 'lambda-req-1',
        details: [],
      },
    });
  });
});

describe('requestIdOf', () => {
  it("is Lambda's request id, which every log line of the invocation carries; API Gateway's without a Lambda context", () => {
    expect(http.requestIdOf(fakeEvent(), fakeContext())).toBe('lambda-req-1');
    expect(http.requestIdOf(fakeEvent(), undefined)).toBe('apigw-req-1');
  });
});
