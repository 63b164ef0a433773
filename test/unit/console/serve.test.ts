// The console's static responses (lib/http/console.ts) over the assets the build makes.
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from '@jest/globals';
import { CONSOLE_CSP, type ConsoleAssets, consoleResponse } from '../../../lib/http/console';
import { buildConsoleAssets } from '../../../scripts/build-console.mjs';

const assets: ConsoleAssets = await buildConsoleAssets();
const scriptPath = Object.keys(assets).find((p) => p.endsWith('.js'))!;
const stylePath = Object.keys(assets).find((p) => p.endsWith('.css'))!;

describe('the console assets', () => {
  it('are index.html, one hashed script and one hashed stylesheet, which index.html names', () => {
    expect(Object.keys(assets).sort()).toEqual(['', scriptPath, stylePath].sort());
    expect(scriptPath).toMatch(/^assets\/app\.[0-9a-f]{12}\.js$/);
    expect(stylePath).toMatch(/^assets\/app\.[0-9a-f]{12}\.css$/);
    const html = assets['']!.body;
    expect(html).toContain(`<script type="module" src="/console/${scriptPath}"></script>`);
    expect(html).toContain(`href="/console/${stylePath}"`);
    // No inline script or style for the CSP to allow: the only <script> has a src and no body.
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
  });

  it('keep no key anywhere but sessionStorage', () => {
    const js = assets[scriptPath]!.body;
    expect(js).toContain('sessionStorage');
    expect(js).not.toMatch(/localStorage|document\.cookie|indexedDB/);
  });
});

describe('consoleResponse', () => {
  it('serves index.html at /console, never cached, with the security headers', () => {
    const res = consoleResponse(assets, '/console');
    expect(res.statusCode).toBe(200);
    expect(res.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': CONSOLE_CSP,
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
    });
    expect(consoleResponse(assets, '/console/index.html').body).toBe(res.body);
  });

  it('serves hashed assets as immutable', () => {
    const res = consoleResponse(assets, `/console/${scriptPath}`);
    expect(res.headers).toMatchObject({
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': expect.stringContaining('immutable'),
    });
    expect(res.body).toBe(assets[scriptPath]!.body);
  });

  it('gzips for a browser that accepts it, and says it varies by that', () => {
    const res = consoleResponse(assets, `/console/${scriptPath}`, 'gzip, deflate, br');
    expect(res).toMatchObject({ isBase64Encoded: true, headers: { 'content-encoding': 'gzip', vary: 'accept-encoding' } });
    expect(gunzipSync(Buffer.from(String(res.body), 'base64')).toString()).toBe(assets[scriptPath]!.body);
    expect(consoleResponse(assets, `/console/${scriptPath}`, 'identity').headers?.['content-encoding']).toBeUndefined();
  });

  it('answers 404 with the same headers for anything else', () => {
    for (const path of ['/console/assets/app.js', '/console/../v1/health', '/consolex', '/v1/console']) {
      const res = consoleResponse(assets, path);
      expect([path, res.statusCode, res.headers?.['content-security-policy']]).toEqual([path, 404, CONSOLE_CSP]);
    }
  });

  it('has a strict CSP: self only, no inline, no framing', () => {
    expect(CONSOLE_CSP).toContain("default-src 'self'");
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).toContain("connect-src 'self'");
    expect(CONSOLE_CSP).toContain("frame-ancestors 'none'");
    expect(CONSOLE_CSP).not.toMatch(/unsafe-|https?:|\*/);
  });
});
