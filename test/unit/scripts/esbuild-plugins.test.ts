// scripts/esbuild-plugins.cjs (issue 19, generalising f17's lazy web-identity plugin): each module of
// its table that a handler imports with import() becomes a bundle of its own beside the handler, the
// handler keeping only `import("./<output>")`; a static import of the same module is inlined as usual.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { build, type Plugin } from 'esbuild';

const ROOT = resolve(import.meta.dirname ?? '.', '../../..');
const plugins = createRequire(import.meta.url)(join(ROOT, 'scripts/esbuild-plugins.cjs')) as Plugin[];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'credvend-plugins-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function bundle(name: string, source: string): Promise<{ code: string; files: string[] }> {
  // Beside lib/wiring, so './mfa' resolves to the real module, as from lib/wiring/vend.ts.
  const entry = join(ROOT, 'lib/wiring', `.plugin-test-${name}.ts`);
  const outdir = join(dir, name);
  await writeFile(entry, source);
  try {
    await build({
      entryPoints: [entry],
      outdir,
      bundle: true,
      platform: 'node',
      format: 'esm',
      outExtension: { '.js': '.mjs' },
      plugins,
      logLevel: 'silent',
    });
  } finally {
    await rm(entry, { force: true });
  }
  const files = (await readdir(outdir)).sort();
  return { code: await readFile(join(outdir, files.find((f) => f.startsWith('.plugin-test'))!), 'utf8'), files };
}

describe('lazy modules', () => {
  it("keeps f17's web-identity entry and adds mfa", () => {
    expect(plugins.map((p) => p.name)).toEqual(['credvend-lazy-web-identity', 'credvend-lazy-mfa']);
  });

  it('a dynamic import of lib/wiring/mfa becomes ./mfa.mjs, written beside the handler with the code check', async () => {
    const { code, files } = await bundle('lazy', "export const load = () => import('./mfa');\n");
    expect(code).toMatch(/import\(["']\.\/mfa\.mjs["']\)/);
    expect(code).not.toContain('otpauth');
    expect(files).toEqual(['.plugin-test-lazy.mjs', 'mfa.mjs']);
    const lazy = await readFile(join(dir, 'lazy', 'mfa.mjs'), 'utf8');
    expect(lazy).toContain('checkMfaLazily');
  });

  it('a static import is inlined, and no lazy module is written', async () => {
    const { code, files } = await bundle('static', "export { checkMfaLazily } from './mfa';\n");
    expect(code).not.toMatch(/\.\/mfa\.mjs/);
    expect(code).toContain('checkMfaLazily');
    expect(files).toEqual(['.plugin-test-static.mjs']);
  });
});
