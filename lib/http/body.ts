// JSON body handling in front of @middy/http-json-body-parser: size and depth limits,
// and an absent body read as {} (every field of an issuance request is optional).
import type { MiddlewareObj } from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../errors';

export const MAX_JSON_DEPTH = 8;

function depthOf(value: unknown, limit: number, depth = 0): number {
  if (depth > limit || value === null || typeof value !== 'object') return depth;
  let max = depth;
  for (const child of Object.values(value)) {
    max = Math.max(max, depthOf(child, limit, depth + 1));
    if (max > limit) break;
  }
  return max;
}

type BodyEvent = Omit<APIGatewayProxyEventV2, 'body'> & { body?: unknown };

export function jsonBody(maxBytes: number): MiddlewareObj<BodyEvent> {
  const parser = httpJsonBodyParser();
  return {
    before: async (request) => {
      const event = request.event;
      const raw = typeof event.body === 'string' ? event.body : undefined;
      const bytes = raw === undefined ? 0 : Buffer.byteLength(raw, event.isBase64Encoded ? 'base64' : 'utf8');
      if (bytes > maxBytes) throw new PayloadTooLargeError('payload_too_large', `The request body exceeds ${maxBytes} bytes`);
      if (raw === undefined || raw.trim() === '') {
        event.body = {};
        return;
      }
      // Media types are case-insensitive (RFC 9110 8.3.1); the parser only matches lower case.
      const headerName = Object.keys(event.headers ?? {}).find((name) => name.toLowerCase() === 'content-type');
      if (headerName) event.headers = { ...event.headers, 'content-type': event.headers[headerName]?.toLowerCase() };
      try {
        await parser.before!(request as never);
      } catch (err) {
        const message = err instanceof Error ? err.message : '';
        if (message.startsWith('Invalid or malformed JSON')) {
          throw new BadRequestError('invalid_json', 'The request body is not valid JSON');
        }
        throw new UnsupportedMediaTypeError('unsupported_media_type', 'The request body must be JSON (Content-Type: application/json)');
      }
      if (depthOf(event.body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
        throw new BadRequestError('body_too_deep', `The request body nests deeper than ${MAX_JSON_DEPTH} levels`);
      }
    },
  };
}
