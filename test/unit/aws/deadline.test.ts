// The per-invocation deadline on every AWS call, with real SDK clients and real sockets against a
// local server that never answers: an attempt is cut at the deadline and not retried, one started
// after it fails without a request, and the adapters answer their own 503 for it.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import {
  DEADLINE_MARGIN_MS,
  DeadlineExceededError,
  DeadlineHttpHandler,
  remainingMs,
  withDeadline,
  withInvocationDeadline,
} from '../../../lib/aws/deadline';
import { type AppError, DependencyUnavailableError } from '../../../lib/core/errors';
import type { AssumeRoleRequest } from '../../../lib/policy/sts-limits';
import { dynamoUnavailable } from '../../../lib/store/dynamo';
import { SdkSts } from '../../../lib/sts/sdk-sts';

/** Far longer than any deadline below: if it is what ends an attempt, the deadline did not. */
const CONFIGURED_TIMEOUT_MS = 5000;

let server: Server;
let endpoint: string;
/** Requests received, and the responses held open (a hang). */
let received = 0;
let held: ServerResponse[] = [];
/** When set, answers instead of hanging. */
let answer: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;

beforeAll(async () => {
  server = createServer((req, res) => {
    received++;
    req.resume();
    if (answer) return answer(req, res);
    held.push(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(() => {
  for (const res of held) res.destroy();
  held = [];
  received = 0;
  answer = undefined;
  jest.restoreAllMocks();
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' };
const handlerOptions = { connectionTimeout: CONFIGURED_TIMEOUT_MS, requestTimeout: CONFIGURED_TIMEOUT_MS, throwOnRequestTimeout: true };

function dynamo(requestHandler: NodeHttpHandler = new DeadlineHttpHandler(handlerOptions)) {
  return new DynamoDBClient({ region: 'us-east-1', endpoint, credentials, maxAttempts: 3, requestHandler });
}

const getItem = () => new GetItemCommand({ TableName: 't', Key: { pk: { S: 'a' }, sk: { S: 'b' } } });

/** The error a call ends with (the test fails if it succeeds). */
async function failure(p: Promise<unknown>): Promise<Error & { cause?: unknown }> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail');
}

describe('DeadlineHttpHandler', () => {
  it('cuts a hanging attempt at the deadline, and the SDK does not retry it', async () => {
    const client = dynamo();
    const err = await failure(withDeadline(300, () => client.send(getItem())));
    expect(err.name).toBe('AbortError');
    expect(err.cause).toBeInstanceOf(DeadlineExceededError);
    // One attempt reached the server; the other two of maxAttempts were never made.
    expect(received).toBe(1);
    client.destroy();
  });

  it('fails an attempt made after the deadline at once, without sending it', async () => {
    const client = dynamo();
    const err = await failure(withDeadline(0, () => client.send(getItem())));
    expect(err.name).toBe('AbortError');
    expect(err.cause).toBeInstanceOf(DeadlineExceededError);
    expect(received).toBe(0);
    client.destroy();
  });

  it('gives each attempt a request timeout of at most the time left, and the deadline signal', async () => {
    const handle = jest.spyOn(NodeHttpHandler.prototype, 'handle');
    const client = dynamo();
    await failure(withDeadline(400, () => client.send(getItem())));
    expect(handle).toHaveBeenCalledTimes(1);
    const options = handle.mock.calls[0]![1]!;
    expect(options.requestTimeout).toBeGreaterThan(0);
    expect(options.requestTimeout).toBeLessThanOrEqual(400);
    expect(options.abortSignal).toBeDefined();
    client.destroy();
  });

  it('keeps the configured request timeout when it is shorter than the time left (and the SDK retries it)', async () => {
    const handle = jest.spyOn(NodeHttpHandler.prototype, 'handle');
    const client = dynamo(new DeadlineHttpHandler({ ...handlerOptions, requestTimeout: 100 }));
    const err = await failure(withDeadline(CONFIGURED_TIMEOUT_MS, () => client.send(getItem())));
    // The SDK's own timeout is transient: all three attempts are made, each bounded by 100 ms.
    expect(err.name).toBe('TimeoutError');
    expect(received).toBe(3);
    expect(handle.mock.calls.map(([, options]) => options?.requestTimeout)).toEqual([100, 100, 100]);
    client.destroy();
  });

  it('leaves calls outside any deadline as they were (scripts, tests)', async () => {
    answer = (_req, res) => res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{}');
    const handle = jest.spyOn(NodeHttpHandler.prototype, 'handle');
    const client = dynamo();
    expect(remainingMs()).toBeUndefined();
    await expect(client.send(getItem())).resolves.toMatchObject({ $metadata: { httpStatusCode: 200 } });
    expect(handle.mock.calls[0]![1]).toEqual({});
    client.destroy();
  });

  it("still honours the caller's own abort signal inside a deadline", async () => {
    const client = dynamo();
    const caller = new AbortController();
    const pending = withDeadline(CONFIGURED_TIMEOUT_MS, () => client.send(getItem(), { abortSignal: caller.signal }));
    while (received === 0) await new Promise((r) => setTimeout(r, 10));
    caller.abort();
    const err = await failure(pending);
    expect(err.name).toBe('AbortError');
    expect(err.cause).not.toBeInstanceOf(DeadlineExceededError);
    expect(received).toBe(1);
    client.destroy();
  });
});

describe('withDeadline / withInvocationDeadline', () => {
  it('takes the deadline from the Lambda context, less the margin', async () => {
    const seen = await withInvocationDeadline({ getRemainingTimeInMillis: () => 9000 }, async () => remainingMs());
    expect(seen).toBeGreaterThan(0);
    expect(seen).toBeLessThanOrEqual(9000 - DEADLINE_MARGIN_MS);
  });

  it('sets no deadline without a Lambda context', async () => {
    expect(await withInvocationDeadline({}, async () => remainingMs())).toBeUndefined();
    expect(await withInvocationDeadline(undefined, async () => remainingMs())).toBeUndefined();
  });

  it('a nested deadline can shorten the outer one but never extend it', async () => {
    const [longer, shorter] = await withDeadline(500, async () => [
      await withDeadline(60_000, async () => remainingMs()),
      await withDeadline(100, async () => remainingMs()),
    ]);
    expect(longer).toBeLessThanOrEqual(500);
    expect(shorter).toBeLessThanOrEqual(100);
  });
});

describe('the adapters answer a deadline with their own 503', () => {
  it('DynamoDB: dynamodb_unavailable, nothing of the request in the message', async () => {
    const client = dynamo();
    const sdkError = await failure(withDeadline(0, () => client.send(getItem())));
    const err = dynamoUnavailable(sdkError, 'read key');
    expect(err).toBeInstanceOf(DependencyUnavailableError);
    expect({ status: err.statusCode, code: err.code, retryAfter: err.headers['Retry-After'] }).toEqual({
      status: 503,
      code: 'dynamodb_unavailable',
      retryAfter: '1',
    });
    client.destroy();
  });

  it('STS: sts_unavailable, after a single attempt', async () => {
    const client = new STSClient({
      region: 'us-east-1',
      endpoint,
      credentials,
      maxAttempts: 3,
      requestHandler: new DeadlineHttpHandler(handlerOptions),
    });
    const sts = new SdkSts(client, async () => client);
    const request: AssumeRoleRequest = {
      roleArn: 'arn:aws:iam::123456789012:role/r',
      roleSessionName: 'p1.abcd',
      durationSeconds: 900,
      roleMaxSessionDuration: 3600,
      policy: '{"Version":"2012-10-17","Statement":[]}',
      policyArns: [],
      sourceIdentity: 'p1',
      tags: {},
      transitiveTagKeys: [],
    };
    const err = (await failure(withDeadline(300, () => sts.assumeRole(request)))) as AppError;
    expect(err).toBeInstanceOf(DependencyUnavailableError);
    expect({ status: err.statusCode, code: err.code }).toEqual({ status: 503, code: 'sts_unavailable' });
    expect(err.message).toBe('STS is unavailable; retry later');
    expect(received).toBe(1);
    client.destroy();
  });
});
