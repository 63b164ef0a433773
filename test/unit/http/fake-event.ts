// A minimal API Gateway HTTP API (payload 2.0) event and Lambda context for handler tests.
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

export interface FakeRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  pathParameters?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
  requestId?: string | null;
}

export function fakeEvent(req: FakeRequest = {}): APIGatewayProxyEventV2 {
  const method = req.method ?? 'POST';
  const path = req.path ?? '/v1/credentials';
  const requestContext = {
    accountId: '123456789012',
    apiId: 'api1',
    domainName: 'api.example.test',
    domainPrefix: 'api',
    http: { method, path, protocol: 'HTTP/1.1', sourceIp: '198.51.100.7', userAgent: req.headers?.['user-agent'] ?? '' },
    routeKey: `${method} ${path}`,
    stage: '$default',
    time: '04/Mar/2026:05:06:07 +0000',
    timeEpoch: 1_772_600_767_000,
    ...(req.requestId !== null && { requestId: req.requestId ?? 'apigw-req-1' }),
  };
  return {
    version: '2.0',
    routeKey: requestContext.routeKey,
    rawPath: path,
    rawQueryString: new URLSearchParams(req.query ?? {}).toString(),
    headers: req.headers ?? {},
    queryStringParameters: req.query,
    pathParameters: req.pathParameters,
    requestContext: requestContext as APIGatewayProxyEventV2['requestContext'],
    body: req.body,
    isBase64Encoded: req.isBase64Encoded ?? false,
  };
}

/** No getRemainingTimeInMillis: middy then sets no early-timeout timer. */
export function fakeContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'credvend-test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:credvend-test',
    memoryLimitInMB: '256',
    awsRequestId: 'lambda-req-1',
    logGroupName: '/aws/lambda/credvend-test',
    logStreamName: 'stream',
  } as Context;
}

export const JSON_HEADERS = { 'content-type': 'application/json' };
