// Starts the local stack and serverless-offline once for the integration suite, and hands
// their addresses to the test files through the environment (workers inherit it).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOffline } from '../../local/offline';
import { startLocalStack } from '../../local/stack';
import { freePort } from './ports';

export default async function globalSetup(): Promise<void> {
  const stage = 'itest';
  const stack = await startLocalStack({ stage });
  const offline = await startOffline({
    stage,
    env: { ...stack.env, CACHE_TTL_SECONDS: '1' },
    httpPort: await freePort(),
    lambdaPort: await freePort(),
  });
  const dir = mkdtempSync(join(tmpdir(), 'credvend-itest-'));
  const logFile = join(dir, 'offline.log');
  offline.process.stdout!.on('data', () => writeFileSync(logFile, offline.output()));
  offline.process.stderr!.on('data', () => writeFileSync(logFile, offline.output()));
  writeFileSync(logFile, offline.output());
  Object.assign(process.env, {
    CREDVEND_TEST_API: offline.url,
    CREDVEND_TEST_LOG: logFile,
    CREDVEND_TEST_STACK: JSON.stringify({
      stage,
      env: stack.env,
      demoRoleArn: stack.demoRoleArn,
      federationUser: { userName: stack.federationUser.userName, accessKeyId: stack.federationUser.accessKeyId },
    }),
  });
  (globalThis as Record<string, unknown>).__credvendTeardown = async () => {
    await offline.stop();
    await stack.close();
  };
}
