import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { handler } from '../../../handlers/default-route';
import { logger } from '../../../lib/core/log';
import { unknownRouteError } from '../../../lib/http/unknown-route';
import { ROUTES } from '../../../lib/openapi/routes';
import { fakeContext, fakeEvent } from './fake-event';

let spies: ReturnType<typeof jest.spyOn>[] = [];
beforeAll(() => {
  spies = (['info', 'warn', 'error'] as const).map((level) => jest.spyOn(logger, level).mockImplementation(() => undefined));
});
afterAll(() => {
  for (const spy of spies) spy.mockRestore();
});

describe('unknownRouteError', () => {
  it.each([
    ['DELETE', '/v1/credentials', 'GET, POST'],
    ['PATCH', '/v1/tenants/acme/policy', 'GET, PUT'],
    ['GET', '/v1/tenants/acme/partners/p1/keys/k1/rotate', 'POST'],
    ['POST', '/v1/health', 'GET'],
  ])('%s %s: 405 method_not_allowed, Allow: %s', (method, path, allow) => {
    const err = unknownRouteError(ROUTES, method, path);
    expect([err.statusCode, err.code, err.headers]).toEqual([405, 'method_not_allowed', { Allow: allow }]);
  });

  it.each([
    ['GET', '/'],
    ['GET', '/v1/nope'],
    ['GET', '/v1/credentials/'],
    ['GET', '/v1/tenants//policy'],
    ['GET', '/v1/tenants/acme/policy/extra'],
    ['GET', '/v2/tenants'],
  ])('%s %s: 404 route_not_found', (method, path) => {
    const err = unknownRouteError(ROUTES, method, path);
    expect([err.statusCode, err.code, err.headers]).toEqual([404, 'route_not_found', {}]);
  });

  it('takes path templates literally, not as regular expressions', () => {
    const routes = [{ method: 'GET', path: '/v1/openapi.json' }];
    expect(unknownRouteError(routes, 'POST', '/v1/openapi.json').statusCode).toBe(405);
    expect(unknownRouteError(routes, 'POST', '/v1/openapiXjson').statusCode).toBe(404);
  });
});

describe('the $default route handler', () => {
  it("answers the contract's JSON error, with Allow on a 405", async () => {
    const res = await handler(fakeEvent({ method: 'DELETE', path: '/v1/credentials' }), fakeContext());
    expect(res.statusCode).toBe(405);
    expect(res.headers).toMatchObject({ Allow: 'GET, POST', 'content-type': 'application/json; charset=utf-8' });
    expect(JSON.parse(res.body ?? '')).toEqual({
      error: { code: 'method_not_allowed', message: 'DELETE is not allowed on /v1/credentials', requestId: 'lambda-req-1', details: [] },
    });
    const missing = await handler(fakeEvent({ method: 'GET', path: '/v1/nowhere' }), fakeContext());
    expect([missing.statusCode, JSON.parse(missing.body ?? '').error.code]).toEqual([404, 'route_not_found']);
  });
});
