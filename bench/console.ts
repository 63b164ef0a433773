// The web console's assets (scripts/build-console.mjs, the same build the console Lambda bundles):
// each file's bytes and gzipped bytes, and their gzipped total against the budget. Built in memory,
// no package needed; `npm run bench -- --only console` measures only this.
import { gzipSync } from 'node:zlib';
import { buildConsoleAssets } from '../scripts/build-console.mjs';

/** Every console asset together, gzipped (what a first visit downloads): the budget. */
export const CONSOLE_GZIP_LIMIT_BYTES = 150 * 1024;

export interface ConsoleAssetSize {
  /** Its path under /console ('' is index.html). */
  path: string;
  bytes: number;
  gzipBytes: number;
}

export interface ConsoleMeasurement {
  assets: ConsoleAssetSize[];
  totalBytes: number;
  totalGzipBytes: number;
  limitGzipBytes: number;
}

export function consoleSizes(assets: Record<string, { body: string }>, limitGzipBytes = CONSOLE_GZIP_LIMIT_BYTES): ConsoleMeasurement {
  const sizes = Object.entries(assets).map(([path, asset]) => ({
    path,
    bytes: Buffer.byteLength(asset.body),
    gzipBytes: gzipSync(asset.body, { level: 9 }).length,
  }));
  if (sizes.length === 0) throw new Error('the console build produced no assets');
  return {
    assets: sizes,
    totalBytes: sizes.reduce((n, a) => n + a.bytes, 0),
    totalGzipBytes: sizes.reduce((n, a) => n + a.gzipBytes, 0),
    limitGzipBytes,
  };
}

export async function measureConsole(): Promise<ConsoleMeasurement> {
  return consoleSizes(await buildConsoleAssets());
}
