// One "Lambda container" of the concurrency test, in a worker thread: its own module instance of
// the real issuance handler (handlers/credentials.ts, loaded with tsx, SDK clients and caches of its
// own), initialised first, then invoked `count` times at once when the test lifts the barrier.
// Plain JavaScript: worker threads run outside jest's transform.
import { parentPort, workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

const { container, count, partnerKey, barrier, inFlight, lambdaTimeoutMs } = workerData;
const { issue } = await tsImport('../../../handlers/credentials.ts', import.meta.url);

function event(requestId) {
  const path = '/v1/credentials';
  return {
    version: '2.0',
    routeKey: `POST ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: { authorization: `Bearer ${partnerKey}`, 'content-type': 'application/json', 'user-agent': 'credvend-concurrency-test' },
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method: 'POST', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'credvend-concurrency-test' },
      requestId,
      routeKey: `POST ${path}`,
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
    body: JSON.stringify({ durationSeconds: 900 }),
    isBase64Encoded: false,
  };
}

function context(requestId) {
  const deadline = Date.now() + lambdaTimeoutMs;
  return {
    awsRequestId: requestId,
    functionName: 'credvend-itest-issueCredentials',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:credvend-itest-issueCredentials',
    memoryLimitInMB: '512',
    logGroupName: '/aws/lambda/credvend-itest-issueCredentials',
    logStreamName: `container-${container}`,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

/** inFlight[0]: invocations running in every container now; inFlight[1]: the most at any moment. */
function started() {
  const now = Atomics.add(inFlight, 0, 1) + 1;
  for (let peak = Atomics.load(inFlight, 1); now > peak; peak = Atomics.load(inFlight, 1)) {
    if (Atomics.compareExchange(inFlight, 1, peak, now) === peak) break;
  }
}

async function invoke(i) {
  const requestId = `c${container}-${i}`;
  started();
  const begun = Date.now();
  try {
    const res = await issue(event(requestId), context(requestId));
    return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined, durationMs: Date.now() - begun };
  } finally {
    Atomics.sub(inFlight, 0, 1);
  }
}

parentPort.postMessage({ ready: true });
// Blocks this thread until every container is initialised and the test lifts the barrier.
Atomics.wait(barrier, 0, 0);
parentPort.postMessage({ results: await Promise.all(Array.from({ length: count }, (_, i) => invoke(i))) });
