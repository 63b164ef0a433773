// GET /v1/openapi.json: the document generated at build time (scripts/build-openapi.ts), served as is.
import { httpHandler } from '../lib/http/handler';
import document from '../lib/openapi/openapi.json';

export const handler = httpHandler(async () => ({
  statusCode: 200,
  body: document,
  // Public and the same for everyone until the next deploy.
  headers: { 'cache-control': 'public, max-age=300' },
}));
