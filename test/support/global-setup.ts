// Starts the local stack and serverless-offline once for the integration suite, and hands
// their addresses to the test files through the environment (workers inherit it).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFaultProxy } from '../../local/fault-proxy';
import { startOffline } from '../../local/offline';
import { startLocalStack } from '../../local/stack';
import { startControlServer } from './control';
import { freePort } from './ports';

export default async function globalSetup(): Promise<void> {
  const stage = 'itest';
  const stack = await startLocalStack({ stage });
  // The functions reach DynamoDB through a proxy that tests can tell to fail chosen calls.
  const dynamoProxy = await startFaultProxy(stack.dynamo.url);
  const controlServer = await startControlServer(stack.sts, dynamoProxy);
  const offline = await startOffline({
    stage,
    env: { ...stack.env, AWS_ENDPOINT_URL_DYNAMODB: dynamoProxy.url, CACHE_TTL_SECONDS: '1', AWS_TIMEOUT_MS: '2000' },
    httpPort: await freePort(),
    lambdaPort: await freePort(),
  });
  const logFile = join(mkdtempSync(join(tmpdir(), 'credvend-itest-')), 'offline.log');
  const saveLog = () => writeFileSync(logFile, offline.output());
  offline.process.stdout!.on('data', saveLog);
  offline.process.stderr!.on('data', saveLog);
  saveLog();
  Object.assign(process.env, {
    CREDVEND_TEST_API: offline.url,
    CREDVEND_TEST_LOG: logFile,
    CREDVEND_TEST_CONTROL: controlServer.url,
    CREDVEND_TEST_STACK: JSON.stringify({
      stage,
      env: stack.env,
      stsUrl: stack.sts.url,
      demoRoleArn: stack.demoRoleArn,
      federationUser: { userName: stack.federationUser.userName, accessKeyId: stack.federationUser.accessKeyId },
    }),
  });
  (globalThis as Record<string, unknown>).__credvendTeardown = async () => {
    await offline.stop();
    await controlServer.close();
    await dynamoProxy.close();
    await stack.close();
  };
}
