// Issue #16 with the real AWS CLI v2 (botocore signs, its own parser reads the errors): credentials
// credvend issued work in the CLI, are refused after their revocation through the API, and a new
// issuance works again; in both modes. The CLI probes with `ssm get-parameter`, which IAM authorizes for
// role sessions and federated users alike (a federated user may call no STS action but
// GetCallerIdentity, and `sts get-caller-identity` is answered even under a Deny, at AWS too).
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { call, closeTables, createTestTenant, stackInfo, type TestTenant } from '../../support/api';
import { AWS_CLI, describeWithAwsCli } from '../../support/aws-cli';

const run = promisify(execFile);
let home: string;
beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'credvend-awscli-revoke-'));
});
afterAll(() => closeTables());

type Creds = { accessKeyId: string; secretAccessKey: string; sessionToken: string };

async function issue(t: TestTenant, mode: 'assume-role' | 'federation'): Promise<Creds> {
  const res = await call('POST', '/v1/credentials', { key: t.partnerKey, body: { mode } });
  if (res.status !== 201) throw new Error(`issue: ${res.status} ${res.text}`);
  return res.body.credentials as Creds;
}

/** The CLI's verdict on the credentials: `honoured` (IAM let the call through to the parameter lookup) or the error code. */
async function cliProbe(c: Creds): Promise<string> {
  try {
    await run(
      AWS_CLI,
      ['ssm', 'get-parameter', '--name', '/credvend/probe', '--endpoint-url', stackInfo().stsUrl, '--region', 'us-east-1'],
      {
        env: {
          PATH: process.env.PATH,
          HOME: home,
          AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
          AWS_CONFIG_FILE: join(home, 'no-config'),
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_ACCESS_KEY_ID: c.accessKeyId,
          AWS_SECRET_ACCESS_KEY: c.secretAccessKey,
          AWS_SESSION_TOKEN: c.sessionToken,
        },
        timeout: 60_000,
      },
    );
    return 'ok';
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    if (stderr.includes('(ParameterNotFound)')) return 'honoured';
    return /\((\w+)\)/.exec(stderr)?.[1] ?? stderr;
  }
}

describeWithAwsCli(AWS_CLI)('AWS CLI v2 and revocations', () => {
  it.each(['assume-role', 'federation'] as const)('%s: worked, refused after revocation, a new issuance works', async (mode) => {
    const t = await createTestTenant();
    const other = await createTestTenant();
    const before = await issue(t, mode);
    const untouched = await issue(other, mode);
    expect(await cliProbe(before)).toBe('honoured');
    const res = await call('POST', `/v1/tenants/${t.tenantId}/revocations`, { key: t.adminKey, body: { partnerId: t.partnerId } });
    expect([res.status, res.body.revocation?.state]).toEqual([201, 'effective']);
    expect(await cliProbe(before)).toBe('AccessDeniedException');
    expect(await cliProbe(untouched)).toBe('honoured');
    await new Promise((r) => setTimeout(r, 5));
    expect(await cliProbe(await issue(t, mode))).toBe('honoured');
  });
});
