// The console asset budget of `npm run bench` (bench/console.ts): what it counts and when it fails.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from '@jest/globals';
import { CONSOLE_GZIP_LIMIT_BYTES, consoleSizes, measureConsole } from '../../../bench/console';
import { consoleBudgets, consoleRows, failedCountedBudgets } from '../../../bench/report';

describe('the console asset budget', () => {
  it('sums every asset, gzipped', () => {
    const assets = { '': { body: '<html>'.repeat(50) }, 'assets/app.js': { body: 'let a = 1;'.repeat(500) } };
    const m = consoleSizes(assets);
    expect(m.assets.map((a) => a.path)).toEqual(['', 'assets/app.js']);
    expect(m.totalBytes).toBe(300 + 5000);
    expect(m.totalGzipBytes).toBe(
      gzipSync(assets[''].body, { level: 9 }).length + gzipSync(assets['assets/app.js'].body, { level: 9 }).length,
    );
    expect(m.limitGzipBytes).toBe(150 * 1024);
  });

  it('is a counted budget that fails when the assets are over it', () => {
    const big = consoleSizes({ 'assets/app.js': { body: 'x'.repeat(1000) } }, 5);
    const [budget] = consoleBudgets(big);
    expect(budget).toMatchObject({ id: 'console-assets-gzip', counted: true, met: false });
    expect(failedCountedBudgets(consoleBudgets(big))).toHaveLength(1);
    expect(failedCountedBudgets(consoleBudgets(consoleSizes({ 'assets/app.js': { body: 'x' } })))).toHaveLength(0);
    expect(consoleRows(big, consoleBudgets(big)).at(-1)?.at(-1)).toBe('**not met**');
  });

  it('measures the real build: index.html, a script and a stylesheet, within 150 KB gzipped', async () => {
    const m = await measureConsole();
    expect(m.assets.map((a) => a.path.replace(/\.[0-9a-f]{12}\./, '.')).sort()).toEqual(['', 'assets/app.css', 'assets/app.js']);
    expect(m.totalGzipBytes).toBeGreaterThan(10_000);
    expect(m.totalGzipBytes).toBeLessThanOrEqual(CONSOLE_GZIP_LIMIT_BYTES);
  });
});
