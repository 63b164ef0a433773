// The smoke test's steps over a fake API: the calls in order, the STS check of the issued
// credentials, and the clean-up after a failed step.
import { describe, expect, it } from '@jest/globals';
import { type ApiAnswer, runSmoke, SmokeFailure, type SmokePorts } from '../../../lib/deploy/smoke';

const ROLE = 'arn:aws:iam::123456789012:role/credvend/smoke';
const PRINCIPAL = 'arn:aws:sts::123456789012:assumed-role/smoke/session';

function fakeApi(overrides: Record<string, ApiAnswer> = {}, stsArn = PRINCIPAL) {
  const calls: string[] = [];
  const answers: Record<string, ApiAnswer> = {
    'GET /v1/health': { status: 200, body: { status: 'ok' } },
    'POST /v1/tenants': { status: 201, body: {} },
    'GET /v1/tenants/smoke-test/binding': { status: 200, body: { version: 1 } },
    'PUT /v1/tenants/smoke-test/binding': { status: 200, body: {} },
    'PUT /v1/tenants/smoke-test/policy': { status: 200, body: {} },
    'POST /v1/tenants/smoke-test/partners': { status: 201, body: {} },
    'POST /v1/tenants/smoke-test/partners/smoke-app/keys': { status: 201, body: { apiKey: 'cv1.pk-x.secret', keyId: 'pk-x' } },
    'POST /v1/credentials': {
      status: 201,
      body: { credentials: { accessKeyId: 'ASIA', secretAccessKey: 's', sessionToken: 't' }, principal: { arn: PRINCIPAL } },
    },
    'DELETE /v1/tenants/smoke-test/partners/smoke-app/keys/pk-x': { status: 200, body: {} },
    'POST /v1/tenants/smoke-test/disable': { status: 200, body: {} },
    ...overrides,
  };
  const ports: SmokePorts = {
    api: async (method, path, key, body) => {
      calls.push(`${method} ${path} ${key ?? '-'}${body === undefined ? '' : ` ${JSON.stringify(body).slice(0, 40)}`}`);
      return answers[`${method} ${path}`] ?? { status: 404, body: { error: { code: 'route_not_found', message: 'no' } } };
    },
    callerIdentity: async (credentials) => {
      calls.push(`STS GetCallerIdentity ${credentials.accessKeyId}`);
      return stsArn;
    },
  };
  return { ports, calls };
}

const opts = { operatorKey: 'cv1.ok-op.secret', roleArn: ROLE, roleMaxSessionDuration: 3600, tenantId: 'smoke-test' };

describe('smoke test', () => {
  it('walks health, tenant, binding, policy, partner, key, issuance and STS, then revokes and disables', async () => {
    const { ports, calls } = fakeApi();
    const lines: string[] = [];
    expect(await runSmoke(ports, opts, (l) => lines.push(l))).toBe('smoke-test');
    expect(calls.map((c) => c.split(' ').slice(0, 3).join(' '))).toEqual([
      'GET /v1/health -',
      'POST /v1/tenants cv1.ok-op.secret',
      'GET /v1/tenants/smoke-test/binding cv1.ok-op.secret',
      'PUT /v1/tenants/smoke-test/binding cv1.ok-op.secret',
      'PUT /v1/tenants/smoke-test/policy cv1.ok-op.secret',
      'POST /v1/tenants/smoke-test/partners cv1.ok-op.secret',
      'POST /v1/tenants/smoke-test/partners/smoke-app/keys cv1.ok-op.secret',
      'POST /v1/credentials cv1.pk-x.secret',
      'STS GetCallerIdentity ASIA',
      'DELETE /v1/tenants/smoke-test/partners/smoke-app/keys/pk-x cv1.ok-op.secret',
      'POST /v1/tenants/smoke-test/disable cv1.ok-op.secret',
    ]);
    expect(calls[3]).toContain(`{"expectedVersion":1,"roles":{"smoke":{"`);
    expect(lines.join('\n')).not.toMatch(/secret/);
  });

  it('fails when STS sees another principal than credvend reported', async () => {
    const { ports } = fakeApi({}, 'arn:aws:sts::123456789012:assumed-role/other/x');
    await expect(runSmoke(ports, opts, () => undefined)).rejects.toThrow(
      new SmokeFailure(`STS sees arn:aws:sts::123456789012:assumed-role/other/x, credvend said ${PRINCIPAL}`),
    );
  });

  it('after a failed issuance still revokes the key and disables the tenant, and names the API error', async () => {
    const { ports, calls } = fakeApi({
      'POST /v1/credentials': { status: 502, body: { error: { code: 'sts_access_denied', message: 'STS denied the request' } } },
    });
    await expect(runSmoke(ports, opts, () => undefined)).rejects.toThrow(
      'issue: expected 201, got 502 sts_access_denied: STS denied the request',
    );
    expect(calls.slice(-2).map((c) => c.split(' ').slice(0, 2).join(' '))).toEqual([
      'DELETE /v1/tenants/smoke-test/partners/smoke-app/keys/pk-x',
      'POST /v1/tenants/smoke-test/disable',
    ]);
  });

  it('does not try to clean up a tenant it could not create', async () => {
    const { ports, calls } = fakeApi({ 'POST /v1/tenants': { status: 401, body: { error: { code: 'invalid_key', message: 'bad' } } } });
    await expect(runSmoke(ports, opts, () => undefined)).rejects.toThrow('create tenant: expected 201, got 401 invalid_key: bad');
    expect(calls).toHaveLength(2);
  });
});
