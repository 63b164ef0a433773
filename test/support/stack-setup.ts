// Starts the local stack and serverless-offline once for the integration suite, and hands
// their addresses to the test files through the environment (workers inherit it).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { localDynamoClient } from '../../local/dynamo';
import { startOffline } from '../../local/offline';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { buildConsole } from '../../scripts/build-console.mjs';
import { startControlServer } from './control';
import { startFaultProxy } from './fault-proxy';
import { freePort } from './ports';
import { findLeaks, recordedSecrets, scanTable } from './secret-scan';

export async function startSuiteStack(): Promise<() => Promise<void>> {
  const stage = 'itest';
  // The console Lambda bundles dist/console/assets.json: built from the sources on disk (test/browser).
  await buildConsole();
  const stack = await startLocalStack({ stage });
  // The functions reach DynamoDB through a proxy that tests can tell to fail chosen calls.
  const dynamoProxy = await startFaultProxy(stack.dynamo.url);
  const controlServer = await startControlServer(stack.sts, dynamoProxy);
  const lambdaPort = await freePort();
  const offline = await startOffline({
    stage,
    env: {
      ...stack.env,
      AWS_ENDPOINT_URL_DYNAMODB: dynamoProxy.url,
      CACHE_TTL_SECONDS: '1',
      AWS_TIMEOUT_MS: '2000',
      OIDC_REFETCH_INTERVAL_SECONDS: '2',
      // Names that resolve inward (read on the local stages only): the OIDC fetches must refuse them.
      OIDC_LOCAL_HOSTS: 'idp.rebind.test=169.254.169.254,keys.rebind.test=10.0.0.1,idp6.rebind.test=fd00:ec2::254',
    },
    httpPort: await freePort(),
    lambdaPort,
  });
  const dir = mkdtempSync(join(tmpdir(), 'credvend-itest-'));
  const logFile = join(dir, 'offline.log');
  const secretsFile = join(dir, 'secrets.txt');
  const saveLog = () => writeFileSync(logFile, offline.output());
  offline.process.stdout!.on('data', saveLog);
  offline.process.stderr!.on('data', saveLog);
  saveLog();
  Object.assign(process.env, {
    CREDVEND_TEST_API: offline.url,
    CREDVEND_TEST_LOG: logFile,
    CREDVEND_TEST_CONTROL: controlServer.url,
    CREDVEND_TEST_SECRETS: secretsFile,
    CREDVEND_TEST_STACK: JSON.stringify({
      stage,
      env: stack.env,
      stsUrl: stack.sts.url,
      // serverless-offline's Lambda Invoke API: what EventBridge does for the scheduled functions.
      lambdaUrl: `http://127.0.0.1:${lambdaPort}`,
      demoRoleArn: stack.demoRoleArn,
      demoExternalId: stack.demoExternalId,
      federationUser: { userName: stack.federationUser.userName, accessKeyId: stack.federationUser.accessKeyId },
    }),
  });
  return async () => {
    await offline.stop();
    const report = await scanForSecrets(stack, secretsFile, offline.output());
    await controlServer.close();
    await dynamoProxy.close();
    await stack.close();
    if (report.leaks.length) {
      throw new Error(`secret scan: secrets found in ${report.leaks.map((l) => `${l.place} (${l.count})`).join(', ')}`);
    }
  };
}

/** Every log line and stored item of the suite, against every secret the suite saw. */
async function scanForSecrets(stack: LocalStack, secretsFile: string, logs: string) {
  const client = DynamoDBDocumentClient.from(localDynamoClient(stack.dynamo.url));
  try {
    const secrets = recordedSecrets(secretsFile);
    const report = findLeaks(secrets, {
      'function and serverless-offline logs': logs,
      'main table': await scanTable(client, stack.env.MAIN_TABLE!),
      'issuance table': await scanTable(client, stack.env.ISSUANCE_TABLE!),
    });
    console.log(
      `secret scan: ${report.secretsChecked} secrets checked against ${report.places.length} places, ${report.leaks.length} leaks`,
    );
    mkdirSync('test-results', { recursive: true });
    writeFileSync('test-results/secret-scan.json', `${JSON.stringify(report, null, 2)}\n`);
    return report;
  } finally {
    client.destroy();
  }
}
