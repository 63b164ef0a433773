// `npm start`: the whole API on this machine. dynalite + local STS + serverless-offline,
// a seeded demo tenant, and a curl that works. Ctrl-C stops everything.
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { localDynamoClient } from '../local/dynamo';
import { startOffline } from '../local/offline';
import { startLocalOidcIssuer } from '../local/oidc';
import { DEMO_WEB_IDENTITY, seedDemo, seedDemoWebIdentity } from '../local/seed';
import { localSessionPath, removeLocalSession, writeLocalSession } from '../local/session';
import { startLocalStack } from '../local/stack';
import { buildConsole } from './build-console.mjs';

const STAGE = 'local';
const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

async function main() {
  const stack = await startLocalStack({
    stage: STAGE,
    dynamoPort: port('CREDVEND_DYNAMO_PORT', 4567),
    stsPort: port('CREDVEND_STS_PORT', 4568),
    dynamoPath: process.env.CREDVEND_DYNAMO_PATH,
  });
  // Partners without secrets (issue 17): a local OIDC issuer whose tokens the demo partner may vend with.
  const oidc = await startLocalOidcIssuer({
    port: port('CREDVEND_OIDC_PORT', 4569),
    demo: { audience: DEMO_WEB_IDENTITY.audience, subject: DEMO_WEB_IDENTITY.subject },
  });
  const stopStack = () => Promise.all([stack.close(), oidc.close()]).catch(() => undefined);
  try {
    const dynamo = DynamoDBDocumentClient.from(localDynamoClient(stack.dynamo.url));
    const seeded = await seedDemo(dynamo, stack.env.MAIN_TABLE, stack.demoRoleArn, stack.demoExternalId);
    await seedDemoWebIdentity(dynamo, stack.env.MAIN_TABLE, oidc.url);
    dynamo.destroy();

    // The console's assets from the sources on disk, so an edit shows on the next start.
    await buildConsole();
    console.log('Building the functions and starting serverless-offline…');
    const offline = await startOffline({
      stage: STAGE,
      env: stack.env,
      httpPort: port('CREDVEND_HTTP_PORT', 3000),
      lambdaPort: port('CREDVEND_LAMBDA_PORT', 3002),
      echo: process.env.CREDVEND_VERBOSE === '1',
    });
    const base = offline.url.replace('127.0.0.1', 'localhost');
    // `npm run audit` and `npm run migrate-bindings` in another terminal find this stack here.
    writeLocalSession(stack.env);
    console.log(`
credvend is running at ${base}
  DynamoDB (dynalite): ${stack.dynamo.url}    STS + SSM (local emulator): ${stack.sts.url}
  OIDC issuer (local): ${oidc.url}

Demo keys (new on every start, shown only here):
  partner key (tenant "demo", partner "demo-app"): ${seeded.partnerKey}
  tenant admin key (tenant "demo"):                ${seeded.adminKey}
  operator key:                                    ${seeded.operatorKey}

Console: ${base}/console  (sign in with the tenant admin key and tenant "demo", or the operator key)

Try:
  curl -s -X POST ${base}/v1/credentials \\
    -H 'Authorization: Bearer ${seeded.partnerKey}' \\
    -H 'Content-Type: application/json' -d '{"durationSeconds": 900}'

Without a key, with an OIDC token of the local issuer (workload identity "${DEMO_WEB_IDENTITY.identityId}" of "demo-app"):
  TOKEN=$(curl -s -X POST ${oidc.url}/mint)
  curl -s -X POST ${base}/v1/credentials \
    -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' -d '{"durationSeconds": 900}'

Other terminals: \`npm run audit\` and \`npm run migrate-bindings\` use this stack (${localSessionPath()}).

Ctrl-C stops everything.`);

    let stopping = false;
    const stop = async () => {
      if (stopping) return;
      stopping = true;
      removeLocalSession();
      await offline.stop();
      await stopStack();
      process.exit(0);
    };
    offline.process.once('exit', () => void stop());
    process.on('SIGINT', () => void stop());
    process.on('SIGTERM', () => void stop());
  } catch (err) {
    await stopStack();
    throw err;
  }
}

main().catch((err: unknown) => {
  console.error('credvend local stack failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
