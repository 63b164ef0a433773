// No issued secret or key secret reaches a log line or a stored item.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from '@jest/globals';
import { call, closeTables, createTestTenant, tables } from '../../support/api';
import { control } from '../../support/control';
import { apiKeySecret, findLeaks, scanTable } from '../../support/secret-scan';

afterAll(() => closeTables());

describe('secrets stay out of logs and storage', () => {
  it('after issuances, refusals and failures, no secret is in the function logs or any table item', async () => {
    const tenant = await createTestTenant();
    const secrets = [apiKeySecret(tenant.partnerKey), apiKeySecret(tenant.adminKey)];
    for (const body of [{}, { mode: 'federation' }, { sessionName: 'audit-me' }]) {
      const res = await call('POST', '/v1/credentials', { key: tenant.partnerKey, body });
      expect(res.status).toBe(201);
      secrets.push(res.body.credentials.secretAccessKey, res.body.credentials.sessionToken);
    }
    // Refusals carrying key material: a wrong secret for a real key id, and a key in a malformed body.
    const wrongSecret = `${tenant.partnerKey.slice(0, tenant.partnerKey.lastIndexOf('.') + 1)}${'Z'.repeat(43)}`;
    expect((await call('POST', '/v1/credentials', { key: wrongSecret, body: {} })).status).toBe(401);
    secrets.push('Z'.repeat(43));
    const broken = await call('POST', '/v1/credentials', {
      key: tenant.partnerKey,
      rawBody: `{"sessionName": "${apiKeySecret(tenant.adminKey)}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(broken.status).toBe(400);
    // A failure path that logs an error: the ledger write fails.
    await control.dynamoFault({
      target: 'DynamoDB_20120810.PutItem',
      tableName: tables().issuances,
      status: 500,
      code: 'InternalServerError',
      times: 10,
    });
    expect((await call('POST', '/v1/credentials', { key: tenant.partnerKey, body: {} })).status).toBe(503);
    await control.clearDynamoFaults();

    await new Promise((resolve) => setTimeout(resolve, 300)); // let the log lines land in the file
    const logs = readFileSync(process.env.CREDVEND_TEST_LOG!, 'utf8');
    expect(logs).toContain('request failed'); // the scan looks at real log output, not an empty file
    const { client, main, issuances } = tables();
    const report = findLeaks(secrets, {
      logs,
      'main table': await scanTable(client, main),
      'issuance table': await scanTable(client, issuances),
    });
    expect(report.leaks).toEqual([]);
    expect(report.secretsChecked).toBe(secrets.length);
  });
});
