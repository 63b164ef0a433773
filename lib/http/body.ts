// JSON body handling: size limit, media type, parsing and depth limit, each refused with its own
// error here (no JSON parser's error wording decides a status), and an absent body read as {}
// (every field of an issuance request is optional).
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../core/errors';

export const MAX_JSON_DEPTH = 8;

/** application/json or application/<type>+json, with parameters; matched on the lower-cased value. */
const JSON_MEDIA_TYPE = /^application\/(.+\+)?json($|;.+)/;

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
      // Header names and media types are case-insensitive (RFC 9110 5.1, 8.3.1).
      const headerName = Object.keys(event.headers ?? {}).find((name) => name.toLowerCase() === 'content-type');
      const contentType = headerName === undefined ? undefined : event.headers[headerName]?.toLowerCase();
      if (contentType === undefined || !JSON_MEDIA_TYPE.test(contentType)) {
        throw new UnsupportedMediaTypeError('unsupported_media_type', 'The request body must be JSON (Content-Type: application/json)');
      }
      try {
        event.body = JSON.parse(event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw) as unknown;
      } catch {
        throw new BadRequestError('invalid_json', 'The request body is not valid JSON');
      }
      if (depthOf(event.body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
        throw new BadRequestError('body_too_deep', `The request body nests deeper than ${MAX_JSON_DEPTH} levels`);
      }
    },
  };
}
