// Synthetic API Gateway (HTTP API, payload 2.0) events and Lambda contexts, as the function
// receives them behind `POST /v1/credentials`.
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

export interface EventSpec {
  method: string;
  path: string;
  /** Full Authorization header value, if any. */
  authorization?: string;
  body?: string;
}

export function apiEvent(spec: EventSpec, requestId: string, now = Date.now()): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = { 'user-agent': 'credvend-bench/1', 'content-type': 'application/json' };
  if (spec.authorization) headers.authorization = spec.authorization;
  if (spec.body !== undefined) headers['content-length'] = String(Buffer.byteLength(spec.body));
  return {
    version: '2.0',
    routeKey: `${spec.method} ${spec.path}`,
    rawPath: spec.path,
    rawQueryString: '',
    headers,
    requestContext: {
      accountId: '123456789012',
      apiId: 'bench',
      domainName: 'bench.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'bench',
      http: { method: spec.method, path: spec.path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.10', userAgent: headers['user-agent']! },
      requestId,
      routeKey: `${spec.method} ${spec.path}`,
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    body: spec.body,
    isBase64Encoded: false,
  };
}

export function lambdaContext(requestId: string, functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
