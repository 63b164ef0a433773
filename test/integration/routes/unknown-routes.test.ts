// API Gateway's $default route on the local stack (serverless-offline serves httpApi '*' as it):
// what no route of the contract matches gets the contract's JSON error, never the gateway's own.
import { describe, expect, it } from '@jest/globals';
import { call } from '../../support/api';

const errorOf = (code: string) => ({
  error: { code, message: expect.any(String), requestId: expect.stringMatching(/\S/), details: [] },
});

describe('the $default route', () => {
  it('answers 405 method_not_allowed with Allow when the path is a route and the method is not', async () => {
    const res = await call('DELETE', '/v1/credentials', { unchecked: true });
    expect([res.status, res.headers.get('allow'), res.headers.get('content-type')]).toEqual([
      405,
      'GET, POST',
      'application/json; charset=utf-8',
    ]);
    expect(res.body).toEqual(errorOf('method_not_allowed'));
    const templated = await call('PATCH', '/v1/tenants/acme/policy', { unchecked: true, body: {} });
    expect([templated.status, templated.headers.get('allow'), templated.body.error.code]).toEqual([405, 'GET, PUT', 'method_not_allowed']);
  });

  it('answers 404 route_not_found for a path no route has, whatever the method', async () => {
    const paths = ['/', '/v1/nope', '/v1/credentials/extra', '/v2/credentials'];
    const answers = await Promise.all(paths.map((path) => call('GET', path, { unchecked: true })));
    expect(answers.map((res) => [res.status, res.body])).toEqual(paths.map(() => [404, errorOf('route_not_found')]));
    const posted = await call('POST', '/v1/nope', { unchecked: true, body: { a: 1 } });
    expect([posted.status, posted.body.error.code, posted.headers.get('allow')]).toEqual([404, 'route_not_found', null]);
  });

  it('leaves the routes of the contract to their own functions', async () => {
    const health = await call('GET', '/v1/health');
    expect(health.status).not.toBe(404);
    const credentials = await call('POST', '/v1/credentials', { body: {} });
    expect([credentials.status, credentials.body.error.code]).toEqual([401, 'missing_key']);
  });

  it("leaves GET /console and /console/… to the console's function; other methods there get route_not_found", async () => {
    for (const path of ['/console', '/console/assets/missing.js']) {
      const page = await call('GET', path, { unchecked: true });
      expect([path, page.status, page.headers.get('content-security-policy')]).toEqual([
        path,
        path === '/console' ? 200 : 404,
        expect.stringContaining("default-src 'self'"),
      ]);
    }
    const posted = await call('POST', '/console', { unchecked: true, body: {} });
    expect([posted.status, posted.body.error.code]).toEqual([404, 'route_not_found']);
  });
});
