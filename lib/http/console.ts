// The web console's static responses (handlers/console.ts serves the assets scripts/build-console.mjs
// built). Every response carries the console's security headers; none of them ever holds a secret
// (the browser sends keys to the API, never here), but index.html is `no-store` so a deploy is seen
// at once, and the hashed JS/CSS are immutable.
import { gzipSync } from 'node:zlib';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export interface ConsoleAsset {
  type: string;
  body: string;
  cache: string;
}

/** Paths under /console ('' is index.html) to assets. */
export type ConsoleAssets = Record<string, ConsoleAsset>;

/**
 * Strict CSP: scripts, styles, fonts and images from this origin only (no inline script or style
 * element, no third-party origin); the API it calls is this origin too. No framing at all.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const CONSOLE_SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONSOLE_CSP,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/** Each asset gzipped once per container (API Gateway HTTP APIs do not compress responses). */
const gzipped = new WeakMap<ConsoleAsset, string>();
function gzipOf(asset: ConsoleAsset): string {
  let body = gzipped.get(asset);
  if (body === undefined) {
    body = gzipSync(asset.body, { level: 9 }).toString('base64');
    gzipped.set(asset, body);
  }
  return body;
}

/**
 * The asset at `rawPath` (`/console`, `/console/assets/app.<hash>.js`), or a plain 404; gzipped when
 * the browser accepts it (`acceptEncoding`, the request's Accept-Encoding).
 */
export function consoleResponse(assets: ConsoleAssets, rawPath: string, acceptEncoding = ''): APIGatewayProxyStructuredResultV2 {
  const path = rawPath.replace(/^\/console\/?/, '');
  const asset = assets[path === 'index.html' ? '' : path];
  if (!asset || !(rawPath === '/console' || rawPath.startsWith('/console/'))) {
    return {
      statusCode: 404,
      headers: { ...CONSOLE_SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
      body: 'Not found\n',
    };
  }
  const headers = { ...CONSOLE_SECURITY_HEADERS, 'content-type': asset.type, 'cache-control': asset.cache, vary: 'accept-encoding' };
  if (/\bgzip\b/.test(acceptEncoding)) {
    return { statusCode: 200, headers: { ...headers, 'content-encoding': 'gzip' }, body: gzipOf(asset), isBase64Encoded: true };
  }
  return { statusCode: 200, headers, body: asset.body };
}
