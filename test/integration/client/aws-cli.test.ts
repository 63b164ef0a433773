// The real AWS CLI v2 gets credentials from credvend two ways — credential_process through the
// credvend CLI, and the container-credentials variables — and the local STS accepts them.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { type LocalOidcIssuer, startLocalOidcIssuer } from '../../../local/oidc';
import { apiUrl, call, closeTables, createTestTenant, stackInfo, type TestTenant } from '../../support/api';
import { AWS_CLI, describeWithAwsCli } from '../../support/aws-cli';
import { ledgerOf } from '../../support/ledger';
import { recordSecrets } from '../../support/secret-scan';

const run = promisify(execFile);
const CLI = resolve('dist/credvend.mjs');

let tenant: TestTenant;
let home: string;
let oidc: LocalOidcIssuer;
beforeAll(async () => {
  tenant = await createTestTenant();
  home = mkdtempSync(join(tmpdir(), 'credvend-awscli-'));
  oidc = await startLocalOidcIssuer();
});
afterAll(async () => {
  await oidc.close();
  closeTables();
});

/** The AWS CLI with nothing from this machine's AWS setup: only what each test hands it. */
function aws(args: string[], env: Record<string, string>) {
  return run(AWS_CLI, [...args, '--endpoint-url', stackInfo().stsUrl, '--region', 'us-east-1', '--output', 'json'], {
    env: {
      PATH: process.env.PATH,
      HOME: home,
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
      AWS_CONFIG_FILE: join(home, 'no-config'),
      AWS_EC2_METADATA_DISABLED: 'true',
      ...env,
    },
  });
}

async function issuedAccessKeyIds(): Promise<string[]> {
  return (await ledgerOf(tenant.tenantId)).map((item) => item.accessKeyId as string);
}

// RoleSessionName: the tenant and partner first (DESIGN.md "Trust model").
const assumedRoleArn = () => new RegExp(`^arn:aws:sts::123456789012:assumed-role/demo-partner/${tenant.tenantId}\\.${tenant.partnerId}\\.`);

describeWithAwsCli(AWS_CLI)('AWS CLI v2 with credvend credentials', () => {
  it('credential_process = credvend credential-process', async () => {
    const config = join(home, 'config');
    writeFileSync(config, `[profile vended]\ncredential_process = ${process.execPath} ${CLI} credential-process --endpoint ${apiUrl()}\n`);
    const { stdout } = await aws(['sts', 'get-caller-identity', '--profile', 'vended'], {
      AWS_CONFIG_FILE: config,
      CREDVEND_API_KEY: tenant.partnerKey,
    });
    const identity = JSON.parse(stdout);
    expect(identity.Arn).toMatch(assumedRoleArn());
    // The ARN proves the CLI signed with vended credentials; the ledger shows they came from credvend
    // (the CLI may resolve its credential chain more than once per command).
    const issued = await issuedAccessKeyIds();
    expect(issued.length).toBeGreaterThanOrEqual(1);
  });

  it('AWS_CONTAINER_CREDENTIALS_FULL_URI + AWS_CONTAINER_AUTHORIZATION_TOKEN', async () => {
    const before = await issuedAccessKeyIds();
    const { stdout } = await aws(['sts', 'get-caller-identity'], {
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${apiUrl()}/v1/credentials?format=container`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: tenant.partnerKey,
    });
    expect(JSON.parse(stdout).Arn).toMatch(assumedRoleArn());
    expect((await issuedAccessKeyIds()).length).toBeGreaterThan(before.length);
  });

  it('a revoked or wrong key makes the CLI fail, not fall back to other credentials', async () => {
    const wrong = `${tenant.partnerKey.slice(0, -4)}AAAA`;
    await expect(
      aws(['sts', 'get-caller-identity'], {
        AWS_CONTAINER_CREDENTIALS_FULL_URI: `${apiUrl()}/v1/credentials?format=container`,
        AWS_CONTAINER_AUTHORIZATION_TOKEN: wrong,
      }),
    ).rejects.toMatchObject({ code: 255 });
  });

  it('credential_process with --web-identity-token-file: no key anywhere; the token the file holds at each issuance is the one used (the ledger shows each jti)', async () => {
    const subject = 'system:serviceaccount:apps:deployer';
    const put = await call('PUT', `/v1/tenants/${tenant.tenantId}/partners/${tenant.partnerId}/workload-identities/k8s-deployer`, {
      key: tenant.adminKey,
      body: { expectedVersion: 0, issuer: oidc.url, audiences: [`credvend:${tenant.tenantId}`], subject: { exact: subject } },
    });
    expect(put.status).toBe(200);
    const tokenFile = join(home, 'token');
    // As the kubelet does for a projected service-account token: the file is replaced, never appended to.
    const project = async (jti: string) => {
      const token = await oidc.mint({ aud: `credvend:${tenant.tenantId}`, sub: subject, jti });
      recordSecrets([token]);
      writeFileSync(tokenFile, `${token}\n`);
    };
    const config = join(home, 'config-token');
    writeFileSync(
      config,
      `[profile keyless]\ncredential_process = ${process.execPath} ${CLI} credential-process --endpoint ${apiUrl()} --web-identity-token-file ${tokenFile}\n`,
    );
    const tokenIds = async () =>
      (await ledgerOf(tenant.tenantId)).filter((item) => item.keyId === 'oidc.k8s-deployer').map((item) => item.webIdentity.tokenId);

    await project('pod-token-1');
    const first = await aws(['sts', 'get-caller-identity', '--profile', 'keyless'], { AWS_CONFIG_FILE: config });
    expect(JSON.parse(first.stdout).Arn).toMatch(assumedRoleArn());
    expect(new Set(await tokenIds())).toEqual(new Set(['pod-token-1']));

    await project('pod-token-2');
    const second = await aws(['sts', 'get-caller-identity', '--profile', 'keyless'], { AWS_CONFIG_FILE: config });
    expect(JSON.parse(second.stdout).Arn).toMatch(assumedRoleArn());
    expect(new Set(await tokenIds())).toEqual(new Set(['pod-token-1', 'pod-token-2']));

    // An expired token in the file: the CLI fails (exit 255), it does not fall back to anything else.
    const now = Math.floor(Date.now() / 1000);
    const expired = await oidc.mint({ aud: `credvend:${tenant.tenantId}`, sub: subject, iat: now - 900, exp: now - 600 });
    recordSecrets([expired]);
    writeFileSync(tokenFile, expired);
    await expect(aws(['sts', 'get-caller-identity', '--profile', 'keyless'], { AWS_CONFIG_FILE: config })).rejects.toMatchObject({
      code: 255,
    });
  });
});
