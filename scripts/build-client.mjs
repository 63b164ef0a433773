// Bundles the partner client into self-contained ESM files for Node 20+:
//   dist/credvend.mjs  the `credvend` CLI (executable, with a node shebang)
//   dist/client.mjs    the library entry point (credvendProvider, parseSerialized, ...)
// Usage: node scripts/build-client.mjs [outdir]   (default: dist)
// The build fails if anything outside client/ ends up in a bundle: the client has no server deps.

import { chmod } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = resolve(process.argv[2] ?? join(root, 'dist'));

const common = {
  absWorkingDir: root,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
};

const bundles = [
  { entry: 'client/cli.ts', outfile: join(outdir, 'credvend.mjs'), banner: { js: '#!/usr/bin/env node' }, executable: true },
  { entry: 'client/index.ts', outfile: join(outdir, 'client.mjs') },
];

for (const bundle of bundles) {
  const result = await build({ ...common, entryPoints: [bundle.entry], outfile: bundle.outfile, banner: bundle.banner });
  const foreign = Object.keys(result.metafile.inputs).filter((input) => !input.startsWith('client/'));
  if (foreign.length > 0) {
    console.error(`build-client: ${bundle.entry} pulls in code from outside client/:\n  ${foreign.join('\n  ')}`);
    process.exit(1);
  }
  if (bundle.executable) await chmod(bundle.outfile, 0o755);
  console.log(`build-client: wrote ${bundle.outfile}`);
}
