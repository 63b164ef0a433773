// The HTTP wiring every route shares: request id, JSON body, one error mapper (registered
// last so middy runs it first on error), JSON responses that are never cached.
import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { withInvocationDeadline } from '../aws/deadline';
import { config } from '../core/config';
import { AppError, DependencyUnavailableError } from '../core/errors';
import { runInvocation } from '../core/invocation';
import { logger } from '../core/log';
import { jsonBody } from './body';

export interface HttpRequest {
  event: APIGatewayProxyEventV2;
  /** Parsed JSON body ({} when absent); only for routes declared with `body: true`. */
  body: unknown;
  requestId: string;
  header(name: string): string | undefined;
  query(name: string): string | undefined;
  path(name: string): string;
  sourceIp: string;
  userAgent: string;
}

export interface HttpResult {
  statusCode: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const BASE_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  // Every response may carry a secret or tenant data; none may be cached anywhere.
  'cache-control': 'no-store',
};

export function toResponse(result: HttpResult): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: result.statusCode,
    headers: { ...BASE_HEADERS, ...result.headers },
    body: result.body === undefined ? '' : JSON.stringify(result.body),
  };
}

/**
 * Lambda's request id: Lambda's own START/END/REPORT lines and every line this invocation logs carry
 * it, so the id a caller reports leads straight to the invocation's logs. (API Gateway's id is in its
 * access log; serverless-offline gives every event the same placeholder for it.)
 */
export function requestIdOf(event: APIGatewayProxyEventV2, context: Context | undefined): string {
  return context?.awsRequestId || event.requestContext?.requestId;
}

export function errorResponse(err: unknown, requestId: string): APIGatewayProxyStructuredResultV2 {
  if (err instanceof AppError) {
    if (err.statusCode >= 500) {
      logger.error('request failed', { code: err.code, error: describe(err) });
    } else {
      logger.info('request refused', { code: err.code, status: err.statusCode });
    }
    return toResponse({
      statusCode: err.statusCode,
      headers: err.headers,
      body: { error: { code: err.code, message: err.message, requestId, details: err.details } },
    });
  }
  // Not one of ours: a bug, logged with its stack to find it by.
  logger.error('unhandled error', { error: describe(err), stack: err instanceof Error ? err.stack : undefined });
  return toResponse({
    statusCode: 500,
    body: { error: { code: 'internal_error', message: 'Internal error', requestId, details: [] } },
  });
}

/** Name, message and cause chain names only: SDK errors can carry request data, never log them whole. */
function describe(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { type: typeof err };
  const out: Record<string, unknown> = { name: err.name, message: err.message };
  if (err.cause instanceof Error) out.cause = { name: err.cause.name, message: err.cause.message };
  return out;
}

function errorMapper(): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  return {
    onError: async (request) => {
      request.response = errorResponse(request.error, requestIdOf(request.event, request.context));
    },
  };
}

export interface RouteOptions {
  /** Parse a JSON body (size, depth and media-type checks included). */
  body?: boolean;
}

/**
 * middy's last resort, just before the Lambda timeout: a JSON 503 rather than the platform's timeout.
 * AWS calls end DEADLINE_MARGIN_MS earlier (lib/aws/deadline.ts), so this is only reached when
 * something else holds the invocation up (an SDK retry back-off that straddles the deadline).
 */
function timeoutEarlyResponse(): never {
  throw new DependencyUnavailableError('dependency_timeout', 'A dependency did not answer in time; retry later', {
    retryAfterSeconds: 1,
  });
}

export function httpHandler(route: (req: HttpRequest) => Promise<HttpResult>, options: RouteOptions = {}) {
  const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>({ timeoutEarlyResponse });
  if (options.body) handler.use(jsonBody(config.maxBodyBytes) as never);
  handler.use(errorMapper());
  const routed = handler.handler(async (event, context) => {
    const headers = lowerCaseKeys(event.headers ?? {});
    const req: HttpRequest = {
      event,
      body: (event as { body?: unknown }).body,
      requestId: requestIdOf(event, context),
      header: (name) => headers[name.toLowerCase()],
      query: (name) => event.queryStringParameters?.[name],
      path: (name) => event.pathParameters?.[name] ?? '',
      sourceIp: event.requestContext?.http?.sourceIp ?? '',
      userAgent: headers['user-agent'] ?? '',
    };
    return toResponse(await route(req));
  });
  // One invocation: every log line, the error mapper's included, carries its request id, and every
  // AWS call shares one deadline taken from the Lambda's remaining time.
  return (event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> =>
    runInvocation({ requestId: requestIdOf(event, context) }, () => withInvocationDeadline(context, () => routed(event, context)));
}

function lowerCaseKeys(headers: Record<string, string | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v;
  return out;
}
